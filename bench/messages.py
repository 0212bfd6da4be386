"""Realistic signed webhook bodies for load: citizen messages from the labelled set, unique MessageSids."""

from __future__ import annotations

import itertools
import json
import uuid
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "complaints-dev.jsonl"
FALLBACK = [
    "赤壁市赵李桥镇路口的红绿灯坏了三天了",
    "通城县隽水镇有人在小区里放鞭炮",
    "My passport renewal in Chibi is slow",
]


def texts() -> list[str]:
    if DATA.exists():
        return [json.loads(line)["text"] for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return FALLBACK


def signed_form(base_url: str, token: str, body: str, sender: str = "+8613807151234") -> tuple[dict, str]:
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+8612389",
        "Body": body,
        "NumMedia": "0",
    }
    return params, RequestValidator(token).compute_signature(base_url + "/twilio/sms", params)


def write_wrk_file(path: Path, base_url: str, token: str, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i, body in zip(range(count), itertools.cycle(texts()), strict=False):
            params, signature = signed_form(base_url, token, body, sender=f"+86138{i % 100000000:08d}")
            out.write(f"{urlencode(params)}\t{signature}\n")
