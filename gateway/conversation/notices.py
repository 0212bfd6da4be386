"""Service notices (服务告知): ready answers to common inquiries, sent at once as the first reply.

The notice is automatic and marked so on the timeline; it does not close or answer the case for
the unit: the case stays open until the unit confirms or adds to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from gateway import outbox, timeline
from gateway.config import DEFAULT_CONFIG_DIR, read_toml
from gateway.conversation import texts
from gateway.models import Case, OutboundMessage

INQUIRY = "inquiry"


@dataclass(frozen=True)
class Notice:
    key: str
    topics_zh: tuple[str, ...]
    topics_en: tuple[str, ...]
    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.en if language == "en" else self.zh


@dataclass(frozen=True)
class Notices:
    asks: tuple[str, ...]
    notices: tuple[Notice, ...]


@lru_cache(maxsize=8)
def load_notices(config_dir: str = str(DEFAULT_CONFIG_DIR)) -> Notices:
    raw = read_toml(config_dir, "notices.toml")
    asks = raw.get("asks", {})
    notices = tuple(
        Notice(
            key=key,
            topics_zh=tuple(entry.get("topics_zh", ())),
            topics_en=tuple(t.lower() for t in entry.get("topics_en", ())),
            zh=entry["zh"],
            en=entry["en"],
        )
        for key, entry in raw.items()
        if key != "asks"
    )
    return Notices(asks=tuple(asks.get("zh", ())) + tuple(w.lower() for w in asks.get("en", ())), notices=notices)


def match_notice(text: str, config_dir: str | Path = DEFAULT_CONFIG_DIR) -> Notice | None:
    """The notice this inquiry asks for: it names a topic and asks something (not "passport stolen")."""
    lowered = (text or "").lower()
    catalogue = load_notices(str(config_dir))
    if not any(word in lowered for word in catalogue.asks):
        return None
    for notice in catalogue.notices:
        if any(t in lowered for t in notice.topics_zh) or any(t in lowered for t in notice.topics_en):
            return notice
    return None


def send_service_notice(
    session: Session,
    case: Case,
    text: str,
    now: datetime,
    *,
    kind: str | None = None,
    config_dir: str | Path = DEFAULT_CONFIG_DIR,
) -> OutboundMessage | None:
    """Queue the matching notice as the case's first, automatic reply. None when nothing matches.

    `kind` is the classifier's; a complaint that mentions a passport is not an inquiry about one.
    """
    if kind is not None and kind != INQUIRY:
        return None
    notice = match_notice(text, config_dir)
    if notice is None:
        return None
    language = case.language if case.language in ("zh", "en") else "zh"
    body = texts.render("notice", language, config_dir, text=notice.text(language))
    message = outbox.queue_sms(
        session,
        to=case.citizen_number,
        body=body,
        purpose="notice",
        language=language,
        now=now,
        case=case,
        dedupe_key=f"notice:{case.id}",
    )
    if message is not None:
        timeline.record(
            session, case, "auto_reply", now, "system", automatic=True, notice=notice.key, message_id=message.id
        )
    return message
