"""Display-ready views of the set-up cards: strings as shown, ids as sent back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sharedcalling.services.notices import Notice


class Step(StrEnum):
    """The set-up's steps; FIX is step 1's second card (a choice the account needs)."""

    ACCOUNT = "account"
    FIX = "fix"
    POLICY = "policy"
    NUMBERS = "numbers"
    USERS = "users"
    ASSIGNMENT = "assignment"
    REVIEW = "review"

    @property
    def number(self) -> int:
        return _NUMBERS[self]

    @property
    def heading(self) -> str:
        return _TITLES[self]


_NUMBERS = {
    Step.ACCOUNT: 1,
    Step.FIX: 1,
    Step.POLICY: 2,
    Step.NUMBERS: 3,
    Step.USERS: 4,
    Step.ASSIGNMENT: 5,
    Step.REVIEW: 6,
}
_TITLES = {
    Step.ACCOUNT: "Resource account",
    Step.FIX: "Resource account: what the plan sets",
    Step.POLICY: "Shared Calling policy",
    Step.NUMBERS: "Emergency callback numbers",
    Step.USERS: "Who gets Shared Calling",
    Step.ASSIGNMENT: "How to assign the policy",
    Step.REVIEW: "Review and submit",
}
STEP_COUNT = 6


@dataclass(frozen=True, slots=True)
class StepFrame:
    """What every step card shows: where the admin is, what they chose, what just happened."""

    step: Step
    revision: int
    answers: tuple[tuple[str, str], ...] = ()
    notice: Notice | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: `number` counts from 1."""

    list_name: str
    number: int
    count: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


@dataclass(frozen=True, slots=True)
class AccountRow:
    account_id: str
    name: str
    upn: str
    number: str
    kind: str
    app: str
    verdict: str
    pickable: bool
    reasons: tuple[str, ...] = ()
    blocked: bool = False
    warned: bool = False


@dataclass(frozen=True, slots=True)
class AccountsView:
    frame: StepFrame
    rows: tuple[AccountRow, ...]
    page: Page
    chosen: tuple[tuple[str, str], ...]
    """(title, id) of every pickable account on the page, for the choice."""
    selected: str | None = None


@dataclass(frozen=True, slots=True)
class FixView:
    frame: StepFrame
    account: str
    number: str
    reasons: tuple[str, ...]
    locations: tuple[tuple[str, str], ...] = ()
    needs_location: bool = False
    locations_listed: bool = True
    voice_routing_policies: tuple[tuple[str, str], ...] = ()
    needs_vrp: bool = False


@dataclass(frozen=True, slots=True)
class PolicyView:
    frame: StepFrame
    account: str
    reusable: tuple[tuple[str, str], ...]
    """(title with its numbers, policy name)."""
    selected: str | None = None
    new_name: str | None = None


@dataclass(frozen=True, slots=True)
class ChosenNumber:
    shown: str
    value: str
    note: str = ""
    first: bool = False


@dataclass(frozen=True, slots=True)
class NumbersView:
    frame: StepFrame
    account_number: str
    chosen: tuple[ChosenNumber, ...]
    eligible: tuple[tuple[str, str], ...]
    ineligible: tuple[tuple[str, str], ...]
    """(number as shown, reason with code)."""
    ineligible_more: str = ""
    typed_allowed: bool = False
    empty_warning: str = ""
    empty_blocked: bool = False
    maximum: int = 25


@dataclass(frozen=True, slots=True)
class UsersView:
    frame: StepFrame
    count: int
    rows: tuple[tuple[str, str], ...]
    """(title with the person's status, user id) for the page shown."""
    page: Page
    extension_candidates: tuple[tuple[str, str], ...] = ()
    extension_marked: tuple[str, ...] = ()
    maximum: int = 5000
    people_suggestions: tuple[tuple[str, str], ...] = ()
    """What the people typeahead shows before a query (Teams then asks the bot)."""
    group_suggestions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class AssignmentView:
    frame: StepFrame
    group_mode: bool
    group: tuple[str, str] | None
    """(title, id) of the group chosen or suggested."""
    group_suggestions: tuple[tuple[str, str], ...]
    """What the group typeahead shows before a query; the chosen group first."""
    rank: int
    max_rank: int
    existing: tuple[str, ...]
    limit_reached: bool = False


@dataclass(frozen=True, slots=True)
class Attestation:
    input_id: str
    text: str


@dataclass(frozen=True, slots=True)
class DownloadLink:
    url: str
    filename: str
    note: str


@dataclass(frozen=True, slots=True)
class ReviewView:
    frame: StepFrame
    headline: str
    blocks: tuple[str, ...]
    changes: tuple[str, ...]
    warnings: tuple[str, ...]
    attestations: tuple[Attestation, ...]
    rows: tuple[tuple[str, str], ...]
    """(person, what happens to them) for the page shown."""
    page: Page
    fingerprint: str
    can_submit: bool
    download: DownloadLink | None = None
    justification: str = ""
    tell_people: bool = True
    """Send each person whose caller ID changes their new answer after the apply (issue 15)."""


@dataclass(frozen=True, slots=True)
class StatusView:
    request_id: str
    state: str
    headline: str
    facts: tuple[tuple[str, str], ...]
    next_steps: tuple[str, ...]
    can_cancel: bool
    notice: Notice | None = None
    extra: tuple[str, ...] = field(default=())
