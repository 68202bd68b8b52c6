"""The service's own validation of writes, as the emulated tenant enforces it.

Each function checks one write against the current state and returns the objects it changes
(empty when the write is a no-op), or raises the port error the real service would cause, with a
message in the cmdlet's words. Nothing here mutates the state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sharedcalling.adapters.tenant.emulated_state import TenantState
from sharedcalling.domain import names
from sharedcalling.domain.ids import GroupId
from sharedcalling.domain.tenant import (
    GLOBAL_POLICY,
    PLAN_TEAMS_PHONE,
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    GroupPolicyAssignment,
    PolicyRef,
    PolicyType,
    ProvisioningStatus,
    User,
)
from sharedcalling.services.ports import (
    TenantConflict,
    TenantNotFound,
    TenantValidationError,
)

MAX_GROUPS_PER_POLICY_TYPE = 64
NO_LOCATION = "00000000-0000-0000-0000-000000000000"


def require_user(state: TenantState, key: str, operation: str) -> User:
    user = state.user(key)
    if user is None:
        raise TenantNotFound(
            f'Management object not found for identity "{key}".', operation=operation
        )
    return user


def require_policy(state: TenantState, policy_type: PolicyType, name: str, operation: str) -> Any:
    policy = state.policies(policy_type).get(names.policy_key(name))
    if policy is None:
        raise TenantNotFound(
            f'Cannot find policy "{name}" of type {policy_type.value}.', operation=operation
        )
    return policy


def enterprise_voice(state: TenantState, user_id: str, enabled: bool) -> list[Any]:
    op = "set_enterprise_voice"
    user = require_user(state, user_id, op)
    if user.enterprise_voice_enabled == enabled:
        return []
    if enabled and not user.is_resource_account:
        if not user.account_enabled or user.soft_deleted:
            raise TenantValidationError(
                f'The user "{user.user_principal_name}" is disabled; Enterprise Voice cannot be '
                "enabled.",
                operation=op,
            )
        if user.plan_status(PLAN_TEAMS_PHONE) is not ProvisioningStatus.SUCCESS:
            raise TenantValidationError(
                f'The user "{user.user_principal_name}" is not licensed for Teams Phone '
                f"({PLAN_TEAMS_PHONE}); Enterprise Voice cannot be enabled.",
                operation=op,
            )
    return [replace(user, enterprise_voice_enabled=enabled)]


def grant(
    state: TenantState, policy_type: PolicyType, user_id: str, policy_name: str | None
) -> list[Any]:
    op = "grant_policy"
    user = require_user(state, user_id, op)
    name = None
    if policy_name is not None:
        name = require_policy(state, policy_type, policy_name, op).name
        if names.same(name, GLOBAL_POLICY):
            raise TenantValidationError(
                f"The Global {policy_type.value} cannot be granted to a user; grant $null to "
                "remove the direct assignment.",
                operation=op,
            )
        if policy_type is PolicyType.SHARED_CALLING and user.is_resource_account:
            raise TenantValidationError(
                f'"{user.user_principal_name}" is a resource account; Shared Calling routing '
                "policies can only be assigned to users.",
                operation=op,
            )
    if user.direct_policy(policy_type) == name:
        return []
    kept = tuple(ref for ref in user.direct_policies if ref.policy_type is not policy_type)
    added = (PolicyRef(policy_type, name),) if name is not None else ()
    return [replace(user, direct_policies=kept + added)]


def grant_group(
    state: TenantState, policy_type: PolicyType, group_id: str, policy_name: str, rank: int
) -> list[Any]:
    op = "grant_group_policy"
    group = state.groups.get(names.fold(group_id))
    if group is None:
        raise TenantNotFound(f'Group "{group_id}" was not found.', operation=op)
    name = require_policy(state, policy_type, policy_name, op).name
    if rank < 1:
        raise TenantValidationError(f"Rank must be 1 or more, got {rank}.", operation=op)
    wanted = GroupPolicyAssignment(GroupId(group.id), policy_type, name, rank)
    key = f"{policy_type.value}|{names.fold(group.id)}"
    current = state.group_assignments.get(key)
    if current == wanted:
        return []
    same_type = sum(1 for a in state.group_assignments.values() if a.policy_type is policy_type)
    if current is None and same_type >= MAX_GROUPS_PER_POLICY_TYPE:
        raise TenantValidationError(
            f"Policy type {policy_type.value} already has {same_type} group assignments "
            f"(limit {MAX_GROUPS_PER_POLICY_TYPE}).",
            operation=op,
        )
    return [wanted]


def create_policy(
    state: TenantState, policy_type: PolicyType, policy: Any, same: Callable[[Any, Any], bool]
) -> list[Any]:
    """New-Cs… for a routing, emergency or caller-id policy: conflict if it exists differently."""
    op = f"create_{_OPERATION_NOUN[policy_type]}"
    check_name(policy.name, op)
    existing = state.policies(policy_type).get(names.policy_key(policy.name))
    if existing is not None:
        if same(existing, policy):
            return []
        raise TenantConflict(
            f'A {policy_type.value} with identity "Tag:{existing.name}" already exists with '
            "different settings.",
            operation=op,
        )
    if isinstance(policy, CallingLineIdentityPolicy):
        _check_caller_id(state, policy, op)
    return [policy]


def check_name(name: str, op: str) -> None:
    if not name.strip() or names.fold(name).startswith(names.TAG_PREFIX):
        raise TenantValidationError(
            f"Invalid policy identity {name!r}: give a name without the Tag: prefix.",
            operation=op,
        )


_OPERATION_NOUN = {
    PolicyType.VOICE_ROUTING: "voice_routing_policy",
    PolicyType.EMERGENCY_CALL_ROUTING: "emergency_call_routing_policy",
    PolicyType.CALLING_LINE_IDENTITY: "calling_line_identity_policy",
    PolicyType.SHARED_CALLING: "shared_calling_policy",
}


def _check_caller_id(state: TenantState, policy: CallingLineIdentityPolicy, op: str) -> None:
    if policy.substitute is not CallingIdSubstitute.RESOURCE:
        return
    account = state.user(policy.resource_account_id or "")
    if account is None or not account.is_resource_account:
        raise TenantValidationError(
            "CallingIDSubstitute Resource needs -ResourceAccount set to a resource account.",
            operation=op,
        )


def number_location(state: TenantState, telephone_number: str, location_id: str) -> list[Any]:
    op = "set_number_location"
    number = state.number(telephone_number)
    if number is None:
        raise TenantNotFound(
            f"The phone number {telephone_number} was not found in the tenant's inventory.",
            operation=op,
        )
    if names.same(number.location_id or "", location_id):
        return []
    if not number.location_update_supported:
        raise TenantValidationError(
            f"Updating the location of {telephone_number} is not supported; contact the "
            "Telephone Number Services service desk.",
            operation=op,
        )
    location = state.locations.get(names.fold(location_id))
    if location is None or location_id == NO_LOCATION:
        raise TenantValidationError(f"The location {location_id} was not found.", operation=op)
    return [replace(number, location_id=location.id)]
