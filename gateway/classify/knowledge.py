"""The classifier's knowledge, read from config/classifier/*.toml and compiled once per config state.

Compiling the cue trie costs a few milliseconds; it is cached by the directory and the files'
modification times, so a bureau that edits a word list gets it on the next load without a restart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gateway.classify.lexicon import Entry, Lexicon
from gateway.classify.text import TextSettings
from gateway.config import read_toml
from gateway.units import Units, load_units

FILES = ("classifier.toml", "text.toml", "gazetteer.toml", "departments.toml", "emergency.toml", "kinds.toml")
TIER_WEIGHTS = {"strong": 3.0, "medium": 2.0, "weak": 1.0}
EMERGENCY_LISTS = (
    "danger",
    "danger_now",
    "urgent_strong",
    "urgent",
    "past",
    "over",
    "negators",
    "hypothetical",
    "first_person",
    "danger_severe",
    "danger_action",
    "present",
    "present_grammar",
    "narrative_past",
    "sequel",
    "departed",
    "denial",
    "switch",
    "not_live",
    "neutral",
    "reported",
)
INSPECTION_LISTS = ("strong", "actors", "conduct", "impersonation")
KINDS = ("complaint", "report", "inquiry", "suggestion", "praise")


@dataclass(frozen=True)
class Knowledge:
    units: Units
    text: TextSettings
    lexicon: Lexicon
    departments: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    county_names: dict[str, str]  # jurisdiction -> "赤壁市"
    city_name: str
    review_threshold: float
    city_jurisdiction: str
    fallback_department: str
    model_weight: float
    model_emergency_threshold: float
    model_emergency_threshold_alone: float  # with no danger cue of the rules
    question_mark: float
    complaint_bonus: float
    grievance: float  # complaint points that make a question about it a complaint
    victim_departments: tuple[str, ...]  # their messages are complaints unless a strong report cue says otherwise
    narrative: float  # characters (an English word ~ 2) of a story that a plain question does not outweigh
    version: str  # "rules-<hash>": changes whenever any word list changes


def load_knowledge(config_dir: Path | str) -> Knowledge:
    config_dir = Path(config_dir)
    stamp = tuple(_mtime(config_dir / "classifier" / name) for name in FILES) + (_mtime(config_dir / "units.toml"),)
    return _load(str(config_dir.resolve()), stamp)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        raise FileNotFoundError(f"classifier config file missing: {path}") from None


@lru_cache(maxsize=8)
def _load(config_dir: str, stamp: tuple[float, ...]) -> Knowledge:
    del stamp  # part of the cache key only
    sub = Path(config_dir) / "classifier"
    raw = {name: read_toml(sub, name) for name in FILES}
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((sub / name).read_bytes())
    digest.update((Path(config_dir) / "units.toml").read_bytes())

    units = load_units(config_dir)
    text = TextSettings.from_config(raw["text.toml"])
    # Cues are folded as the text is (a cue written in Traditional script or in dialect still matches).
    lex = Lexicon(fold=text.script)
    settings = raw["classifier.toml"]
    city = settings.get("city_jurisdiction", "city")
    fallback = settings.get("fallback_department", "general")
    if city not in units.jurisdictions:
        raise ValueError(f"classifier.toml: city_jurisdiction {city!r} is not in units.toml")
    if fallback not in units.departments:
        raise ValueError(f"classifier.toml: fallback_department {fallback!r} is not in units.toml")

    county_names, city_name = _add_gazetteer(lex, raw["gazetteer.toml"], units, city)
    _add_departments(lex, raw["departments.toml"], units)
    emergency = raw["emergency.toml"]
    for name in EMERGENCY_LISTS:
        for term in emergency.get(name, []):
            lex.add(term, Entry("emergency", name, 1.0, term))
    kinds = raw["kinds.toml"]
    for kind in KINDS:
        for tier, weight in TIER_WEIGHTS.items():
            for term in kinds.get(kind, {}).get(tier, []):
                lex.add(term, Entry("kind", kind, weight, term))
    for term in kinds.get("neutral", []):  # phrases that only contain a cue ("投诉电话"): they weigh nothing
        lex.add(term, Entry("kind", "neutral", 0.0, term))

    return Knowledge(
        units=units,
        text=text,
        lexicon=lex,
        departments=tuple(units.departments),
        jurisdictions=tuple(units.jurisdictions),
        county_names=county_names,
        city_name=city_name,
        review_threshold=float(settings.get("review_threshold", 0.55)),
        city_jurisdiction=city,
        fallback_department=fallback,
        model_weight=float(settings.get("model", {}).get("model_weight", 0.8)),
        model_emergency_threshold=float(settings.get("model", {}).get("emergency_threshold", 0.5)),
        model_emergency_threshold_alone=float(settings.get("model", {}).get("emergency_threshold_alone", 1.01)),
        question_mark=float(kinds.get("question_mark", 1.0)),
        complaint_bonus=float(kinds.get("complaint_bonus", 0.5)),
        grievance=float(kinds.get("grievance", 3.0)),
        narrative=float(kinds.get("narrative", 80.0)),
        victim_departments=tuple(kinds.get("victim_departments", [])),
        version="rules-" + digest.hexdigest()[:12],
    )


def _add_gazetteer(lex: Lexicon, gaz: dict, units: Units, city: str) -> tuple[dict[str, str], str]:
    weights = {k: float(v) for k, v in gaz.get("weights", {}).items()}
    county_names: dict[str, str] = {}
    for code, table in gaz.get("jurisdictions", {}).items():
        if code not in units.jurisdictions:
            raise ValueError(f"gazetteer.toml: jurisdiction {code!r} is not in units.toml")
        county_names[code] = table.get("name", units.jurisdictions[code].name_zh)
        canonical = table.get("canonical", {})
        for field, kind in (
            ("names", "county"),
            ("towns", "town"),
            ("aliases", "alias"),
            ("landmarks", "landmark"),
            ("pinyin", "pinyin"),
        ):
            for term in table.get(field, []):
                town = "" if kind == "county" else canonical.get(term, term if kind == "town" else "")
                lex.add(term, Entry("place", code, weights.get(kind, 2.0), term, town))
    city_table = gaz.get("city", {})
    city_name = city_table.get("name", units.jurisdictions[city].name_zh)
    canonical = city_table.get("canonical", {})
    for term in city_table.get("places", []) + city_table.get("pinyin", []):
        lex.add(term, Entry("city_place", city, 1.0, term, canonical.get(term, "")))
    outside = gaz.get("outside", {})
    for term in outside.get("places", []) + outside.get("pinyin", []):
        lex.add(term, Entry("outside_place", city, 1.0, term, term))
    return county_names, city_name


def _add_departments(lex: Lexicon, deps: dict, units: Units) -> None:
    for term in deps.get("neutral", {}).get("words", []):
        # a phrase that contains a department word without meaning it ("偷偷" is not theft): weighs nothing,
        # but as the longer match it hides the word inside it
        lex.add(term, Entry("department", "neutral", 0.0, term))
    for dep, table in deps.items():
        if dep == "neutral":
            continue
        if dep not in units.departments:
            raise ValueError(f"departments.toml: department {dep!r} is not in units.toml")
        if dep == "inspection":
            for name in INSPECTION_LISTS:
                for term in table.get(name, []):
                    lex.add(term, Entry("inspection", name, 1.0, term))
            continue
        for tier, weight in TIER_WEIGHTS.items():
            for term in table.get(tier, []):
                lex.add(term, Entry("department", dep, weight, term))
