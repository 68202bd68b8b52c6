"""The hazard watch, pure: what our applied requests set up, checked against a snapshot."""

from sharedcalling.domain.hazards.evaluate import evaluate
from sharedcalling.domain.hazards.facts import changed_facts
from sharedcalling.domain.hazards.model import (
    READ_FAILURE_CODE,
    CheckResult,
    Facts,
    HazardClass,
    HazardState,
    Observation,
    PolicyWatch,
    UserWatch,
    Watchlist,
    observation_key,
    subject_key,
)

__all__ = [
    "READ_FAILURE_CODE",
    "CheckResult",
    "Facts",
    "HazardClass",
    "HazardState",
    "Observation",
    "PolicyWatch",
    "UserWatch",
    "Watchlist",
    "changed_facts",
    "evaluate",
    "observation_key",
    "subject_key",
]
