"""POST /twilio/sms: a citizen's text becomes a durable case before we answer."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from gateway import intake, jobs
from gateway.templates_text import render
from gateway.web.signature import require_twilio_signature

bp = Blueprint("twilio_sms", __name__)

BODY_LIMIT = 1600  # Twilio's own cap on an SMS body; a longer "SMS" is not one


def twiml(text: str | None) -> Response:
    reply = MessagingResponse()
    if text:
        reply.message(text)
    return Response(str(reply), mimetype="application/xml")


@bp.post("/twilio/sms")
@require_twilio_signature
def inbound_sms():
    rt = current_app.extensions["gateway"]
    form = request.form
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    sender = (form.get("From") or "").strip()
    body = form.get("Body")
    if not sid or len(sid) > 64 or not sender or body is None:
        abort(400, description="MessageSid, From and Body are required")
    msg = intake.IncomingMessage(
        channel="sms",
        provider_id=sid,
        sender=sender,
        recipient=form.get("To"),
        body=body[: BODY_LIMIT * 2],
        # Every parameter Twilio sent, as sent: Twilio adds fields without notice.
        payload={key: form.getlist(key) if len(form.getlist(key)) > 1 else form[key] for key in form},
        received_at=datetime.now(UTC),
    )
    with rt.database.session() as session:
        accepted = intake.accept(session, msg, rt.deployment)
    # Enqueued after the commit, also for a repeated delivery: if the first one found Redis down,
    # this is a second chance; the unique job id keeps it from running twice.
    jobs.enqueue_intake(rt.redis, accepted.inbound_id)
    text = render(
        rt.settings.config_dir,
        "intake",
        "ack",
        accepted.language,
        number=accepted.case_number,
        days=rt.settings.ack_reply_within_days,
    )
    return twiml(text)
