"""Complaint classification: department, jurisdiction, unit, emergency, kind (see the routing guide).

Domain code: no Flask, no RQ. `load_classifier()` reads config/classifier/*.toml (cached);
`gateway.classify.training.train()` builds a TrainedModel that refines the rules.
"""

from gateway.classify.classifier import Classifier, load_classifier
from gateway.classify.decision import Decision

__all__ = ["Classifier", "Decision", "load_classifier"]
