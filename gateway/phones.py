"""Citizens' numbers: normalised to E.164 with phonenumbers, with the line type kept.

The type matters downstream: a fixed line gets a call-back task instead of an SMS.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

MOBILE = "mobile"
FIXED_LINE = "fixed_line"
UNKNOWN = "unknown"

_TYPES = {
    PhoneNumberType.MOBILE: MOBILE,
    PhoneNumberType.FIXED_LINE: FIXED_LINE,
    # China's numbering plan makes most 1xx numbers mobile; ambiguous plans answer both.
    PhoneNumberType.FIXED_LINE_OR_MOBILE: MOBILE,
}


@dataclass(frozen=True)
class Phone:
    number: str  # E.164 when it parses, the cleaned input otherwise
    type: str  # mobile | fixed_line | unknown
    valid: bool

    @property
    def masked(self) -> str:
        """+86 138****1234: enough to recognise a number, not enough to misuse it."""
        n = self.number
        if len(n) < 8:
            return "*" * len(n)
        return f"{n[:-8]}****{n[-4:]}" if n.startswith("+") else f"{n[:3]}****{n[-4:]}"


def normalise(raw: str, region: str = "CN") -> Phone:
    cleaned = "".join(ch for ch in (raw or "") if ch.isdigit() or ch == "+")[:40]
    try:
        parsed = phonenumbers.parse(raw or "", region)
    except phonenumbers.NumberParseException:
        return Phone(cleaned or "unknown", UNKNOWN, False)
    if not phonenumbers.is_valid_number(parsed):
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        return Phone(e164 if len(e164) <= 40 else cleaned, UNKNOWN, False)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164, _TYPES.get(phonenumbers.number_type(parsed), UNKNOWN), True)


def mask(number: str) -> str:
    return Phone(number, UNKNOWN, False).masked
