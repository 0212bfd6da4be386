"""Canned replies for the reply form's template picker: a start the dispatcher edits, in zh and en.

The bureau's prefix and the case number are added by the reply template of
`config/templates/citizen.toml`; these are only the unit's own words.
"""

from __future__ import annotations

REPLY_TEMPLATES: tuple[tuple[str, str, str], ...] = (
    # (key, zh, en)
    (
        "received",
        "您反映的问题已收到，我单位已安排民警核实处理，处理结果将及时告知您。",
        "We have your report and an officer is looking into it. We will tell you the outcome.",
    ),
    (
        "dispatched",
        "已派民警到现场处置，请保持电话畅通，民警可能与您联系。",
        "Officers have been sent to the scene. Please keep your phone on; they may call you.",
    ),
    (
        "need_info",
        "为便于核查，请补充具体地点、时间及相关情况，直接回复本短信即可。",
        "To look into this we need the exact place, time and details. Just reply to this message.",
    ),
    (
        "office",
        "此事项需本人携带身份证件到就近派出所户政窗口办理，工作日9:00-17:00。",
        "Please bring your ID card to the nearest police station's household desk, working days 9:00-17:00.",
    ),
    (
        "resolved",
        "经核查，您反映的问题已处理完毕。感谢您对公安工作的支持。",
        "We have checked and the matter is resolved. Thank you for your support.",
    ),
)


def templates_for(language: str) -> list[tuple[str, str]]:
    """(key, text) pairs in the case's language (the citizen's, not the dispatcher's)."""
    return [(key, en if language == "en" else zh) for key, zh, en in REPLY_TEMPLATES]
