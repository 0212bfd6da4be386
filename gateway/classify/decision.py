"""The classifier's answer for one message."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Decision:
    department: str  # one of units.departments
    jurisdiction: str  # one of units.jurisdictions ("city" for no place / outside the city / inspection)
    unit: str  # units.unit_for(department, jurisdiction).code
    emergency: bool
    kind: str  # complaint | report | inquiry | suggestion | praise
    language: str  # "zh" | "en"
    confidence: float  # 0..1
    needs_review: bool  # confidence below the configured review threshold
    reasons: tuple[str, ...]  # which words, places, rules or model decided
    place: str | None  # the place named, kept even when the jurisdiction is the city (inspection)
    model_version: str  # "rules-<config hash>" or the trained model's version

    def to_dict(self) -> dict:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        return data
