"""Views of the set-up cards from the set-up use cases' results: pure, display-ready."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

from cards.setup.views import (
    AccountRow,
    AccountsView,
    AssignmentView,
    ChosenNumber,
    FixView,
    NumbersView,
    Page,
    PolicyView,
    StepFrame,
)
from cards.text import phone
from sharedcalling.domain.setup import Readiness
from sharedcalling.domain.tenant import AppConfigurationType, Group, NumberType, PhoneNumber
from sharedcalling.services.setup.accounts import AccountChoice, FixChoices
from sharedcalling.services.setup.assignment import AssignmentOptions
from sharedcalling.services.setup.numbers import EmergencyOptions
from sharedcalling.services.setup.policies import PolicyChoices

T = TypeVar("T")

ACCOUNTS_PER_PAGE = 6
PEOPLE_PER_PAGE = 20

_TYPES = {
    NumberType.CALLING_PLAN: "Calling Plan",
    NumberType.OPERATOR_CONNECT: "Operator Connect",
    NumberType.DIRECT_ROUTING: "Direct Routing",
}


def page_count(total: int, size: int) -> int:
    """How many pages `total` items fill, `size` a page (an empty list still has page 1)."""
    return max(1, math.ceil(total / size))


def paged(items: Sequence[T], number: int, size: int, list_name: str) -> tuple[Sequence[T], Page]:
    """The page `number` (clamped to the pages there are) of `items`."""
    count = page_count(len(items), size)
    number = min(max(1, number), count)
    start = (number - 1) * size
    return items[start : start + size], Page(list_name, number, count, len(items))


def number_kind(number: PhoneNumber, country: str | None) -> str:
    kind = _TYPES[number.number_type]
    if number.number_type is NumberType.CALLING_PLAN:
        kind += " service number" if number.is_service_number else " subscriber number"
    return f"{kind}, {country or 'country unknown'}"


def _app(choice: AccountChoice) -> str:
    if not choice.apps:
        return "no auto attendant or call queue"
    app = choice.apps[0]
    kind = (
        "auto attendant"
        if app.configuration_type is AppConfigurationType.AUTO_ATTENDANT
        else "call queue"
    )
    return f"{kind} {app.configuration_name}"


def _verdict(choice: AccountChoice) -> tuple[str, tuple[str, ...]]:
    assessment = choice.assessment
    warnings = tuple(f"{f.code}: {f.message}" for f in assessment.warnings)
    if assessment.readiness is Readiness.BLOCKED:
        return "Blocked: cannot be used", tuple(
            f"{f.code}: {f.message}" for f in assessment.blocking
        )
    if assessment.readiness is Readiness.NEEDS_CHOICE:
        what = " and ".join(
            w
            for w, needed in (
                ("an emergency location (SC-R04)", assessment.needs_location),
                ("a voice routing policy (SC-R08)", assessment.needs_vrp),
            )
            if needed
        )
        return f"Usable: you choose {what} next", warnings
    if assessment.readiness is Readiness.WARNINGS:
        return "Ready, with warnings", warnings
    return "Ready", ()


def account_row(choice: AccountChoice) -> AccountRow:
    account = choice.account
    number = choice.numbers[0] if choice.numbers else None
    verdict, reasons = _verdict(choice)
    return AccountRow(
        account_id=account.id,
        name=account.display_name,
        upn=account.user_principal_name,
        number=phone(number.telephone_number) if number else "no number",
        kind=number_kind(number, choice.country) if number else "no number type",
        app=_app(choice),
        verdict=verdict,
        pickable=choice.assessment.pickable,
        reasons=reasons,
        blocked=not choice.assessment.pickable,
        warned=choice.assessment.readiness is not Readiness.READY,
    )


def account_title(choice: AccountChoice) -> str:
    number = choice.numbers[0].telephone_number if choice.numbers else None
    shown = phone(number) if number else "no number"
    return f"{choice.account.display_name} ({shown})"


def accounts_view(
    frame: StepFrame, choices: Sequence[AccountChoice], page: int, selected: str | None
) -> AccountsView:
    shown, where = paged(choices, page, ACCOUNTS_PER_PAGE, "accounts")
    return AccountsView(
        frame=frame,
        rows=tuple(account_row(c) for c in shown),
        page=where,
        chosen=tuple((account_title(c), c.account.id) for c in shown if c.assessment.pickable),
        selected=selected if any(c.account.id == selected for c in shown) else None,
    )


def fix_view(frame: StepFrame, choice: AccountChoice, offered: FixChoices) -> FixView:
    assessment = choice.assessment
    reasons = tuple(
        f"{f.code}: {f.message}"
        for f in (*choice.assessment.blocking, *choice.assessment.fixes)
        if f.code in ("SC-R04", "SC-R08")
    )
    if assessment.needs_location:
        reasons += ("SC-R04: the number has no emergency location; choose one for the plan.",)
    if assessment.needs_vrp:
        reasons += ("SC-R08: the account needs a voice routing policy with PSTN usages.",)
    number = choice.numbers[0].telephone_number if choice.numbers else ""
    return FixView(
        frame=frame,
        account=choice.account.display_name,
        number=phone(number) if number else "no number",
        reasons=reasons,
        locations=tuple((c.label, c.id) for c in offered.locations),
        needs_location=assessment.needs_location,
        locations_listed=offered.locations_listed,
        voice_routing_policies=tuple((name, name) for name in offered.voice_routing_policies),
        needs_vrp=assessment.needs_vrp,
    )


def policy_view(
    frame: StepFrame,
    account: str,
    choices: PolicyChoices,
    selected: str | None,
    new_name: str | None,
) -> PolicyView:
    reusable = []
    for policy in choices.reusable:
        numbers = ", ".join(phone(n) for n in policy.emergency_numbers) or "no emergency numbers"
        reusable.append((f"{policy.name} ({numbers})", policy.name))
    return PolicyView(frame, account, tuple(reusable), selected, new_name)


def numbers_view(frame: StepFrame, options: EmergencyOptions) -> NumbersView:
    chosen = []
    for index, assessed in enumerate(options.chosen):
        note = "reused first when every number is held" if index == 0 else ""
        if assessed.attestations:
            note = "; ".join(filter(None, (note, "to confirm at review (SC-E01/SC-E09)")))
        if assessed.blocking:
            note = "; ".join(f"{f.code}: {f.message}" for f in assessed.blocking)
        chosen.append(ChosenNumber(phone(assessed.number), assessed.number, note, index == 0))
    more = []
    if options.ineligible_more:
        more.append(f"{options.ineligible_more} more of the same type and country")
    if options.other_kind:
        more.append(f"{options.other_kind} of another type or country (SC-E02, SC-E03)")
    empty = next((f for f in options.empty_findings), None)
    return NumbersView(
        frame=frame,
        account_number=phone(options.ra_number.telephone_number),
        chosen=tuple(chosen),
        eligible=tuple((phone(n), n) for n in options.eligible),
        ineligible=tuple(
            (phone(a.number), "; ".join(f"{f.code}: {f.message}" for f in a.blocking))
            for a in options.ineligible
        ),
        ineligible_more=("Also not eligible: " + ", ".join(more) + ".") if more else "",
        typed_allowed=options.direct_routing,
        empty_warning=(
            f"No numbers: {empty.code}: {empty.message}" if empty is not None else "No numbers."
        ),
        empty_blocked=any(f.code == "SC-E07" for f in options.empty_findings),
    )


def group_title(group: Group) -> str:
    return f"{group.display_name} ({len(group.member_ids):,} direct members)"


def assignment_view(
    frame: StepFrame,
    options: AssignmentOptions,
    *,
    group_mode: bool,
    group: tuple[str, str] | None,
    rank: int | None,
    groups: Sequence[Group] = (),
) -> AssignmentView:
    if group is None and options.suggested is not None:
        group = (group_title(options.suggested), options.suggested.id)
    suggestions = [group] if group else []
    suggestions += [(group_title(g), g.id) for g in groups if not group or g.id != group[1]]
    # The chosen group's own assignment is replaced, so it does not count as another rank.
    max_rank = options.default_rank - (1 if group and _assigned(options, group[1]) else 0)
    existing = tuple(
        f"{e.group_name}: {e.policy_name}, rank {e.rank}" for e in options.existing[:10]
    )
    return AssignmentView(
        frame=frame,
        group_mode=group_mode,
        group=group,
        group_suggestions=tuple(suggestions),
        rank=min(rank or options.default_rank, max_rank),
        max_rank=max_rank,
        existing=existing,
        limit_reached=options.limit_reached,
    )


def _assigned(options: AssignmentOptions, group_id: str) -> bool:
    return any(e.group_id.casefold() == group_id.casefold() for e in options.existing)
