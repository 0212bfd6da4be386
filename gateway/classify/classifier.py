"""Classifier: rules from config/classifier, optionally refined by a trained model.

How the two combine (the issue's contract):
  - an emergency found by the rules always wins (command, emergency = true); the model may add one
    where the rules found a danger cue but no urgency;
  - rule 2 always holds: an inspection case goes to the city bureau, its place kept as a detail;
  - jurisdiction and place come from the gazetteer, never from the model;
  - the model refines department and kind by mixing its probabilities with the rules' vote;
  - confidence below the configured threshold sets needs_review.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gateway.classify.decision import Decision
from gateway.classify.knowledge import KINDS, Knowledge, load_knowledge
from gateway.classify.reading import read
from gateway.classify.rules import EMERGENCY_DEPARTMENT, INSPECTION_DEPARTMENT, RuleResult, apply_rules
from gateway.config import DEFAULT_CONFIG_DIR

if TYPE_CHECKING:
    from gateway.classify.model import TrainedModel


class Classifier:
    def __init__(self, knowledge: Knowledge, model: TrainedModel | None = None) -> None:
        self.knowledge = knowledge
        self.model = model

    @property
    def version(self) -> str:
        return self.model.version if self.model is not None else self.knowledge.version

    def analyse(self, text: str, sender: str | None = None) -> tuple[RuleResult, str, str]:
        """The rules' result, the caller's folded words and the language (used by training too)."""
        reading = read(text, sender, self.knowledge)
        return apply_rules(reading, self.knowledge), reading.caller, reading.language

    def classify(self, text: str, channel: str = "sms", sender: str | None = None) -> Decision:
        del channel  # transcripts are recognised by their speaker labels, whatever the channel says
        kn = self.knowledge
        rules, caller, language = self.analyse(text, sender)
        department, dep_conf = rules.department, rules.department_confidence
        kind, kind_conf = rules.kind, rules.kind_confidence
        reasons = list(rules.reasons)

        emergency = rules.emergency.emergency
        if self.model is not None:
            dep_p, kind_p, emergency_p, notes = self.model.predict(caller, rules, kn, language)
            reasons.extend(notes)
            if (
                not emergency
                and not rules.emergency.gone
                and (
                    emergency_p >= kn.model_emergency_threshold_alone
                    or (rules.emergency.danger and emergency_p >= kn.model_emergency_threshold)
                )
            ):
                # the model may add an emergency the rules missed, never clear one: a veto (model sure the
                # danger is not live, rules' evidence weak) cleared true emergencies written in styles the
                # training set lacks (tests/classify/data/own_messages.jsonl). Without a danger cue of the
                # rules it must be surer: the danger is then told only in ways no cue list holds.
                emergency = True
                reasons.append(f"model: live emergency (p={emergency_p:.2f}) -> command")
            if emergency:
                if not rules.emergency.emergency:
                    department, dep_conf = EMERGENCY_DEPARTMENT, max(dep_conf, emergency_p)
                    kind = "complaint" if rules.emergency.sender_in_danger else "report"
            else:
                scores = rules.service_scores if rules.service_scores is not None else rules.department_scores
                department, dep_conf = _mix(dep_p, scores, kn.departments, kn.model_weight)
                if rules.inspection and department != INSPECTION_DEPARTMENT and dep_conf < 0.8:
                    # the model may overrule rule 2's word match only when it is sure
                    department, dep_conf = INSPECTION_DEPARTMENT, max(dep_conf, 0.6)
                if department == EMERGENCY_DEPARTMENT and not _is_110_matter(scores):
                    # command without a live emergency is for complaints about the 110 line itself
                    ranked = sorted(kn.departments, key=lambda d: -dep_p.get(d, 0.0))
                    department = next(d for d in ranked if d != EMERGENCY_DEPARTMENT)
                kind, kind_conf = _mix(kind_p, rules.kind_scores, KINDS, kn.model_weight)
                reasons.append(f"model {self.model.version}: department {department}, kind {kind}")

        jurisdiction = rules.place.jurisdiction
        if kn.units.departments[department].only_city:
            jurisdiction = kn.city_jurisdiction
            reasons.append(f"{department} is handled at the city bureau only (rule 2)")
        unit = kn.units.unit_for(department, jurisdiction).code
        confidence = round(min(dep_conf, 0.5 + kind_conf / 2), 4)
        if emergency:
            confidence = max(confidence, 0.9)
        return Decision(
            department=department,
            jurisdiction=jurisdiction,
            unit=unit,
            emergency=emergency,
            kind=kind,
            language=language,
            confidence=confidence,
            needs_review=confidence < kn.review_threshold,
            reasons=tuple(reasons),
            place=rules.place.place,
            model_version=self.version,
        )


def _is_110_matter(scores: dict[str, float]) -> bool:
    return scores.get(EMERGENCY_DEPARTMENT, 0.0) > 0


def _mix(
    model_p: dict[str, float], rule_scores: dict[str, float], labels: tuple[str, ...], weight: float
) -> tuple[str, float]:
    positive = [max(rule_scores.get(label, 0.0), 0.0) for label in labels]
    total = sum(positive)
    # the rules' vote as a distribution (uniform when they found nothing), mixed with the model's
    rule_w = (1 - weight) / total if total > 0 else 0.0
    flat = (1 - weight) / len(labels) if total <= 0 else 0.0
    best, best_p = labels[0], -1.0
    for label, points in zip(labels, positive, strict=True):
        p = weight * model_p.get(label, 0.0) + rule_w * points + flat
        if p > best_p:
            best, best_p = label, p
    return best, round(best_p, 4)


def load_classifier(config_dir: Path | str = DEFAULT_CONFIG_DIR, model: TrainedModel | None = None) -> Classifier:
    return Classifier(load_knowledge(config_dir), model)
