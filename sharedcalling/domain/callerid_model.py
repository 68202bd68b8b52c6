"""The caller-ID answer as data: outcome codes of reference §9, reasons, callbacks, emergency."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.tenant import AppConfigurationType, CallingIdSubstitute

EMERGENCY_HOLD_MINUTES = 60
"""How long an emergency callback number stays reserved for the caller (reference §1)."""


class Outcome(StrEnum):
    NO_PSTN = "NO_PSTN"
    PERSONAL_DR = "PERSONAL_DR"
    PERSONAL = "PERSONAL"
    SHARED = "SHARED"
    SHARED_EXT = "SHARED_EXT"
    SHARED_BROKEN = "SHARED_BROKEN"
    INCONSISTENT = "INCONSISTENT"
    NO_NUMBER = "NO_NUMBER"


class Callbacks(StrEnum):
    """Where a person calling the presented number back ends up."""

    NONE = "none"
    RING_USER = "ring_user"
    AUTO_ATTENDANT = "auto_attendant"
    NO_AUTO_ATTENDANT = "no_auto_attendant"


class EmergencyKind(StrEnum):
    """What the emergency service sees as the callback number."""

    NONE = "none"
    OWN_NUMBER = "own_number"
    CALLBACK_POOL = "callback_pool"
    MAIN_NUMBER = "main_number"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True, slots=True)
class Reason:
    """One fact behind the answer; `code` names the rule involved, when there is one."""

    text: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class SharedCallingDetails:
    """The effective Shared Calling policy and what its resource account provides."""

    policy_name: str
    assignment: str
    resource_account_id: UserId | None
    resource_account_name: str | None = None
    resource_account_number: str | None = None
    auto_attendant_name: str | None = None
    other_app_name: str | None = None
    """A call queue the number reaches when no auto attendant is associated (SC-R10)."""
    other_app_type: AppConfigurationType | None = None
    emergency_numbers: tuple[str, ...] = ()
    extension: str | None = None


@dataclass(frozen=True, slots=True)
class CallerIdCaveat:
    """A non-default calling line identity policy and its effect on the presented number."""

    policy_name: str
    assignment: str
    substitute: CallingIdSubstitute
    effect: str
    presented_number: str | None = None
    user_override: bool = False
    company_name: str | None = None


@dataclass(frozen=True, slots=True)
class EmergencyAnswer:
    kind: EmergencyKind = EmergencyKind.NONE
    numbers: tuple[str, ...] = ()
    hold_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class CallerIdAnswer:
    """The outcome of §9 with its number and everything a card needs to explain it."""

    outcome: Outcome
    outbound_number: str | None
    reasons: tuple[Reason, ...] = ()
    personal_number: str | None = None
    shared: SharedCallingDetails | None = None
    clid: CallerIdCaveat | None = None
    callbacks: Callbacks = Callbacks.NONE
    emergency: EmergencyAnswer = EmergencyAnswer()

    @property
    def rule_codes(self) -> tuple[str, ...]:
        """The distinct rule codes of the reasons, in order."""
        return tuple(dict.fromkeys(r.code for r in self.reasons if r.code))

    @property
    def is_problem(self) -> bool:
        return self.outcome in (Outcome.SHARED_BROKEN, Outcome.INCONSISTENT)
