"""Which language to answer in: Chinese when the citizen wrote any Chinese, English otherwise."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def detect(text: str) -> str:
    return "zh" if _CJK.search(text or "") else "en"
