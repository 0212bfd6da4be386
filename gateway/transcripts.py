"""Call-centre transcripts: checking a submitted JSON object and turning it into an IncomingMessage.

The classifier reads the caller's turns itself (gateway/classify/text.py splits "来电人：" / "坐席："
labels), so the transcript is stored with its speaker labels intact. A transcript given as a list
of turns is written out with the same labels, so both forms read the same way downstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from gateway.intake import IncomingMessage

CHANNEL = "transcript"
MAX_CHARS = 20000
MAX_ID = 64  # the width of InboundMessage.provider_id
SPEAKERS = ("caller", "agent")
LANGUAGES = ("zh", "en")
# Labels the classifier knows (config/classifier/text.toml [turns]).
_LABELS = {"zh": {"caller": "来电人", "agent": "坐席"}, "en": {"caller": "Caller", "agent": "Agent"}}

FIELDS = ("call_id", "caller", "started_at", "transcript", "agent_id", "language", "audio_url")
REQUIRED = ("call_id", "caller", "started_at", "transcript", "agent_id")


@dataclass(frozen=True)
class Problem:
    field: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "problem": self.problem}


class InvalidTranscript(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.problem}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Transcript:
    call_id: str
    caller: str
    started_at: datetime
    text: str  # with speaker labels, as the classifier reads it
    agent_id: str
    language: str | None
    audio_url: str | None
    turns: int  # how many speaker turns were given as a list (0 for plain text)

    def message(self, received_at: datetime, api_key_id: int, raw: dict[str, Any]) -> IncomingMessage:
        return IncomingMessage(
            channel=CHANNEL,
            provider_id=self.call_id,
            sender=self.caller,
            body=self.text,
            received_at=received_at,
            payload={
                "call_id": self.call_id,
                "caller": self.caller,
                "started_at": self.started_at.isoformat(),
                "agent_id": self.agent_id,
                "language": self.language,
                "audio_url": self.audio_url,
                "turns": raw.get("transcript") if isinstance(raw.get("transcript"), list) else None,
                # Who submitted it: a repeated call_id from another client must not reveal this case.
                "api_key_id": api_key_id,
            },
        )


def parse(data: Any, max_chars: int = MAX_CHARS) -> Transcript:
    """Check `data` (decoded JSON) and return the transcript; raises InvalidTranscript listing every problem."""
    if not isinstance(data, dict):
        raise InvalidTranscript([Problem("(body)", "must be a JSON object")])
    problems: list[Problem] = []
    for name in REQUIRED:
        if name not in data or data[name] is None:
            problems.append(Problem(name, "is required"))
    for name in sorted(set(data) - set(FIELDS)):
        problems.append(Problem(name, "is not a known field"))

    call_id = _string(data, "call_id", problems, max_len=MAX_ID)
    if call_id is not None and not call_id.isprintable():
        problems.append(Problem("call_id", "must be printable text"))
    caller = _string(data, "caller", problems, max_len=40)
    if caller is not None and not any(ch.isdigit() for ch in caller):
        problems.append(Problem("caller", "must be a telephone number (any format)"))
    agent_id = _string(data, "agent_id", problems, max_len=64)
    started_at = _datetime(data, "started_at", problems)
    language = _optional_choice(data, "language", LANGUAGES, problems)
    audio_url = _optional_url(data, "audio_url", problems)
    text, turns = _transcript(data, problems, max_chars, language)

    if problems:
        raise InvalidTranscript(problems)
    return Transcript(call_id, caller, started_at, text, agent_id, language, audio_url, turns)  # type: ignore[arg-type]


def _string(data: dict, name: str, problems: list[Problem], *, max_len: int) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(Problem(name, f"must be a string, not {_json_type(value)}"))
        return None
    value = value.strip()
    if not value:
        problems.append(Problem(name, "must not be empty"))
        return None
    if len(value) > max_len:
        problems.append(Problem(name, f"must be at most {max_len} characters"))
        return None
    return value


def _datetime(data: dict, name: str, problems: list[Problem]) -> datetime | None:
    value = _string(data, name, problems, max_len=40)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        problems.append(Problem(name, "must be an ISO 8601 date-time, e.g. 2026-11-27T09:30:00+08:00"))
        return None
    # A time without its offset is ambiguous between the call centre's clock and UTC.
    if parsed.tzinfo is None:
        problems.append(Problem(name, "must include a UTC offset (e.g. +08:00 or Z)"))
        return None
    return parsed


def _optional_choice(data: dict, name: str, choices: tuple[str, ...], problems: list[Problem]) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        problems.append(Problem(name, "must be one of " + ", ".join(choices)))
        return None
    return value


def _optional_url(data: dict, name: str, problems: list[Problem]) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 2000:
        problems.append(Problem(name, "must be a URL string of at most 2000 characters"))
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(Problem(name, "must be an http or https URL"))
        return None
    return value


def _transcript(data: dict, problems: list[Problem], max_chars: int, language: str | None) -> tuple[str | None, int]:
    value = data.get("transcript")
    if value is None:
        return None, 0
    if isinstance(value, str):
        text = value.strip()
        turns = 0
    elif isinstance(value, list):
        text = _turns_text(value, problems, language)
        if text is None:
            return None, 0
        turns = len(value)
    else:
        problems.append(Problem("transcript", f"must be a string or a list of turns, not {_json_type(value)}"))
        return None, 0
    if not text:
        problems.append(Problem("transcript", "must not be empty"))
        return None, 0
    if len(text) > max_chars:
        problems.append(Problem("transcript", f"must be at most {max_chars} characters (got {len(text)})"))
        return None, 0
    return text, turns


def _turns_text(turns: list, problems: list[Problem], language: str | None) -> str | None:
    lines: list[str] = []
    texts: list[tuple[str, str]] = []
    for k, turn in enumerate(turns):
        where = f"transcript[{k}]"
        if not isinstance(turn, dict):
            problems.append(Problem(where, "must be an object with speaker and text"))
            continue
        speaker, text = turn.get("speaker"), turn.get("text")
        if speaker not in SPEAKERS:
            problems.append(Problem(f"{where}.speaker", "must be one of " + ", ".join(SPEAKERS)))
        if not isinstance(text, str):
            problems.append(Problem(f"{where}.text", "must be a string"))
        extra = set(turn) - {"speaker", "text"}
        if extra:
            problems.append(Problem(where, "unknown fields: " + ", ".join(sorted(extra))))
        if speaker in SPEAKERS and isinstance(text, str) and text.strip():
            texts.append((speaker, " ".join(text.split())))
    if problems:
        return None
    lang = language or _guess(" ".join(t for _, t in texts))
    labels = _LABELS[lang]
    colon = "：" if lang == "zh" else ": "
    for speaker, text in texts:
        lines.append(f"{labels[speaker]}{colon}{text}")
    return "\n".join(lines)


def _guess(text: str) -> str:
    from gateway.language import detect

    return detect(text)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__
