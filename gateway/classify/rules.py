"""The routing guide as rules: cold-start classification with no trained model.

Order of the guide's rules: a live emergency goes to command (rule 1); a complaint about an officer's
conduct to inspection at the city bureau (rule 2); otherwise the service whose words weigh most
(rule 3: slowness or rules of a service stay with that service), and `general` when no service is
named (rule 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from gateway.classify.emergency import EmergencyFinding, denied_questions, find_emergency, outside
from gateway.classify.gazetteer import PlaceFinding, find_place, outermost
from gateway.classify.knowledge import KINDS, TIER_WEIGHTS, Knowledge
from gateway.classify.lexicon import Hit
from gateway.classify.reading import Reading

EMERGENCY_DEPARTMENT = "command"
INSPECTION_DEPARTMENT = "inspection"
NAMED_SERVICE = 2.0  # points that make "names a service": one medium word, or two weak ones
# Thanks name a service by its own name or by what it did (劝架: 吵架 + 邻居), not by one word of the
# story: help in the street (found luggage, a lift back to the hotel) is `general` (guide, "Kind decisions").
NAMED_SERVICE_PRAISE = 3.0
# Danger told plainly ("水塘里冲进去一辆小车，车顶快淹没了"), with no urgency and nothing that says it is
# past, is live unless the message names a service with this many points: then it is a story told to
# that service ("说是怕人偷东西" in a fire-exit complaint, "打架不归他们管" about the 110 line).
PLAIN_DANGER_SERVICE = 3.0
ACTOR_BEFORE, ACTOR_AFTER = 50, 15  # how far an officer word may stand from a conduct cue
PLAIN_QUESTION = 5.0  # inquiry points (without the "?") of a question that does not outweigh a long story


@dataclass(frozen=True)
class RuleResult:
    department: str
    department_scores: dict[str, float]
    department_confidence: float
    inspection: bool  # rule 2 fired
    kind: str
    kind_scores: dict[str, float]
    kind_confidence: float
    emergency: EmergencyFinding
    place: PlaceFinding
    reasons: tuple[str, ...]
    service_scores: dict[str, float] | None = None  # department points before rule 1 (no emergency boost)


def _scores(hits, labels) -> tuple[dict[str, float], dict[str, list[str]]]:
    scores = dict.fromkeys(labels, 0.0)
    terms: dict[str, list[str]] = {label: [] for label in labels}
    for h in hits:
        label = h.entry.label
        if label in scores and h.entry.term not in terms[label]:
            terms[label].append(h.entry.term)
            scores[label] += h.entry.weight
    return scores, terms


def _confidence(scores: dict[str, float]) -> float:
    """Share of the evidence the winner has, discounted when the evidence is thin."""
    ranked = sorted(scores.values(), reverse=True)
    top = ranked[0]
    second = ranked[1] if len(ranked) > 1 else 0.0
    if top <= 0:
        return 0.3
    return round((top - second + 1.0) / (top + 2.0) * 0.5 + top / (top + second + 1e-9) * 0.45, 4)


def _misconduct(reading: Reading) -> str | None:
    """Rule 2's evidence, as a reason; None when the message is not about an officer's conduct."""
    # the agent's "was the officer rude?", answered "no, he was OK", is no evidence
    denied = denied_questions(reading)
    strong = outside(reading.of("inspection", "strong"), denied)
    if strong:
        return strong[0].entry.term
    if reading.of("inspection", "impersonation"):
        return None  # "冒充警察": the officer in the story is a fraudster
    actors = reading.of("inspection", "actors")
    for c in outside(reading.of("inspection", "conduct"), denied):
        for a in actors:
            if a.start <= c.start:
                near = _distance(reading.caller[a.start : c.start]) <= ACTOR_BEFORE
            else:
                # an officer named after the conduct must be in its clause ("态度很差的那个民警"), not the
                # next one ("他打了我两拳 派出所调解": the one who hit is not the station)
                lo, hi = reading.clause_of(c.start)
                near = a.start < hi and _distance(reading.caller[c.start : a.start]) <= ACTOR_AFTER
            if near:
                return f"{a.entry.term} + {c.entry.term}"
    return None


def _distance(between: str) -> float:
    """Length in Chinese-character equivalents: an English word carries about what two characters do."""
    latin = sum(1 for ch in between if ch.isascii() and ch.isalpha())
    cjk = sum(1 for ch in between if "\u3400" <= ch <= "\u9fff")
    return cjk + latin / 3


def _story_length(text: str) -> float:
    """Length of a story in Chinese characters, an English word counting two (kinds.toml `narrative`)."""
    words = len(re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)?", text))
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    return cjk + 2 * words


def _unshadowed(hits: list[Hit]) -> list[Hit]:
    """Cue hits not lying inside a `neutral` phrase of the same list ("投诉电话" hides "投诉")."""
    neutral = [h for h in hits if h.entry.label == "neutral"]
    return [
        h
        for h in hits
        if h.entry.label != "neutral" and not any(n.start <= h.start and h.end <= n.end for n in neutral)
    ]


def kind_scores(reading: Reading, knowledge: Knowledge) -> tuple[dict[str, float], dict[str, list[str]], list[Hit]]:
    # a phrase that only contains a cue ("投诉电话", a `neutral` entry) hides it; the agent's kept
    # questions ("坐席：哪个小区？") are not the caller asking
    hits = _unshadowed(reading.by_caller(reading.of("kind")))
    # one phrase is one cue: "我想问一下" counts once, not as 我想问 + 想问一下 + 问一下
    hits = [h for label in KINDS for h in outermost([x for x in hits if x.entry.label == label])]
    if not reading.caller_asks():
        # "when I said…", "what went wrong": English question words ask nothing without a question mark
        hits = [
            h
            for h in hits
            if not (h.entry.label == "inquiry" and h.entry.weight < TIER_WEIGHTS["medium"] and h.entry.term.isascii())
        ]
    scores, terms = _scores(hits, KINDS)
    if reading.caller_asks():
        scores["inquiry"] += knowledge.question_mark
    scores["complaint"] += knowledge.complaint_bonus
    return scores, terms, hits


def _strong(hits: list[Hit], label: str) -> bool:
    return any(h.entry.label == label and h.entry.weight >= TIER_WEIGHTS["strong"] for h in hits)


def apply_rules(reading: Reading, knowledge: Knowledge) -> RuleResult:
    place = find_place(reading, knowledge)
    emergency = find_emergency(reading)
    # a word inside the name of a place of the city is the place ("路口镇" names no crossroads, "新店镇" no
    # new shop); a country named is still a hint of exit-entry ("去日本")
    places = [h for h in reading.hits if h.entry.concern == "place"]
    dep_hits = outermost(
        [h for h in reading.of("department") if not any(p.start <= h.start and h.end <= p.end for p in places)]
    )
    dep_scores, dep_terms = _scores(dep_hits, knowledge.departments)
    k_scores, k_terms, k_hits = kind_scores(reading, knowledge)
    kind = max(KINDS, key=lambda k: k_scores[k])  # ties keep the guide's order: complaint first
    if kind == "complaint" and k_scores["praise"] >= TIER_WEIGHTS["strong"] and not _strong(k_hits, "complaint"):
        # thanks told with the story of what went wrong ("表扬消防 昨天我家着火…救出了我婆婆") are praise
        # unless the message also says, in so many words, that something is wrong now (投诉, 还没)
        kind = "praise"
    asked = k_scores["inquiry"] - (knowledge.question_mark if reading.caller_asks() else 0.0)
    if kind == "inquiry" and (
        k_scores["complaint"] - knowledge.complaint_bonus >= knowledge.grievance
        or (
            asked < PLAIN_QUESTION
            and k_scores["complaint"] > knowledge.complaint_bonus
            and _story_length(reading.caller) >= knowledge.narrative
        )
    ):
        # a question asked about something that went wrong ("二十天了还没收到 能不能帮我查一下?") wants it
        # put right: a complaint (routing guide, "Kinds"); so does a long story of what happened that
        # ends in a plain "…吗?" rather than an inquiry's own words (请问, 需要什么材料)
        kind = "complaint"
    if kind == "praise":
        cue = None
    elif kind == "suggestion":
        # an idea for the station ("建议装个叫号机 老是有人插队") is not a complaint about an officer unless
        # it says so in so many words (督察, 投诉…民警)
        strong = reading.of("inspection", "strong")
        cue = strong[0].entry.term if strong else None
    else:
        cue = _misconduct(reading)
    inspection = cue is not None
    if inspection:
        dep_scores[INSPECTION_DEPARTMENT] = max(dep_scores.values()) + 4.0
    named = NAMED_SERVICE_PRAISE if kind == "praise" else NAMED_SERVICE
    if kind in ("praise", "suggestion", "inquiry") and max(dep_scores.values()) < named:
        # rule 4: praise, suggestions and questions go to general unless they name a service
        dep_scores = dict.fromkeys(dep_scores, 0.0)

    service_scores = dict(dep_scores)
    if (
        not emergency.emergency
        and emergency.plain
        and not inspection
        and kind not in ("praise", "suggestion", "inquiry")
        and max(dep_scores.values()) < PLAIN_DANGER_SERVICE
    ):
        # its last reason said "without urgency: not an emergency"
        why = f"live emergency: {'、'.join(emergency.plain)} told plainly, no past and no service named -> command"
        emergency = replace(emergency, emergency=True, reasons=(*emergency.reasons[:-1], why))
    reasons: list[str] = list(emergency.reasons)
    if emergency.emergency:
        department = EMERGENCY_DEPARTMENT
        dep_conf = 0.95
        kind = "complaint" if emergency.sender_in_danger else "report"
        reasons.append(f"kind: live emergency, {'sender in danger' if kind == 'complaint' else 'bystander'}")
        dep_scores[EMERGENCY_DEPARTMENT] = max(dep_scores.values()) + 6.0
    elif inspection:
        department = INSPECTION_DEPARTMENT
        dep_conf = 0.8
        reasons.append(f"officer conduct: {cue} -> inspection (city bureau)")
        if kind not in ("report", "inquiry", "suggestion"):
            kind = "complaint"
    elif max(dep_scores.values()) <= 0:
        department = knowledge.fallback_department
        dep_conf = 0.45 if kind in ("praise", "suggestion", "inquiry") else 0.35
        reasons.append(f"no service named -> {department}")
    else:
        department = max(knowledge.departments, key=lambda d: dep_scores[d])
        dep_conf = _confidence(dep_scores)
        reasons.append(f"department words: {'、'.join(dep_terms[department][:6])} -> {department}")
        runner = sorted(dep_scores.items(), key=lambda kv: -kv[1])[1]
        if runner[1] > 0:
            reasons.append(f"runner-up {runner[0]} ({runner[1]:g} vs {dep_scores[department]:g})")

    if (
        not emergency.emergency
        and kind == "report"
        and department in knowledge.victim_departments
        and not _strong(k_hits, "report")
    ):
        # a theft, a fraud, a paper the sender applied for: the sender is the one wronged, so a complaint,
        # unless they say in so many words that they report someone (举报)
        kind = "complaint"
        reasons.append(f"kind: {department} matters are told by the one wronged -> complaint")
    elif not emergency.emergency:
        if k_terms[kind]:
            reasons.append(f"kind words: {'、'.join(k_terms[kind][:4])} -> {kind}")
        else:
            reasons.append(f"kind: {kind} (default)")
    return RuleResult(
        department=department,
        department_scores=dep_scores,
        department_confidence=dep_conf,
        inspection=inspection,
        kind=kind,
        kind_scores=k_scores,
        kind_confidence=_confidence(k_scores),
        emergency=emergency,
        place=place,
        reasons=tuple(reasons) + place.reasons,
        service_scores=service_scores,
    )
