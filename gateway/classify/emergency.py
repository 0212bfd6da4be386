"""Rule 1 of the routing guide: is a danger to life or property happening now?

Any credible cue of live danger wins; what is filtered out is danger that is negated ("没有着火"), feared
or asked about ("万一着火", "请问小孩走丢了要等24小时吗"), told as past ("上个月…被打了") or over
("现在没有了"). Tense is read per cue: the nearest time word before a danger cue decides whether it is
told as past or present, so "昨天他打了我 现在又拿着刀在门口" is live and "昨晚…打架 砸东西" is not.
See config/classifier/emergency.toml for the lists.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gateway.classify.gazetteer import outermost
from gateway.classify.lexicon import Hit
from gateway.classify.reading import Reading

_NEGATOR_REACH = 3  # characters between a negator and the danger cue it cancels ("没有人打架")
_PROGRESSIVE = ("在", "正", "还在", "正在")  # "有人在撬", "正砸": the verb is happening now
SEVERE = ("danger_severe", "danger_now")
DANGER_LISTS = ("danger", "danger_action", "danger_now", "danger_severe")


@dataclass(frozen=True)
class EmergencyFinding:
    emergency: bool
    sender_in_danger: bool  # complaint (sender/family/home) rather than report (bystander)
    danger: tuple[str, ...]  # live danger cues found, for reasons and model features
    reasons: tuple[str, ...]
    severe: bool = False  # a live cue is severe by nature (knife, fire, drowning), not only urgent words
    plain: tuple[str, ...] = ()  # danger told plainly, no urgency and no past: live if no service is named
    gone: tuple[str, ...] = ()  # words saying the one who caused the danger has left ("开车走了", "drove off")


def _cues(reading: Reading, label: str) -> list[Hit]:
    """Cues of one list, less those inside a `neutral` phrase ("我家隔壁" hides "我家", "防走失" hides
    "走失", "女孩子" hides "孩子")."""
    hits = reading.of("emergency", label)
    neutral = reading.of("emergency", "neutral")
    if not neutral:
        return hits
    return [
        h
        for h in hits
        if not any(n.start <= h.start and h.end <= n.end and n.end - n.start > h.end - h.start for n in neutral)
    ]


def _urgency(reading: Reading, label: str) -> list[Hit]:
    """Urgency cues the caller says, not ones reported from someone else ("110那边说马上派人")."""
    reported = _cues(reading, "reported")
    kept = []
    for h in _cues(reading, label):
        lo, _ = reading.clause_of(h.start)
        if not any(lo <= r.start and r.end <= h.start for r in reported):
            kept.append(h)
    return kept


def _tense(h: Hit, times: list[Hit], reading: Reading, switches: list[Hit] = ()) -> str | None:
    """'past', 'present' or None (no time word) for the danger cue `h`."""
    # the caller broke off to tell what is happening ("…每天晚上都吵 诶？那边打起来了"): time words told
    # before the break are about the other matter
    since = max((w.end for w in switches if w.end <= h.start), default=0)
    # a time word inside the cue is part of its meaning ("到现在没回来": still missing), not its tense
    times = sorted(
        (t for t in times if t.start >= since and not (h.start <= t.start and t.end <= h.end)), key=lambda t: t.start
    )
    text = reading.caller
    before = text[max(0, h.start - 2) : h.start]
    if before.endswith(_PROGRESSIVE):
        return "present"
    lo, hi = reading.clause_of(h.start)
    # a present word later in the same clause ("上周被打的 现在还在流血") makes it live
    # unless a past word comes between ("a fight last weekend and he is now threatening to sue me")
    for t in times:
        between = (p for p in times if p.entry.label == "past" and h.start <= p.start < t.start)
        if _time(t) == "present" and h.start <= t.start < hi and not any(between):
            return "present"
    # a time word that runs into the cue ("just hit" in "just hit by a car") is told before it
    prior = [t for t in times if t.start < h.start]
    # a time word in the cue's own clause, after it, tells more than one in an earlier clause ("he just lets it
    # run around. not yet, but it chased my daughter yesterday")
    own = [t for t in times if h.start <= t.start < hi]
    if own and not any(lo <= t.start for t in prior):
        return _time(own[0])
    story = {(n.start, n.end) for n in _cues(reading, "narrative_past")}
    if prior:
        nearest = max(prior, key=lambda t: (t.end, t.end - t.start))
        if (nearest.start, nearest.end) not in story:
            return _time(nearest)
        # the past of the story leading up to the call ("the boy was screaming… they're driving off right
        # now") gives way to the next time word after the danger in its sentence, present or past
        told = [
            t
            for t in times
            if t.start > h.start and reading.one_sentence(h.start, t.start) and (t.start, t.end) not in story
        ]
        if told:
            return _time(told[0])
        # or else to the time word told before the story's past ("just saw a girl pulled into a van, she was
        # screaming")
        earlier = [t for t in prior if (t.start, t.end) not in story]
        if earlier:
            return _time(max(earlier, key=lambda t: (t.end, t.end - t.start)))
        # a story's past alone does not date the danger ("she was on the school bus… she's not on it")
        return None
    # no time word before it: the first one after it in its clause tells its tense; beyond the clause only
    # a present one does ("…smashing side windows. three cars done so far and they're still at it"), as a
    # past word there may be about something else ("沉下去了，到现在还没浮上来")
    after = [t for t in times if h.start <= t.start < hi]
    if after:
        return _time(after[0])
    later = [t for t in times if t.start >= hi and (t.start, t.end) not in story]
    return "present" if later and _time(later[0]) == "present" else None


def outside(hits: list[Hit], spans: list[tuple[int, int]]) -> list[Hit]:
    """The hits that start in none of `spans` (the agent's questions the caller denied, say)."""
    return [h for h in hits if not any(a <= h.start < b for a, b in spans)]


def denied_questions(reading: Reading) -> list[tuple[int, int]]:
    """Spans of the agent's questions that the caller's next words deny ("坐席：现在还在打吗？来电人：没有")."""
    if not reading.agent:
        return []
    denials = _cues(reading, "denial")
    text = reading.caller
    spans = []
    for a, b in reading.agent:
        start = b
        while start < len(text) and text[start] in " \n,.!:，。":
            start += 1
        if any(d.start == start for d in denials):
            spans.append((a, b))
    return spans


def _about_now(
    cues: list[Hit], present: list[Hit], times: list[Hit], reading: Reading, switches: list[Hit]
) -> list[Hit]:
    """`cues` less those told in the past of another matter while a danger is told in the present: such a
    cue holds no present word ("现在没事了" is about now), is told in the past, and the time word that makes it
    past goes back ("之前", "上个月"), not on from the danger ("后来": "刚才打架 后来自己走了" is over)."""
    if not present:
        return cues
    sequels = _cues(reading, "sequel")
    kept = []
    for c in cues:
        inside = any(c.start <= t.start and t.end <= c.end and t.entry.label != "past" for t in times)
        prior = [t for t in times if t.end <= c.start]
        nearest = max(prior, key=lambda t: (t.end, t.end - t.start)) if prior else None
        told_before = (
            not inside
            and nearest is not None
            # a sequel word at or after the time word ("半个钟头以前…后面…都跑了") goes on from the danger
            and not any(nearest.start <= q.start < c.start for q in sequels)
            and _tense(c, times, reading, switches) == "past"
        )
        if not told_before:
            kept.append(c)
    return kept


def _time(t: Hit) -> str:
    """'past' or 'present' for a time word of either list."""
    return "present" if t.entry.label == "present_grammar" else t.entry.label


def find_emergency(reading: Reading) -> EmergencyFinding:
    """Whether the caller's words tell a live emergency, and why (see emergency.toml)."""
    finding = _find(reading)
    gone = tuple(dict.fromkeys(h.entry.term for h in _cues(reading, "departed")))
    return replace(finding, gone=gone) if gone else finding


def _find(reading: Reading) -> EmergencyFinding:
    """The rules' finding on the danger cues; `find_emergency` adds what the model needs besides."""
    # the agent's "现在火还在烧吗?" is kept for its answer; answered "没有没有", it tells no danger
    denied = denied_questions(reading)
    dangers = outside([h for name in DANGER_LISTS for h in _cues(reading, name)], denied)
    if not dangers:
        return EmergencyFinding(False, False, (), ())
    negators = _cues(reading, "negators")
    hypothetical = _cues(reading, "hypothetical")
    # "五分钟之前" is a present time word although it contains the past word "之前"
    past = _cues(reading, "past")
    # "there's a fight" tells the present only when nothing in the message tells a past or a habit;
    # the past of a story leading up to the call ("I was walking the dog and there's a man…") does not count
    narrative = {(h.start, h.end) for h in _cues(reading, "narrative_past")}
    told_past = [t for t in past if (t.start, t.end) not in narrative]
    grammar = [] if told_past else _cues(reading, "present_grammar")
    # nor does the present or urgency of a denied question ("is it still going on?" "no, no…")
    times = outermost(past + outside(_cues(reading, "present"), denied) + grammar)
    switches = _cues(reading, "switch")
    live: list[Hit] = []
    dropped: list[str] = []
    negated: list[Hit] = []
    # longest first, so that the words inside a negated phrase go with it ("nothing is on fire" takes
    # "on fire" and "fire", which stand too far from "nothing" to be negated on their own)
    for h in sorted(dangers, key=lambda d: d.start - d.end):
        if any(h.start - _NEGATOR_REACH <= n.end <= h.start for n in negators) or any(
            g.start <= h.start and h.end <= g.end for g in negated
        ):
            negated.append(h)
            dropped.append(f"{h.entry.term} (negated)")
            continue
        lo, hi = reading.clause_of(h.start)
        if any(lo <= q.start < hi for q in hypothetical):
            dropped.append(f"{h.entry.term} (hypothetical)")
            continue
        tense = _tense(h, times, reading, switches)
        if tense == "past" and h.entry.label != "danger_now":  # "还在烧" carries its own present
            dropped.append(f"{h.entry.term} (past)")
            continue
        live.append(h)
    terms = tuple(dict.fromkeys(h.entry.term for h in live))
    reasons: list[str] = [f"danger dismissed: {d}" for d in dict.fromkeys(dropped)]
    first_person = bool(_cues(reading, "first_person"))
    if not live:
        return EmergencyFinding(False, first_person, (), tuple(reasons))

    severe = [h for h in live if h.entry.label in SEVERE]
    strong = outside(_urgency(reading, "urgent_strong"), denied) + [h for h in live if h.entry.label == "danger_now"]
    weak = outside(_urgency(reading, "urgent"), denied)
    present = [h for h in live if _tense(h, times, reading, switches) == "present"]
    # what ended or explains another matter told before ("之前调解过", "我弟之前报过诈骗的案") does not end a
    # danger told in the present
    # an `over` word inside a danger cue is part of it ("走散了" holds "散了")
    ended = [o for o in _cues(reading, "over") if not any(d.start <= o.start and o.end <= d.end for d in dangers)]
    over = _about_now(ended, present, times, reading, switches)
    if over:
        last = max(o.end for o in over)
        if not any(s.start >= last for s in strong):
            reasons.append(f"danger {'、'.join(terms)} is over: {over[0].entry.term}")
            return EmergencyFinding(False, first_person, terms, tuple(reasons))
    scam = _about_now(_cues(reading, "not_live"), present, times, reading, switches)
    if scam and not _urgency(reading, "urgent_strong"):
        reasons.append(f"danger {'、'.join(terms)} told in a not-live context ({scam[0].entry.term})")
        return EmergencyFinding(False, first_person, terms, tuple(reasons))
    # a time word of the past anywhere ("…是上个月的事") leaves only cues told in the present, or strong
    # urgency, to make the danger live
    since = max((w.end for w in switches if any(w.end <= d.start for d in live)), default=0)
    story = {(n.start, n.end) for n in _cues(reading, "narrative_past")}
    told = [
        t
        for t in times
        if t.entry.label == "past" and t.start >= since and not any(d.start <= t.start and t.end <= d.end for d in live)
    ]
    past_told = bool(told)
    # danger live by its nature outlasts the past of a story ("she was on the school bus… she's not on it")
    dated = any((t.start, t.end) not in story for t in told)
    why = None
    if strong:
        why = strong[0].entry.term
    elif present:
        why = f"{present[0].entry.term} (told in the present)"
    elif severe and not dated:
        why = f"{severe[0].entry.term} (live by its nature)"
    elif weak and not past_told:
        why = weak[0].entry.term
    if why is not None:
        reasons.append(f"live emergency: {'、'.join(terms)} + {why} -> command")
        return EmergencyFinding(True, first_person, terms, tuple(reasons), severe=bool(severe or strong))
    reasons.append(f"danger {'、'.join(terms)} without urgency: not an emergency")
    # danger told plainly, with nothing that says it is past: live unless the message is about a service
    # (the rules decide that; see rules.apply_rules)
    plain = () if past_told else tuple(dict.fromkeys(h.entry.term for h in live if h.entry.label == "danger"))
    return EmergencyFinding(False, first_person, terms, tuple(reasons), plain=plain)
