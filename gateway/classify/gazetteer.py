"""Where a message happened: the county whose names weigh most in the caller's words.

Towns, landmarks and pinyin forms come from config/classifier/gazetteer.toml. A place merely inside a
longer place name ("温泉" in "浪口温泉") does not count. With no county named, a place of the city as a
whole, a place outside Xianning, or nothing at all gives the city jurisdiction.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.classify.knowledge import Knowledge
from gateway.classify.lexicon import Hit
from gateway.classify.reading import Reading

PLACE_CONCERNS = ("place", "city_place", "outside_place")


@dataclass(frozen=True)
class PlaceFinding:
    jurisdiction: str
    place: str | None  # "赤壁市 / 赵李桥镇"
    reasons: tuple[str, ...]


def outermost(hits: list[Hit]) -> list[Hit]:
    """Drop hits lying strictly inside a longer hit."""
    return [
        h
        for h in hits
        if not any(o.start <= h.start and h.end <= o.end and (o.end - o.start) > (h.end - h.start) for o in hits)
    ]


def find_place(reading: Reading, knowledge: Knowledge) -> PlaceFinding:
    hits = outermost([h for h in reading.hits if h.entry.concern in PLACE_CONCERNS])
    county = [h for h in hits if h.entry.concern == "place"]
    hint = ("sender: Xianning landline (this city, county from the text)",) if reading.city_landline else ()
    if county:
        scores: dict[str, float] = {}
        first: dict[str, int] = {}
        seen: set[tuple[str, str]] = set()
        for h in county:
            j = h.entry.label
            first.setdefault(j, h.start)
            if (j, h.entry.term) not in seen:  # a place repeated is not more evidence
                seen.add((j, h.entry.term))
                scores[j] = scores.get(j, 0.0) + h.entry.weight
        best = max(scores, key=lambda j: (scores[j], -first[j]))
        towns = [h.entry.extra for h in county if h.entry.label == best and h.entry.extra]
        name = knowledge.county_names.get(best, best)
        place = f"{name} / {towns[0]}" if towns else name
        named = sorted({h.entry.term for h in county if h.entry.label == best})
        reasons = (f"place: {'、'.join(named)} -> {best}",)
        if len(scores) > 1:
            others = ", ".join(f"{j}={s:g}" for j, s in scores.items() if j != best)
            reasons += (f"place: also named {others}; {best} weighs most",)
        return PlaceFinding(best, place, reasons + hint)
    city = [h for h in hits if h.entry.concern == "city_place"]
    district = [h for h in city if h.entry.extra]  # 高新区: a district of the city bureau's own
    if district:
        place = f"{knowledge.city_name} / {district[0].entry.extra}"
        return PlaceFinding(
            knowledge.city_jurisdiction, place, (f"place: {district[0].entry.term} -> the city bureau",) + hint
        )
    # "在武汉被偷了 回咸宁了": the outside place is where it happened, the city name is only context
    outside = [h for h in hits if h.entry.concern == "outside_place"]
    if outside:
        return PlaceFinding(
            knowledge.city_jurisdiction,
            outside[0].entry.extra,
            (f"place: {outside[0].entry.term} is outside Xianning -> city bureau",) + hint,
        )
    if city:
        return PlaceFinding(
            knowledge.city_jurisdiction,
            knowledge.city_name,
            (f"place: {city[0].entry.term} -> the city as a whole",) + hint,
        )
    return PlaceFinding(knowledge.city_jurisdiction, None, ("place: none named -> city bureau",) + hint)
