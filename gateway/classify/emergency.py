"""Rule 1 of the routing guide: is a danger to life or property happening now?

A danger word alone is not enough: "上个月被打了" is a past event, "没有着火" a negation, "万一着火"
a fear, "现在没有" says the danger is over. See config/classifier/emergency.toml for the lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.classify.lexicon import Hit
from gateway.classify.reading import Reading

_NEGATOR_REACH = 3  # characters between a negator and the danger cue it cancels ("没有人打架")


@dataclass(frozen=True)
class EmergencyFinding:
    emergency: bool
    sender_in_danger: bool  # complaint (sender/family/home) rather than report (bystander)
    danger: tuple[str, ...]  # live danger cues found, for reasons and model features
    reasons: tuple[str, ...]


def _cues(reading: Reading, label: str) -> list[Hit]:
    return reading.of("emergency", label)


def find_emergency(reading: Reading) -> EmergencyFinding:
    dangers = _cues(reading, "danger") + _cues(reading, "danger_now")
    if not dangers:
        return EmergencyFinding(False, False, (), ())
    negators = _cues(reading, "negators")
    hypothetical = _cues(reading, "hypothetical")
    live: list[Hit] = []
    dropped: list[str] = []
    for h in dangers:
        if any(h.start - _NEGATOR_REACH <= n.end <= h.start for n in negators):
            dropped.append(f"{h.entry.term} (negated)")
            continue
        lo, hi = reading.clause_of(h.start)
        if any(lo <= q.start < hi for q in hypothetical):
            dropped.append(f"{h.entry.term} (hypothetical)")
            continue
        live.append(h)
    terms = tuple(dict.fromkeys(h.entry.term for h in live))
    reasons: list[str] = [f"danger dismissed: {d}" for d in dict.fromkeys(dropped)]
    if not live:
        return EmergencyFinding(False, False, (), tuple(reasons))

    over = _cues(reading, "over")
    past = _cues(reading, "past")
    strong = _cues(reading, "urgent_strong") + [h for h in live if h.entry.label == "danger_now"]
    weak = _cues(reading, "urgent")
    first_person = bool(_cues(reading, "first_person"))
    if over:
        reasons.append(f"danger {'、'.join(terms)} is over: {over[0].entry.term}")
        return EmergencyFinding(False, first_person, terms, tuple(reasons))
    if strong:
        reasons.append(f"live emergency: {'、'.join(terms)} + {strong[0].entry.term} -> command")
        return EmergencyFinding(True, first_person, terms, tuple(reasons))
    if weak and not past:
        reasons.append(f"live emergency: {'、'.join(terms)} + {weak[0].entry.term} -> command")
        return EmergencyFinding(True, first_person, terms, tuple(reasons))
    if past:
        reasons.append(f"danger {'、'.join(terms)} told as past ({past[0].entry.term}): not an emergency")
    else:
        reasons.append(f"danger {'、'.join(terms)} without urgency: not an emergency")
    return EmergencyFinding(False, first_person, terms, tuple(reasons))
