"""Set-up step 3: emergency callback numbers, chosen from those the SC-E rules allow."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.rules import Finding, SubjectKind, build_context, run_rules
from sharedcalling.domain.setup import NumberAssessment, assess_emergency_numbers
from sharedcalling.domain.tenant import NumberType, PhoneNumber, TenantSnapshot
from sharedcalling.services.numbering import derived_countries, display_number, normalize_number
from sharedcalling.services.ports import SnapshotScope, TenantGateway

MAX_EMERGENCY_NUMBERS = 25
"""Per set-up; Microsoft documents no maximum, and each number is held 60 minutes,
so 25 serve 25 emergency calls within an hour on one policy."""
LISTED_INELIGIBLE = 8
"""Ineligible numbers of the account's own type and country shown one by one with the reason."""
_SEPARATORS = re.compile(r"[,;\n\r]+")


@dataclass(frozen=True, slots=True)
class EmergencyOptions:
    ra_number: PhoneNumber
    direct_routing: bool
    chosen: tuple[NumberAssessment, ...]
    """The admin's list, in their order, each with what the rules say about it."""
    eligible: tuple[str, ...]
    """Inventory numbers that may be added (not yet chosen), in number order."""
    ineligible: tuple[NumberAssessment, ...]
    """Ineligible numbers of the same type and country, with their reasons (at most a few)."""
    ineligible_more: int
    other_kind: int
    """Inventory numbers of another type or country, counted, not listed."""
    empty_findings: tuple[Finding, ...]
    """What the rules say about an empty list (SC-E08's warning, SC-E07's block)."""


def _candidates(snapshot: TenantSnapshot, ra_number: PhoneNumber) -> list[str]:
    return sorted(n for n in snapshot.numbers if n != ra_number.telephone_number)


async def _context(
    account_id: UserId, tenant: TenantGateway, *, with_holders: bool = False
) -> tuple[TenantSnapshot, PhoneNumber]:
    """The snapshot and the account's number; `with_holders` also reads the people numbers
    are assigned to, so that a refusal names them (SC-E04) instead of showing an id."""
    snapshot = await tenant.snapshot(SnapshotScope())
    if with_holders:
        holders = {
            UserId(n.assigned_target_id)
            for n in snapshot.numbers.values()
            if n.assigned_target_id and "|" not in n.assigned_target_id
        }
        snapshot = await tenant.snapshot(SnapshotScope(user_ids=sorted(holders)))
    numbers = snapshot.numbers_of(account_id)
    if len(numbers) != 1:
        raise InvalidInput("The resource account has no usable number (SC-R03); go back to step 1.")
    return snapshot, numbers[0]


async def emergency_options(
    account_id: UserId, policy_name: str, chosen: Sequence[str], *, tenant: TenantGateway
) -> EmergencyOptions:
    snapshot, ra_number = await _context(account_id, tenant, with_holders=True)
    candidates = _candidates(snapshot, ra_number)
    countries = derived_countries(snapshot, chosen)
    assessed = assess_emergency_numbers(
        snapshot, account_id, policy_name, [*chosen, *candidates], countries
    )
    by_number = {a.number: a for a in assessed}
    picked = set(chosen)
    pool = [by_number[n] for n in candidates if n not in picked]
    same_kind = [a for a in pool if not a.eligible and a.same_kind]
    return EmergencyOptions(
        ra_number=ra_number,
        direct_routing=ra_number.number_type is NumberType.DIRECT_ROUTING,
        chosen=tuple(by_number[n] for n in dict.fromkeys(chosen)),
        eligible=tuple(a.number for a in pool if a.eligible),
        ineligible=tuple(same_kind[:LISTED_INELIGIBLE]),
        ineligible_more=max(0, len(same_kind) - LISTED_INELIGIBLE),
        other_kind=sum(1 for a in pool if not a.eligible and not a.same_kind),
        empty_findings=_empty_list_findings(snapshot, account_id, policy_name),
    )


