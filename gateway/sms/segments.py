"""How many SMS segments a body costs, and the hard 1,600-character cap.

Twilio bills and the handset reassembles per segment. A single Chinese character switches the
whole message to UCS-2, which cuts a segment from 160 to 70 characters, so the count must be
computed on the final text, not guessed from its length.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BODY_CHARS = 1600  # Twilio rejects longer bodies (error 21617)

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 default alphabet (one septet each).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs an escape plus the character (two septets).
_GSM_EXTENDED = set("^{}\\[~]|€\f")

_LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SegmentCount:
    encoding: str
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def encoding_of(text: str) -> str:
    return GSM7 if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text) else UCS2


def _units(text: str, encoding: str) -> int:
    if encoding == GSM7:
        return sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
    # Characters outside the BMP (emoji) take a surrogate pair: two UCS-2 units.
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def count(text: str) -> SegmentCount:
    encoding = encoding_of(text)
    units = _units(text, encoding)
    single, part = _LIMITS[encoding]
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:
        segments = -(-units // part)  # ceiling division
    return SegmentCount(encoding, units, segments)


def segments(text: str) -> int:
    return count(text).segments


def cap(text: str, limit: int = MAX_BODY_CHARS) -> str:
    """Cut a body to Twilio's limit, marking the cut so the reader knows text is missing."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
