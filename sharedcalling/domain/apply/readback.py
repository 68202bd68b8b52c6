"""Test-then-set: what the tenant holds for the setting a change writes, and whether it is
already what the change wants. Pure functions of a snapshot read just before the write."""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

from sharedcalling.domain.names import fold, policy_key, same
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
from sharedcalling.domain.rules.model import ChangeKind, SubjectKind
from sharedcalling.domain.tenant import GroupPolicyAssignment, PolicyType, TenantSnapshot

ACCOUNT_SUBJECTS = frozenset({SubjectKind.USER, SubjectKind.RESOURCE_ACCOUNT})


def accounts_to_read(changes: list[Change] | tuple[Change, ...]) -> list[str]:
    """The account ids a snapshot must hold to test these changes (policies, numbers and groups
    are in every snapshot)."""
    return sorted({c.subject.id for c in changes if c.subject.kind in ACCOUNT_SUBJECTS})


def _same_policy(left: str | None, right: str | None) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return policy_key(left) == policy_key(right)


def group_assignment_of(
    snapshot: TenantSnapshot, change: GrantGroupPolicy
) -> GroupPolicyAssignment | None:
    return next(
        (
            a
            for a in snapshot.group_assignments
            if a.policy_type is change.policy_type and same(a.group_id, change.group_id)
        ),
        None,
    )


def _policy_numbers(snapshot: TenantSnapshot, name: str) -> list[str] | None:
    policy = snapshot.shared_calling_policy(name)
    return None if policy is None else list(policy.emergency_numbers)


PolicyCreation = (
    CreateVoiceRoutingPolicy | CreateEmergencyCallRoutingPolicy | CreateSharedCallingPolicy
)
_CREATED_TYPE: dict[type, PolicyType] = {
    CreateVoiceRoutingPolicy: PolicyType.VOICE_ROUTING,
    CreateEmergencyCallRoutingPolicy: PolicyType.EMERGENCY_CALL_ROUTING,
    CreateSharedCallingPolicy: PolicyType.SHARED_CALLING,
}


def current_value(change: Change, snapshot: TenantSnapshot) -> dict[str, JsonValue]:
    """The value the change replaces, as JSON: the before-value a revert restores."""
    match change:
        case EnableVoice() | DisableVoice():
            user = snapshot.user(change.subject.id)
            return {"voice": None if user is None else user.enterprise_voice_enabled}
        case SetNumberLocation():
            number = snapshot.number(change.telephone_number)
            return {"location_id": None if number is None else number.location_id}
        case GrantPolicy():
            account = snapshot.user(change.subject.id)
            direct = None if account is None else account.direct_policy(change.policy_type)
            return {"direct": direct}
        case GrantGroupPolicy():
            found = group_assignment_of(snapshot, change)
            return {
                "policy": None if found is None else found.policy_name,
                "rank": None if found is None else found.rank,
            }
        case (
            CreateVoiceRoutingPolicy()
            | CreateEmergencyCallRoutingPolicy()
            | (CreateSharedCallingPolicy())
        ):
            existing = snapshot.policy(_CREATED_TYPE[type(change)], change.policy.name)
            return {"exists": existing is not None}
        case UpdateEmergencyNumbers():
            numbers = _policy_numbers(snapshot, change.policy_name)
            return {"numbers": None if numbers is None else list(numbers)}
        case _:
            assert_never(change)


def in_place(change: Change, snapshot: TenantSnapshot) -> bool:
    """Whether the tenant already holds what `change` would write."""
    match change:
        case EnableVoice() | DisableVoice():
            user = snapshot.user(change.subject.id)
            wanted = isinstance(change, EnableVoice)
            return user is not None and user.enterprise_voice_enabled is wanted
        case (
            CreateVoiceRoutingPolicy()
            | CreateEmergencyCallRoutingPolicy()
            | (CreateSharedCallingPolicy())
        ):
            return _policy_in_place(change, snapshot)
        case SetNumberLocation():
            number = snapshot.number(change.telephone_number)
            return number is not None and same(number.location_id, change.location_id)
        case GrantPolicy():
            account = snapshot.user(change.subject.id)
            if account is None:
                return False
            return _same_policy(account.direct_policy(change.policy_type), change.policy_name)
        case GrantGroupPolicy():
            found = group_assignment_of(snapshot, change)
            return (
                found is not None
                and _same_policy(found.policy_name, change.policy_name)
                and found.rank == change.rank
            )
        case UpdateEmergencyNumbers():
            held = _policy_numbers(snapshot, change.policy_name)
            if held is None:
                return False
            present = {n for n in change.numbers if n in held}
            adding = change.kind is ChangeKind.SCP_ADD_NUMBERS
            return len(present) == len(set(change.numbers)) if adding else not present
        case _:
            assert_never(change)


def _policy_in_place(change: PolicyCreation, snapshot: TenantSnapshot) -> bool:
    """The policy exists as the change would create it (compared as the service compares a
    repeated New-*: usages in order, emergency numbers as a set)."""
    match change:
        case CreateVoiceRoutingPolicy():
            vrp = snapshot.voice_routing_policy(change.policy.name)
            return vrp is not None and tuple(vrp.pstn_usages) == tuple(change.policy.pstn_usages)
        case CreateEmergencyCallRoutingPolicy():
            ecrp, wanted = snapshot.emergency_routing_policy(change.policy.name), change.policy
            return (
                ecrp is not None
                and set(ecrp.emergency_numbers) == set(wanted.emergency_numbers)
                and ecrp.enhanced_emergency_services == wanted.enhanced_emergency_services
            )
        case CreateSharedCallingPolicy():
            scp = snapshot.shared_calling_policy(change.policy.name)
            return (
                scp is not None
                and fold(scp.resource_account_id or "")
                == fold(change.policy.resource_account_id or "")
                and set(scp.emergency_numbers) == set(change.policy.emergency_numbers)
            )
        case _:
            assert_never(change)


def policy_type_of(change: Change) -> PolicyType | None:
    """The policy type a grant assigns; None for other changes."""
    if isinstance(change, GrantPolicy | GrantGroupPolicy):
        return change.policy_type
    return None


def shown_text(change: Change, snapshot: TenantSnapshot) -> str:
    """What the tenant shows where `change` wrote, in words for the report ("no direct policy")."""
    value = current_value(change, snapshot)
    key, first = next(iter(value.items()))
    words = _SHOWN.get(key)
    return words(value, first) if words is not None else str(value)


def _numbers_text(numbers: JsonValue) -> str:
    if not isinstance(numbers, list):
        return "no such policy"
    return "emergency callback numbers " + (", ".join(map(str, numbers)) or "none")


_SHOWN: dict[str, Callable[[dict[str, JsonValue], JsonValue], str]] = {
    "voice": lambda _, on: (
        "no such account any more" if on is None else f"Enterprise Voice {'on' if on else 'off'}"
    ),
    "location_id": lambda _, at: f"emergency location {at}" if at else "no emergency location",
    "direct": lambda _, name: (
        f'the policy "{name}" assigned directly'
        if name
        else "no direct assignment (Global or a group's policy applies)"
    ),
    "policy": lambda value, name: (
        f'the group assigned "{name}" at rank {value.get("rank")}'
        if name
        else "no group assignment of this policy type"
    ),
    "exists": lambda _, found: "the policy, with other settings" if found else "no such policy",
    "numbers": lambda _, numbers: _numbers_text(numbers),
}
"""current_value's key: the words for what it holds."""