def _empty_list_findings(
    snapshot: TenantSnapshot, account_id: UserId, policy_name: str
) -> tuple[Finding, ...]:
    ctx = build_context(DesiredState(account_id, policy_name, emergency_numbers=()), snapshot)
    return tuple(
        f
        for f in run_rules(ctx)
        if f.subject.kind is SubjectKind.POLICY and f.code in ("SC-E07", "SC-E08")
    )


def parse_numbers(text: str) -> list[str]:
    """Numbers typed one per line or separated by commas, normalised to E.164."""
    return [normalize_number(part) for part in _SEPARATORS.split(text) if part.strip()]


async def add_numbers(
    current: Sequence[str],
    picked: Sequence[str],
    typed: str,
    *,
    account_id: UserId,
    policy_name: str,
    tenant: TenantGateway,
) -> tuple[str, ...]:
    """`current` with the picked and typed numbers appended in the order given; InvalidInput
    (and nothing added) when any of them is not allowed, naming each with its reason."""
    snapshot, ra_number = await _context(account_id, tenant, with_holders=True)
    typed_numbers = parse_numbers(typed) if typed.strip() else []
    direct_routing = ra_number.number_type is NumberType.DIRECT_ROUTING
    unlisted = [n for n in typed_numbers if snapshot.number(n) is None]
    if unlisted and not direct_routing:
        shown = ", ".join(display_number(n) for n in unlisted)
        raise InvalidInput(
            f"{shown}: not a number of this tenant. With a {ra_number.number_type.value} "
            "resource account, emergency callback numbers must come from the tenant's numbers "
            "(SC-E01); pick them from the list."
        )
    wanted = [n.strip() for n in (*picked, *typed_numbers) if n.strip()]
    if not wanted:
        raise InvalidInput("Pick a number from the list, or type one, to add it.")
    added = [n for n in dict.fromkeys(wanted) if n not in current]
    result = (*current, *added)
    if len(result) > MAX_EMERGENCY_NUMBERS:
        raise InvalidInput(
            f"At most {MAX_EMERGENCY_NUMBERS} emergency callback numbers per set-up; that "
            f"would make {len(result)}."
        )
    _refuse_ineligible(snapshot, account_id, policy_name, added)
    return result


def _refuse_ineligible(
    snapshot: TenantSnapshot, account_id: UserId, policy_name: str, numbers: Sequence[str]
) -> None:
    countries = derived_countries(snapshot, numbers)
    assessed = assess_emergency_numbers(snapshot, account_id, policy_name, numbers, countries)
    refused = [a for a in assessed if not a.eligible]
    if refused:
        reasons = "; ".join(
            f"{display_number(a.number)}: {', '.join(f'{f.code} {f.message}' for f in a.blocking)}"
            for a in refused
        )
        raise InvalidInput(f"Not added: {reasons}")


async def check_numbers(
    numbers: Sequence[str], *, account_id: UserId, policy_name: str, tenant: TenantGateway
) -> None:
    """InvalidInput when any chosen number is no longer allowed (checked again on Next)."""
    snapshot, _ra_number = await _context(account_id, tenant)
    if len(numbers) > MAX_EMERGENCY_NUMBERS:
        raise InvalidInput(f"At most {MAX_EMERGENCY_NUMBERS} emergency callback numbers.")
    _refuse_ineligible(snapshot, account_id, policy_name, numbers)


def move_up(current: Sequence[str], number: str) -> tuple[str, ...]:
    """`number` one place earlier (the first is the one reused when none is free)."""
    items = list(current)
    if number not in items:
        raise InvalidInput(f"{number} is not in your list of emergency callback numbers.")
    index = items.index(number)
    if index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
    return tuple(items)


def remove(current: Sequence[str], number: str) -> tuple[str, ...]:
    if number not in current:
        raise InvalidInput(f"{number} is not in your list of emergency callback numbers.")
    return tuple(n for n in current if n != number)
