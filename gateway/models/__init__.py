"""The database models, one module an idea; import them from here."""

from gateway.models.apikey import ApiKey
from gateway.models.base import Base, UTCDateTime
from gateway.models.case import Case, CaseCounter, CaseStatus
from gateway.models.classifier_model import ClassifierModel
from gateway.models.contact import CallbackTask, OptOut
from gateway.models.event import CaseEvent
from gateway.models.inbound import InboundMessage
from gateway.models.outbound import OutboundMessage, OutboundState
from gateway.models.user import Role, User

__all__ = [
    "ApiKey",
    "Base",
    "CallbackTask",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseStatus",
    "ClassifierModel",
    "InboundMessage",
    "OptOut",
    "OutboundMessage",
    "OutboundState",
    "Role",
    "User",
    "UTCDateTime",
]
