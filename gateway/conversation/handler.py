"""handle_command: the inbound SMS that are commands, answered at once and never made into cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from gateway import followup
from gateway.config import DEFAULT_CONFIG_DIR
from gateway.conversation import commands, texts
from gateway.conversation.status import status_text
from gateway.language import detect
from gateway.sms.contacts import opt_in, opt_out
from gateway.units import Units, cached_units


@dataclass(frozen=True)
class Reply:
    text: str
    language: str
    command: str  # status | stop | start | help | rating
    case_id: int | None = None  # the case the command was about (a rating), for the inbound row


def handle_command(
    session: Session,
    inbound_text: str,
    sender: str,
    now: datetime,
    *,
    opt_out_type: str | None = None,
    units: Units | None = None,
    config_dir: str | Path = DEFAULT_CONFIG_DIR,
) -> Reply | None:
    """A Reply when the message is a command (answer it with TwiML, create no case); None otherwise.

    `sender` is the normalised (E.164) number; `opt_out_type` is Twilio's OptOutType parameter.
    """
    command = commands.parse(inbound_text, opt_out_type)
    if command is None:
        return None
    language = detect(inbound_text)
    if command.kind == commands.STOP:
        opt_out(session, sender, now, source="OptOutType" if opt_out_type else "keyword")
        return Reply(texts.render("stop_confirm", language, config_dir), language, command.kind)
    if command.kind == commands.START:
        opt_in(session, sender)
        return Reply(texts.render("start_confirm", language, config_dir), language, command.kind)
    if command.kind == commands.HELP:
        return Reply(texts.render("help", language, config_dir), language, command.kind)
    units = units or cached_units(str(config_dir))
    if command.kind == commands.STATUS:
        text = status_text(session, sender, command.case_number, language, units, config_dir)
        return Reply(text, language, command.kind)
    return _rating(session, command, sender, now, units, config_dir)


def _rating(
    session: Session, command: commands.Command, sender: str, now: datetime, units: Units, config_dir: str | Path
) -> Reply | None:
    case = followup.awaiting_rating(session, sender, now)
    if case is None:
        repeated = followup.recently_rated(session, sender, command.rating_text or "", now)
        if repeated is None:
            return None  # a bare "1" with nothing to rate is an ordinary message
        language = repeated.language if repeated.language in ("zh", "en") else "zh"
        text = texts.render("rating_thanks", language, config_dir, number=repeated.number)
        return Reply(text, language, command.kind, repeated.id)
    outcome = followup.record_rating(
        session, case, command.rating or 0, command.rating_text or "", now, units=units, config_dir=config_dir
    )
    language = case.language if case.language in ("zh", "en") else "zh"
    return Reply(outcome.text, language, command.kind, case.id)
