"""The hazard watch as data: what our requests set up, and what a check observed about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.rules.model import Subject

READ_FAILURE_CODE = "READ"
"""The code of the one UNKNOWN finding a check records when it could not read the tenant."""


class HazardState(StrEnum):
    OK = "OK"
    """Holds as set up (a finding that was open is closed, never deleted)."""
    DRIFTED = "DRIFTED"
    """Differs from what the applied request set up; says what changed and since when."""
    UNKNOWN = "UNKNOWN"
    """Cannot be told: a read failed or the backend does not report the fact. Never drift."""


class HazardClass(StrEnum):
    """What a finding does to people, most urgent first (the order notifications go out in)."""

    EMERGENCY = "emergency"
    """Emergency calls or callbacks cannot be relied on."""
    OUTBOUND_BROKEN = "outbound_broken"
    """Outside calls fail, or the user has left Shared Calling without a working setup."""
    CALLER_ID = "caller_id"
    """Outside calls work but show another number than the one set up."""
    WARNING = "warning"
    """Worth knowing; calls still work as set up."""

    @property
    def rank(self) -> int:
        return list(HazardClass).index(self)

    @property
    def is_hazard(self) -> bool:
        """Everything but a warning: monitoring exits 2 for these, 1 for warnings only."""
        return self is not HazardClass.WARNING


@dataclass(frozen=True, slots=True)
class PolicyWatch:
    """A Shared Calling policy as the newest applied request of ours that used it set it up."""

    policy_name: str
    resource_account_id: UserId
    emergency_numbers: tuple[str, ...] | None
    """The callback numbers the request asked for; None: it kept the policy's own."""
    request_id: RequestId
    user_ids: tuple[UserId, ...] = ()
    """Watched users whose request put them on this policy."""
    accepted: frozenset[str] = frozenset()
    """`code|subject id` of the warnings shown with that request's plan when it was approved:
    known at set-up, so they are not drift."""


@dataclass(frozen=True, slots=True)
class UserWatch:
    """A user as the newest applied request of ours that included them set them up."""

    user_id: UserId
    policy_name: str
    request_id: RequestId
    extension_dialing: bool = False


@dataclass(frozen=True, slots=True)
class Watchlist:
    policies: tuple[PolicyWatch, ...] = ()
    users: tuple[UserWatch, ...] = ()

    @property
    def user_ids(self) -> tuple[UserId, ...]:
        return tuple(watch.user_id for watch in self.users)

    @property
    def is_empty(self) -> bool:
        return not self.policies and not self.users


Facts = Mapping[str, str]
"""What a check saw of one subject, by fact name (`numbers`, `caller ID`, ...), for display."""


@dataclass(frozen=True, slots=True)
class Observation:
    """One finding of a check that is not OK: DRIFTED or UNKNOWN, with everything to show."""

    key: str
    """Stable identity across checks: the same cause on the same subject keeps its key."""
    code: str
    state: HazardState
    hazard_class: HazardClass
    subject: Subject
    message: str
    expected: str
    """What the applied request set up (or what the rule requires), in words."""
    observed: str
    """What the check found instead, in words."""
    policy_names: tuple[str, ...] = ()
    request_ids: tuple[RequestId, ...] = ()
    affected_user_ids: tuple[UserId, ...] = ()
    facts: Facts = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))

    @property
    def sort_key(self) -> tuple[int, int, str]:
        """Severity first: emergency, outbound broken, caller ID, warnings; then the code."""
        unknown = 1 if self.state is HazardState.UNKNOWN else 0
        return (self.hazard_class.rank, unknown, self.key)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Every finding of one check that is not OK, and the facts seen of every watched subject
    (the service keeps them, so that a later drift can say what a fact was before)."""

    observations: tuple[Observation, ...]
    facts: Mapping[str, Facts]
    """By subject key (`subject_key()`)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))


def subject_key(subject: Subject) -> str:
    """`kind:id`, folded: the key facts are kept under."""
    return f"{subject.kind.value}:{subject.id.strip().casefold()}"


def observation_key(code: str, subject: Subject) -> str:
    return f"{code}|{subject_key(subject)}"
