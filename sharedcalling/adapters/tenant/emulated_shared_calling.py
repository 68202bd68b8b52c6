"""The service's rules for Shared Calling policies and their emergency callback numbers.

Like `emulated_rules`, each function returns the objects a write changes or raises the port
error the service would cause; nothing here mutates the state.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from sharedcalling.adapters.tenant.emulated_rules import check_name, require_policy, require_user
from sharedcalling.adapters.tenant.emulated_state import TenantState
from sharedcalling.domain import names
from sharedcalling.domain.tenant import (
    ActivationState,
    AssignmentStatus,
    NumberType,
    PhoneNumber,
    PolicyType,
    SharedCallingPolicy,
    shared_calling_target_id,
)
from sharedcalling.services.numbering import country_of
from sharedcalling.services.ports import TenantConflict, TenantValidationError

UNSUPPORTED_SERVICE_NUMBER_COUNTRIES = frozenset({"RO", "CZ", "HU", "SG", "NZ", "AU", "JP"})
"""Countries whose Calling Plan service numbers cannot back Shared Calling (SC-R05)."""


def create_policy(state: TenantState, policy: SharedCallingPolicy) -> list[Any]:
    op = "create_shared_calling_policy"
    existing = state.shared_calling.get(names.policy_key(policy.name))
    if existing is not None:
        if _same_shared_calling(existing, policy):
            return []
        raise TenantConflict(
            f'A {PolicyType.SHARED_CALLING.value} with identity "Tag:{existing.name}" already '
            "exists with different settings.",
            operation=op,
        )
    check_name(policy.name, op)
    ra_number = _resource_account_number(state, policy.resource_account_id, op)
    if ra_number.number_type is NumberType.CALLING_PLAN and ra_number.is_service_number:
        country = ra_number.iso_country_code or country_of(ra_number.telephone_number)
        if country in UNSUPPORTED_SERVICE_NUMBER_COUNTRIES:
            raise TenantValidationError(
                f"Calling Plan service numbers in {country} are not supported for Shared Calling.",
                operation=op,
            )
    emergency, claimed = _claim_numbers(state, policy.name, ra_number, policy.emergency_numbers, op)
    return [replace(policy, emergency_numbers=emergency), *claimed]


def _same_shared_calling(a: SharedCallingPolicy, b: SharedCallingPolicy) -> bool:
    same_ra = names.same(a.resource_account_id or "", b.resource_account_id or "")
    return same_ra and set(a.emergency_numbers) == set(b.emergency_numbers)


def _resource_account_number(state: TenantState, account_id: str | None, op: str) -> PhoneNumber:
    if not account_id:
        raise TenantValidationError("-ResourceAccount is required.", operation=op)
    account = require_user(state, account_id, op)
    if not account.is_resource_account:
        raise TenantValidationError(
            f'"{account.user_principal_name}" is not a resource account.', operation=op
        )
    assigned = [n for n in state.numbers.values() if names.same(n.assigned_target_id, account.id)]
    if not assigned:
        raise TenantValidationError(
            f'The resource account "{account.user_principal_name}" has no phone number assigned.',
            operation=op,
        )
    return assigned[0]


def update_numbers(
    state: TenantState, policy_name: str, add: Collection[str], remove: Collection[str]
) -> list[Any]:
    op = "update_shared_calling_numbers"
    policy = require_policy(state, PolicyType.SHARED_CALLING, policy_name, op)
    both = set(add) & set(remove)
    if both:
        raise TenantValidationError(
            f"Numbers cannot be added and removed at once: {', '.join(sorted(both))}.",
            operation=op,
        )
    current = list(policy.emergency_numbers)
    adding = [n for n in dict.fromkeys(add) if n not in current]
    removing = [n for n in current if n in set(remove)]
    if not adding and not removing:
        return []
    ra_number = _resource_account_number(state, policy.resource_account_id, op)
    added, claimed = _claim_numbers(state, policy.name, ra_number, adding, op)
    target = shared_calling_target_id(policy.name)
    released = [
        _release(state.numbers[n])
        for n in removing
        if n in state.numbers and names.same(state.numbers[n].assigned_target_id, target)
    ]
    kept = [n for n in current if n not in removing]
    # The service appends in the order given: the first number is the one reused when none is
    # free (New-CsTeamsSharedCallingRoutingPolicy docs).
    numbers = tuple(kept) + added
    return [replace(policy, emergency_numbers=numbers), *claimed, *released]


def _release(number: PhoneNumber) -> PhoneNumber:
    return replace(number, assignment_status=AssignmentStatus.UNASSIGNED, assigned_target_id=None)


def _claim_numbers(
    state: TenantState, policy_name: str, ra_number: PhoneNumber, wanted: Collection[str], op: str
) -> tuple[tuple[str, ...], list[PhoneNumber]]:
    """The accepted numbers in order, and the inventory numbers now held by the policy.

    An unassigned Direct Routing number is not in the inventory (only assigned DR numbers
    are), so a DR account's policy accepts a number it does not list (SC-E01)."""
    target = shared_calling_target_id(policy_name)
    accepted: list[str] = []
    claimed = []
    for text in dict.fromkeys(wanted):
        number = state.number(text)
        if number is None and ra_number.number_type is NumberType.DIRECT_ROUTING:
            accepted.append(text)
            continue
        if number is None:
            raise TenantValidationError(
                f"The phone number {text} was not found in the tenant's inventory.", operation=op
            )
        accepted.append(number.telephone_number)
        _check_emergency_number(number, ra_number, target, op)
        claimed.append(
            replace(
                number,
                assignment_status=AssignmentStatus.POLICY_ASSIGNED,
                assigned_target_id=target,
            )
        )
    return tuple(accepted), claimed


def _check_emergency_number(number: PhoneNumber, ra: PhoneNumber, target: str, op: str) -> None:
    n = number.telephone_number
    if number.activation_state is not ActivationState.ACTIVATED:
        raise TenantValidationError(f"The phone number {n} is not activated.", operation=op)
    holder = number.assigned_target_id or ""
    if holder.startswith(f"{PolicyType.SHARED_CALLING.value}|") and not names.same(holder, target):
        raise TenantConflict(
            f"The phone number {n} is already an emergency number in policy "
            f"{holder.split('Tag:', 1)[-1]}.",
            operation=op,
        )
    if number.assignment_status is not AssignmentStatus.UNASSIGNED and not names.same(
        holder, target
    ):
        raise TenantConflict(f"The phone number {n} is already assigned to {holder}.", operation=op)
    if number.number_type is not ra.number_type:
        raise TenantValidationError(
            f"The phone number {n} is {number.number_type.value}; the resource account's number "
            f"is {ra.number_type.value}. All numbers of a policy must have the same type.",
            operation=op,
        )
    _check_country_and_service(number, ra, op)


def _check_country_and_service(number: PhoneNumber, ra: PhoneNumber, op: str) -> None:
    n = number.telephone_number
    country = number.iso_country_code or country_of(n)
    ra_country = ra.iso_country_code or country_of(ra.telephone_number)
    if country != ra_country:
        raise TenantValidationError(
            f"The phone number {n} is in {country}; the resource account's number is in "
            f"{ra_country}.",
            operation=op,
        )
    if (
        ra.is_service_number
        and number.number_type is NumberType.CALLING_PLAN
        and number.is_service_number
    ):
        raise TenantValidationError(
            f"The phone number {n} is a Calling Plan service number; with a Calling Plan service "
            "number on the resource account, emergency numbers must be subscriber numbers.",
            operation=op,
        )
