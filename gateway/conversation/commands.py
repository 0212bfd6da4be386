"""Recognising the keyword commands a citizen can text: status, opt-out/in, help, ratings.

A command is the whole body (after trimming and width folding): "我要退订这个服务" is a message,
"退订" is a command. That keeps a complaint that mentions a keyword from being swallowed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

STATUS = "status"
STOP = "stop"
START = "start"
HELP = "help"
RATING = "rating"

STOP_WORDS = frozenset({"STOP", "退订", "TD", "UNSUBSCRIBE"})
START_WORDS = frozenset({"START", "恢复", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "帮助"})

# Satisfaction answers: the number stored on the case, and the words as the citizen wrote them.
RATING_WORDS = {"满意": 5, "基本满意": 4, "不满意": 1}

_STATUS = re.compile(r"^(?:查询|STATUS)\s*[:：]?\s*([A-Z]{1,8}-\d{8}-\d{1,6})?$")
_TRAILING = "。.!！?？ \t\r\n"
# Twilio's OptOutType (Messaging Services with Advanced Opt-Out) names the command for us.
_OPT_OUT_TYPES = {"STOP": STOP, "START": START, "HELP": HELP}


@dataclass(frozen=True)
class Command:
    kind: str
    case_number: str | None = None
    rating: int | None = None
    rating_text: str | None = None


def normalise(text: str) -> str:
    # NFKC folds full-width letters and digits (ＳＴＯＰ, １) that Chinese keyboards produce.
    return unicodedata.normalize("NFKC", text or "").strip().strip(_TRAILING).upper()


def parse(text: str, opt_out_type: str | None = None) -> Command | None:
    if opt_out_type and opt_out_type.strip().upper() in _OPT_OUT_TYPES:
        return Command(_OPT_OUT_TYPES[opt_out_type.strip().upper()])
    body = normalise(text)
    if body in STOP_WORDS:
        return Command(STOP)
    if body in START_WORDS:
        return Command(START)
    if body in HELP_WORDS:
        return Command(HELP)
    match = _STATUS.match(body)
    if match:
        return Command(STATUS, case_number=match.group(1))
    if len(body) == 1 and body in "12345":
        return Command(RATING, rating=int(body), rating_text=body)
    if body in RATING_WORDS:
        return Command(RATING, rating=RATING_WORDS[body], rating_text=body)
    return None
