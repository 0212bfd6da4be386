"""The public online complaint page (网上投诉), in Chinese and English.

    GET  /complaint[?lang=en]   the form, and a look-up by case number + last four digits
    POST /complaint             a new case through intake.accept (channel "web"), number shown
    POST /complaint/lookup      the status of one case; the same answer for "no such case" and
                                "wrong digits", so that the page never confirms another person's case

CSRF: a random token in the signed session cookie must come back in the form. Floods: fixed-window
limits per client address and per mobile number (submissions), per address and per case (look-ups,
so that four digits cannot be guessed). The form's own id makes a double submit the same case.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request, session
from sqlalchemy import select

from gateway import intake, jobs, open311, phones, ratelimit
from gateway.channels import Limit, channel_settings
from gateway.models import Case
from gateway.web import runtime

bp = Blueprint("complaint_page", __name__, template_folder="templates")

TEXTS = {
    "zh": {
        "title": "网上投诉",
        "bureau": "咸宁市公安局 12389 投诉平台",
        "emergency": "紧急警情请立即拨打 110，不要在网上留言。",
        "text": "投诉内容",
        "mobile": "手机号码",
        "place": "发生地点（选填）",
        "submit": "提交",
        "lookup": "查询案件",
        "number": "案件号",
        "last4": "手机号后四位",
        "search": "查询",
        "accepted": "已受理。您的案件号是",
        "keep": "请记下案件号，凭案件号和手机号后四位可查询办理进度。我们将在{days}个工作日内答复。",
        "status": "办理状态",
        "created": "受理时间",
        "unit": "承办单位",
        "due": "答复期限",
        "pending": "分派中",
        "not_found": "没有找到与案件号和手机号后四位相符的案件。",
        "other_language": "English",
        "errors": {
            "csrf": "页面已过期，请重新提交。",
            "text": "请填写投诉内容。",
            "text_long": "投诉内容最多{limit}字。",
            "mobile": "请填写有效的手机号码。",
            "place_long": "地点最多{limit}字。",
            "rate": "提交过于频繁，请稍后再试。",
            "lookup": "请填写案件号和手机号后四位。",
        },
    },
    "en": {
        "title": "File a complaint online",
        "bureau": "Xianning Public Security Bureau, 12389 complaints",
        "emergency": "In an emergency call 110 now; do not use this page.",
        "text": "Your complaint",
        "mobile": "Mobile number",
        "place": "Where it happened (optional)",
        "submit": "Submit",
        "lookup": "Look up a case",
        "number": "Case number",
        "last4": "Last four digits of your mobile",
        "search": "Look up",
        "accepted": "Received. Your case number is",
        "keep": "Keep this number: with it and the last four digits of your mobile you can follow the case. "
        "We will reply within {days} working days.",
        "status": "Status",
        "created": "Received",
        "unit": "Handled by",
        "due": "Reply due",
        "pending": "being assigned",
        "not_found": "No case matches this case number and these four digits.",
        "other_language": "中文",
        "errors": {
            "csrf": "This page has expired; please submit again.",
            "text": "Please describe your complaint.",
            "text_long": "At most {limit} characters, please.",
            "mobile": "Please give a valid mobile number.",
            "place_long": "At most {limit} characters for the place.",
            "rate": "Too many submissions; please try again later.",
            "lookup": "Please give the case number and four digits.",
        },
    },
}


def _lang() -> str:
    lang = request.values.get("lang", "zh")
    return lang if lang in TEXTS else "zh"


def _csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _csrf_ok() -> bool:
    expected = session.get("csrf")
    given = request.form.get("csrf", "")
    return bool(expected) and hmac.compare_digest(expected, given)


def _page(status: int = 200, **context):
    lang = context.pop("lang", None) or _lang()
    context.setdefault("errors", [])
    context.setdefault("values", {})
    html = render_template(
        "public/complaint.html",
        t=TEXTS[lang],
        lang=lang,
        csrf=_csrf_token(),
        form_id=uuid.uuid4().hex,
        settings=channel_settings(runtime().settings.config_dir).web,
        **context,
    )
    return html, status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


def _limited(name: str, limit: Limit) -> bool:
    return not ratelimit.hit(runtime().redis, name, limit).allowed


@bp.get("/complaint")
def form():
    return _page()


@bp.post("/complaint")
def submit():
    rt = runtime()
    lang = _lang()
    t = TEXTS[lang]["errors"]
    web = channel_settings(rt.settings.config_dir).web
    values = {k: request.form.get(k, "") for k in ("text", "mobile", "place")}
    if not _csrf_ok():
        return _page(400, errors=[t["csrf"]], values=values)
    text = values["text"].strip()
    place = " ".join(values["place"].split())
    errors = []
    if not text:
        errors.append(t["text"])
    elif len(text) > web.max_text_chars:
        errors.append(t["text_long"].format(limit=web.max_text_chars))
    phone = phones.normalise(values["mobile"], rt.deployment.region)
    if not phone.valid or phone.type != phones.MOBILE:
        errors.append(t["mobile"])
    if len(place) > web.max_place_chars:
        errors.append(t["place_long"].format(limit=web.max_place_chars))
    if errors:
        return _page(400, errors=errors, values=values)
    address = request.remote_addr or "unknown"
    if _limited(f"web-submit:addr:{address}", web.submit_per_address) or _limited(
        f"web-submit:num:{phone.number}", web.submit_per_number
    ):
        return _page(429, errors=[t["rate"]], values=values)

    # The form's id, bound to this browser's session: a double submit is the same case, and
    # nobody can replay another person's form id to learn their case number.
    form_id = request.form.get("form_id", "")[:64] or uuid.uuid4().hex
    provider_id = "web-" + hashlib.sha256(f"{session['csrf']}:{form_id}".encode()).hexdigest()[:48]
    label = "地点" if lang == "zh" else "Place"
    body = f"{text}\n{label}：{place}" if place else text
    msg = intake.IncomingMessage(
        channel="web",
        provider_id=provider_id,
        sender=phone.number,
        body=body,
        received_at=datetime.now(UTC),
        payload={"text": text, "place": place or None, "page_language": lang},
    )
    with rt.database.session() as db:
        accepted = intake.accept(db, msg, rt.deployment)
    jobs.request_intake(rt.redis)
    return _page(
        201 if not accepted.duplicate else 200,
        lang=lang,
        accepted=accepted.case_number,
        days=rt.settings.ack_reply_within_days,
    )


@bp.post("/complaint/lookup")
def lookup():
    rt = runtime()
    lang = _lang()
    web = channel_settings(rt.settings.config_dir).web
    number = request.form.get("number", "").strip().upper()[:32]
    last4 = request.form.get("last4", "").strip()
    if not _csrf_ok():
        return _page(400, errors=[TEXTS[lang]["errors"]["csrf"]])
    if not number or len(last4) != 4 or not last4.isdigit():
        return _page(400, errors=[TEXTS[lang]["errors"]["lookup"]])
    if _limited(f"web-lookup:addr:{request.remote_addr or 'unknown'}", web.lookup_per_address) or _limited(
        f"web-lookup:case:{number}", web.lookup_per_case
    ):
        return _page(429, errors=[TEXTS[lang]["errors"]["rate"]])
    with rt.database.session() as db:
        case = db.scalars(select(Case).where(Case.number == number)).one_or_none()
        if case is None or not hmac.compare_digest(case.citizen_number[-4:], last4):
            return _page(404, errors=[TEXTS[lang]["not_found"]])
        found = _public_view(case, lang)
    return _page(200, found=found)


def _public_view(case: Case, lang: str) -> dict:
    """What the citizen sees: status and dates, never the text or number (they are on a shared screen)."""
    rt = runtime()
    tz = ZoneInfo(rt.units.bureau.timezone)
    unit = rt.units.get(case.unit) if case.unit else None
    notes = open311.STATUS_NOTES.get(case.status, ("", ""))
    return {
        "number": case.number,
        "status": notes[1] if lang == "en" else notes[0],
        "created": case.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "unit": unit.name(lang) if unit else TEXTS[lang]["pending"],
        "due": case.reply_due.astimezone(tz).strftime("%Y-%m-%d %H:%M") if case.reply_due else None,
    }
