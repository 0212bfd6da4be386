"""POST /twilio/sms/status: Twilio's delivery status callbacks for the messages we sent.

The URL carries our row id (`?m=<id>`, set by TwilioTransport): a callback can arrive before the
worker has stored the provider's sid. The signature covers the whole URL, query included.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request

from gateway import outbox
from gateway.web import runtime
from gateway.web.signature import require_twilio_signature

status_bp = Blueprint("twilio_status", __name__)


@status_bp.post("/twilio/sms/status")
@require_twilio_signature
def sms_status() -> Response:
    form = request.form
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip()
    if not sid or not status:
        abort(400, description="MessageSid and MessageStatus are required")
    raw_id = request.args.get("m", "")
    # Our own row id, in a URL we signed for Twilio; anything else (not ASCII digits, past a BIGINT) is
    # treated as no id, and the sid alone finds the row.
    message_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18 else None
    error_code = (form.get("ErrorCode") or "").strip() or None
    now = datetime.now(UTC)
    # transaction(): a connection the database dropped is replaced and the update run again, since
    # Twilio does not send a failed status callback twice.
    runtime().database.transaction(
        lambda session: outbox.record_status(
            session, provider_status=status, now=now, message_id=message_id, sid=sid, error_code=error_code
        )
    )
    # 204 also for a message we do not know: a retry from Twilio would not make it ours.
    return Response(status=204)
