"""The hotline's Twilio Voice webhooks: greeting, speech, recording fallback, transcription.

    POST /twilio/voice                    call answered: Chinese greeting (English on a key), then speech
    POST /twilio/voice/language           the key pressed during the greeting
    POST /twilio/voice/speech?lang=       Gather result (SpeechResult, Confidence) -> case, number read out
    POST /twilio/voice/recording?lang=    Record action (nothing recognised) -> case, number read out
    POST /twilio/voice/recording-status   the recording is final (also when the caller hung up)
    POST /twilio/voice/transcription      Twilio's (English-only) transcription joins the case

Every callback is signed by Twilio and idempotent on CallSid, because Twilio retries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, request
from twilio.twiml.voice_response import VoiceResponse

from gateway import jobs, phones, voice
from gateway.channels import VoiceSettings, channel_settings
from gateway.templates_text import render
from gateway.web import runtime
from gateway.web.signature import require_twilio_signature

bp = Blueprint("twilio_voice", __name__)

LANGUAGES = ("zh", "en")
SPEECH_LIMIT = 4000  # a Gather result is a few sentences; anything longer is not Twilio's


def _voice_settings() -> VoiceSettings:
    return channel_settings(runtime().settings.config_dir).voice


def _lang() -> str:
    lang = request.args.get("lang", "zh")
    return lang if lang in LANGUAGES else "zh"


def _url(path: str, **query: str) -> str:
    # Absolute, from the public base URL: Twilio signs what it calls, and that is the public URL.
    base = runtime().settings.public_base_url.rstrip("/")
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def _say(node, template: str, lang: str, **values) -> None:
    v = _voice_settings()
    voice_name, language = v.say(lang)
    node.say(
        render(runtime().settings.config_dir, "voice", template, lang, **values), voice=voice_name, language=language
    )


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="application/xml")


def _call_sid() -> str:
    sid = (request.form.get("CallSid") or "").strip()
    if not sid or len(sid) > 48 or not sid.isalnum():
        abort(400, description="CallSid is required")
    return sid


def _payload() -> dict:
    form = request.form
    # Every parameter Twilio sent, as sent: Twilio adds fields without notice.
    return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form[key] for key in form}


def _speech_and_fallback(response: VoiceResponse, lang: str, caller: str) -> None:
    """Take the complaint as speech; when nothing is recognised Twilio falls through to <Record>."""
    v = _voice_settings()
    gather = response.gather(
        input="speech",
        language=v.speech_language(lang),
        speech_model=v.speech_model,
        speech_timeout=v.speech_timeout,
        timeout=v.gather_timeout,
        action=_url("/twilio/voice/speech", lang=lang),
        method="POST",
    )
    _say(gather, "prompt", lang)
    _record(response, lang, caller)


def _record(response: VoiceResponse, lang: str, caller: str) -> None:
    v = _voice_settings()
    _say(response, "no_speech", lang)
    options = {}
    if lang == "en":
        # Twilio transcribes English recordings only; Chinese ones are heard by a dispatcher.
        options = {"transcribe": True, "transcribe_callback": _url("/twilio/voice/transcription", lang=lang)}
    response.record(
        max_length=v.record_max_length,
        finish_on_key="#",
        play_beep=True,
        action=_url("/twilio/voice/recording", lang=lang),
        method="POST",
        # The status callback does not carry From; the caller rides in the (signed) URL so that a
        # recording whose caller hung up before the action request still reaches a case.
        recording_status_callback=_url("/twilio/voice/recording-status", lang=lang, caller=caller),
        recording_status_callback_event="completed",
        **options,
    )
    _say(response, "no_recording", lang)
    response.hangup()


def _accepted(result: voice.CallResult, lang: str) -> Response:
    response = VoiceResponse()
    _say(
        response,
        "accepted",
        lang,
        spoken=voice.spoken_number(result.accepted.case_number),
        days=runtime().settings.ack_reply_within_days,
    )
    if result.texted:
        _say(response, "sms_note", lang)
    elif result.caller_type == phones.FIXED_LINE:
        _say(response, "callback_note", lang)
    _say(response, "goodbye", lang)
    response.hangup()
    return _twiml(response)


def _take_call(text: str, lang: str, caller: str, recording: voice.Recording | None = None) -> voice.CallResult:
    rt = runtime()
    call_sid, called, payload, now = (
        _call_sid(),
        request.form.get("To"),
        {**_payload(), "prompt_language": lang},
        datetime.now(UTC),
    )
    # transaction(): run again on a fresh connection if the database dropped ours, rather than
    # make a caller hear Twilio's "application error".
    result = rt.database.transaction(
        lambda session: voice.take_call(
            session,
            call_sid=call_sid,
            caller=caller,
            called=called,
            text=text,
            language=lang,
            payload=payload,
            deployment=rt.deployment,
            config_dir=rt.settings.config_dir,
            reply_days=rt.settings.ack_reply_within_days,
            now=now,
            recording=recording,
        )
    )
    # After the commit; a lost enqueue is found again by the reconcilers (intake and outbox).
    jobs.request_intake(rt.redis)
    jobs.enqueue_notify_many(rt.redis, result.outbox_ids)
    return result


def _recording(form) -> voice.Recording | None:
    sid = (form.get("RecordingSid") or "").strip()
    url = (form.get("RecordingUrl") or "").strip()
    duration = (form.get("RecordingDuration") or "").strip()
    if not sid or not url.startswith("https://") or len(url) > 500:
        return None
    seconds = int(duration) if duration.isascii() and duration.isdigit() and len(duration) <= 6 else 0
    # Twilio sends an empty or zero-length recording when the caller said nothing.
    return voice.Recording(sid=sid[:64], url=url, duration=seconds) if seconds > 0 else None


@bp.post("/twilio/voice")
@require_twilio_signature
def answer() -> Response:
    _call_sid()
    v = _voice_settings()
    caller = (request.form.get("From") or "").strip()
    response = VoiceResponse()
    # A short key-press window over the greeting; with no key the call goes on in Chinese.
    choose = response.gather(
        input="dtmf", num_digits=1, timeout=2, action=_url("/twilio/voice/language"), method="POST"
    )
    _say(choose, "greeting", "zh")
    _say(choose, "english_hint", "en", digit=v.english_key)
    _speech_and_fallback(response, "zh", caller)
    return _twiml(response)


@bp.post("/twilio/voice/language")
@require_twilio_signature
def language() -> Response:
    _call_sid()
    lang = "en" if (request.form.get("Digits") or "").strip() == _voice_settings().english_key else "zh"
    response = VoiceResponse()
    if lang == "en":
        _say(response, "greeting", "en")
    _speech_and_fallback(response, lang, (request.form.get("From") or "").strip())
    return _twiml(response)


@bp.post("/twilio/voice/speech")
@require_twilio_signature
def speech() -> Response:
    _call_sid()
    lang = _lang()
    caller = (request.form.get("From") or "").strip()
    text = " ".join((request.form.get("SpeechResult") or "").split())[:SPEECH_LIMIT]
    if not text:
        response = VoiceResponse()
        _record(response, lang, caller)
        return _twiml(response)
    return _accepted(_take_call(text, lang, caller), lang)


@bp.post("/twilio/voice/recording")
@require_twilio_signature
def recording() -> Response:
    _call_sid()
    lang = _lang()
    rec = _recording(request.form)
    if rec is None:
        response = VoiceResponse()
        _say(response, "no_recording", lang)
        response.hangup()
        return _twiml(response)
    caller = (request.form.get("From") or "").strip()
    return _accepted(_take_call(_recording_text(rec, lang), lang, caller, rec), lang)


@bp.post("/twilio/voice/recording-status")
@require_twilio_signature
def recording_status() -> Response:
    _call_sid()
    rec = _recording(request.form)
    if (request.form.get("RecordingStatus") or "completed") == "completed" and rec is not None:
        lang = _lang()
        caller = (request.form.get("From") or request.args.get("caller") or "").strip()
        _take_call(_recording_text(rec, lang), lang, caller, rec)
    return Response(status=204)


@bp.post("/twilio/voice/transcription")
@require_twilio_signature
def transcription() -> Response:
    sid = _call_sid()
    text = " ".join((request.form.get("TranscriptionText") or "").split())[:SPEECH_LIMIT]
    if (request.form.get("TranscriptionStatus") or "") != "completed" or not text:
        return Response(status=204)  # the recording on the case stays what the dispatcher hears
    rt = runtime()
    payload, now = _payload(), datetime.now(UTC)
    accepted = rt.database.transaction(
        lambda session: voice.add_transcription(
            session, call_sid=sid, text=text, payload=payload, deployment=rt.deployment, now=now
        )
    )
    if accepted is None:
        # The recording's own callbacks never reached us: the transcription starts the case.
        rec = _recording(request.form)
        result = _take_call(text, _lang(), (request.form.get("From") or "").strip(), rec)
        accepted = result.accepted
    jobs.request_intake(rt.redis)
    return Response(status=204)


def _recording_text(rec: voice.Recording, lang: str) -> str:
    return render(runtime().settings.config_dir, "voice", "recording_body", lang, seconds=rec.duration, url=rec.url)
