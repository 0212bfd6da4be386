"""How the console shows numbers, times and durations: masking, the bureau's local time, time left."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers

from gateway.web.console.i18n import translate


def mask_number(number: str | None) -> str:
    """+86 138****1234: enough to tell two citizens apart in a list, not enough to call them."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and parsed.country_code:
        national = str(parsed.national_number)
        if len(national) >= 8:
            return f"+{parsed.country_code} {national[:3]}****{national[-4:]}"
        return f"+{parsed.country_code} " + "*" * max(len(national) - 2, 1) + national[-2:]
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) >= 8:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * len(digits)


def full_number(number: str | None) -> str:
    """The whole number, grouped for reading aloud on the phone (+86 138 0715 1234)."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class Clock:
    """Times in the bureau's zone, in the page's language."""

    def __init__(self, timezone: str, language: str, now: datetime) -> None:
        self.tz = ZoneInfo(timezone)
        self.language = language
        self.now = now

    def local(self, value: datetime | None, with_year: bool = False) -> str:
        if value is None:
            return "—"
        local = value.astimezone(self.tz)
        return local.strftime("%Y-%m-%d %H:%M" if with_year else "%m-%d %H:%M")

    def iso(self, value: datetime | None) -> str:
        return value.astimezone(self.tz).isoformat() if value else ""

    def duration(self, delta: timedelta) -> str:
        minutes = int(abs(delta.total_seconds()) // 60)
        days, rest = divmod(minutes, 24 * 60)
        hours, mins = divmod(rest, 60)
        parts = []
        if days:
            parts.append(translate("days", self.language, n=days))
        if hours and len(parts) < 2:
            parts.append(translate("hours", self.language, n=hours))
        if not days and (mins or not parts):
            parts.append(translate("minutes", self.language, n=mins))
        return " ".join(parts) if self.language == "en" else "".join(parts)

    def left(self, due: datetime | None) -> str:
        """'还剩 2小时15分' or '超时 1天3小时'."""
        if due is None:
            return "—"
        delta = due - self.now
        key = "left" if delta.total_seconds() > 0 else "late_by"
        return translate(key, self.language, d=self.duration(delta))
