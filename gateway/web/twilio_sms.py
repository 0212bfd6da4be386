"""POST /twilio/sms: a citizen's text is stored before we answer; the conversation decides the answer."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, abort, request
from twilio.twiml.messaging_response import MessagingResponse

from gateway import intake, jobs, outbox
from gateway.conversation.inbound import receive_sms
from gateway.web import runtime
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
    rt = runtime()
    form = request.form
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    sender = (form.get("From") or "").strip()
    body = form.get("Body")
    if not sid or len(sid) > 64 or not sender or body is None:
        abort(400, description="MessageSid, From and Body are required")
    now = datetime.now(timezone.utc)
    msg = intake.IncomingMessage(
        channel="sms",
        provider_id=sid,
        sender=sender,
        recipient=form.get("To"),
        body=body[: BODY_LIMIT * 2],
        # Every parameter Twilio sent, as sent: Twilio adds fields without notice.
        payload={key: form.getlist(key) if len(form.getlist(key)) > 1 else form[key] for key in form},
        received_at=now,
    )
    opt_out_type = form.get("OptOutType")

    def work(session):
        outcome = receive_sms(session, msg, rt.sms_context(session), now, opt_out_type=opt_out_type)
        return outcome, outbox.take_queued_ids(session)

    outcome, queued = rt.database.transaction(work)
    # After the commit: the rows are durable before any job can look for them. If Redis is down,
    # the reconcilers enqueue them later.
    if outcome.needs_intake:
        jobs.request_intake(rt.redis)
    jobs.enqueue_notify_many(rt.redis, queued)
    return twiml(outcome.reply)
