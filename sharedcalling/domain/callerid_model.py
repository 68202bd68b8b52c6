"""The caller-ID answer as data: outcome codes, reasons, callbacks, emergency.

The outcome codes are the decision steps of docs/architecture.md, "The caller-ID answer".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.tenant import AppConfigurationType, CallingIdSubstitute

EMERGENCY_HOLD_MINUTES = 60
"""How long an emergency callback number stays reserved for the caller
(New-CsTeamsSharedCallingRoutingPolicy docs)."""


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
    NOT_SET_UP = "not_set_up"
    """The configuration cannot deliver an emergency path an answer could promise; `reasons`
    say why (SC-U08, SC-R04, SC-E07, ...), and no callback number is named."""


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
    """For `Resource`: the number of the CLID's resource account (None when it has none)."""
    user_override: bool = False
    company_name: str | None = None
    resource_account_name: str | None = None

    @property
    def substitutes_resource(self) -> bool:
        return self.substitute is CallingIdSubstitute.RESOURCE


@dataclass(frozen=True, slots=True)
class EmergencyAnswer:
    """What emergency services see. `numbers` keep the policy's order: the first is the one
    reused when every number is held (New-CsTeamsSharedCallingRoutingPolicy docs)."""

    kind: EmergencyKind = EmergencyKind.NONE
    numbers: tuple[str, ...] = ()
    hold_minutes: int | None = None
    reasons: tuple[Reason, ...] = ()
    """For NOT_SET_UP: what an admin must fix, with the rule codes."""


@dataclass(frozen=True, slots=True)
class CallerIdAnswer:
    """The outcome of the decision with its number and everything a card needs to explain it."""

    outcome: Outcome
    outbound_number: str | None
    reasons: tuple[Reason, ...] = ()
    personal_number: str | None = None
    shared: SharedCallingDetails | None = None
    clid: CallerIdCaveat | None = None
    callbacks: Callbacks = Callbacks.NONE
    emergency: EmergencyAnswer = EmergencyAnswer()
    unknowns: tuple[Reason, ...] = ()
    """Facts the backend cannot tell that the answer depends on (SC-U03 `Unknown`): the
    answer holds only if they turn out well, and says so."""
    inactive_numbers: tuple[tuple[str, str], ...] = ()
    """(number, activation state) of the user's numbers that are not working numbers."""

    @property
    def rule_codes(self) -> tuple[str, ...]:
        """The distinct rule codes of the reasons, the unknowns and the emergency part, in order."""
        every = (*self.unknowns, *self.reasons, *self.emergency.reasons)
        return tuple(dict.fromkeys(r.code for r in every if r.code))

    @property
    def certain(self) -> bool:
        """False when the answer depends on something the backend cannot tell."""
        return not self.unknowns

    @property
    def is_problem(self) -> bool:
        return self.outcome in (Outcome.SHARED_BROKEN, Outcome.INCONSISTENT)
