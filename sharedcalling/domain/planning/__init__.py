"""The Shared Calling plan: DesiredState in, ordered idempotent changes and a fingerprint out."""

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.planning.changes import (
    Change,
    CreateEmergencyCallRoutingPolicy,
    CreateSharedCallingPolicy,
    CreateVoiceRoutingPolicy,
    DisableVoice,
    EnableVoice,
    GrantGroupPolicy,
    GrantPolicy,
    JsonValue,
    SetNumberLocation,
    UpdateEmergencyNumbers,
)
from sharedcalling.domain.planning.fingerprint import FINGERPRINT_VERSION, fingerprint
from sharedcalling.domain.planning.model import Plan
from sharedcalling.domain.planning.planner import plan
from sharedcalling.domain.rules.context import EMPTY_VRP_NAME
from sharedcalling.domain.rules.emergency_routing import ECRP_NAME_PREFIX
from sharedcalling.domain.rules.model import ChangeKind

__all__ = [
    "ECRP_NAME_PREFIX",
    "EMPTY_VRP_NAME",
    "FINGERPRINT_VERSION",
    "Change",
    "ChangeKind",
    "CreateEmergencyCallRoutingPolicy",
    "CreateSharedCallingPolicy",
    "CreateVoiceRoutingPolicy",
    "DesiredState",
    "DisableVoice",
    "EnableVoice",
    "GrantGroupPolicy",
    "GrantPolicy",
    "JsonValue",
    "Plan",
    "SetNumberLocation",
    "UpdateEmergencyNumbers",
    "fingerprint",
    "plan",
]
