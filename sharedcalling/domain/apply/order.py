"""Apply order: levels of the plan's sequence, and which earlier changes each change needs.

The plan lists changes in catalogue order (docs/rules.md; a revert lists them in reverse). A job
runs them level by level: a level is a run of changes of one kind, and it starts when the level
before it has finished. On top of that order, a change is not attempted when a change it needs
failed (`needs`):

- the same account's or policy's earlier changes (enterprise voice before that user's grants);
- the creation of the policy it grants or edits (policies before grants);
- the removal of an emergency number it adds again (numbers released before reuse);
- the resource account's changes, for every Shared Calling change (emergency calls must reach
  a number with its location and routing before users are moved onto it).
"""

from __future__ import annotations

from collections.abc import Sequence

from sharedcalling.domain.names import fold, policy_key
from sharedcalling.domain.planning.changes import (
    Change,
    CreateEmergencyCallRoutingPolicy,
    CreateSharedCallingPolicy,
    CreateVoiceRoutingPolicy,
    GrantGroupPolicy,
    GrantPolicy,
    UpdateEmergencyNumbers,
)
from sharedcalling.domain.rules.model import ChangeKind
from sharedcalling.domain.tenant import PolicyType

_RESOURCE_ACCOUNT_KINDS = frozenset({ChangeKind.RA_SET_LOCATION, ChangeKind.RA_GRANT_VRP})
_SHARED_CALLING_KINDS = frozenset(
    {
        ChangeKind.SCP_CREATE,
        ChangeKind.SCP_ADD_NUMBERS,
        ChangeKind.SCP_REMOVE_NUMBERS,
        ChangeKind.SCP_GRANT_USER,
        ChangeKind.SCP_GRANT_GROUP,
    }
)


def levels(changes: Sequence[Change]) -> list[list[int]]:
    """Indexes of `changes` grouped into consecutive runs of one kind, in sequence order."""
    grouped: list[list[int]] = []
    for index, change in enumerate(changes):
        if grouped and changes[grouped[-1][0]].kind is change.kind:
            grouped[-1].append(index)
        else:
            grouped.append([index])
    return grouped


def subject_key(change: Change) -> tuple[str, str]:
    return (change.subject.kind.value, fold(change.subject.id))


def _created(change: Change) -> tuple[PolicyType, str] | None:
    match change:
        case CreateVoiceRoutingPolicy():
            return (PolicyType.VOICE_ROUTING, policy_key(change.policy.name))
        case CreateEmergencyCallRoutingPolicy():
            return (PolicyType.EMERGENCY_CALL_ROUTING, policy_key(change.policy.name))
        case CreateSharedCallingPolicy():
            return (PolicyType.SHARED_CALLING, policy_key(change.policy.name))
        case _:
            return None


def _uses_policy(change: Change) -> tuple[PolicyType, str] | None:
    match change:
        case GrantPolicy() if change.policy_name is not None:
            return (change.policy_type, policy_key(change.policy_name))
        case GrantGroupPolicy():
            return (change.policy_type, policy_key(change.policy_name))
        case UpdateEmergencyNumbers():
            return (PolicyType.SHARED_CALLING, policy_key(change.policy_name))
        case _:
            return None


def _added_numbers(change: Change) -> tuple[str, ...]:
    if isinstance(change, UpdateEmergencyNumbers) and change.kind is ChangeKind.SCP_ADD_NUMBERS:
        return change.numbers
    if isinstance(change, CreateSharedCallingPolicy):
        return change.policy.emergency_numbers
    return ()


def _removed_numbers(change: Change) -> tuple[str, ...]:
    if isinstance(change, UpdateEmergencyNumbers) and change.kind is ChangeKind.SCP_REMOVE_NUMBERS:
        return change.numbers
    return ()


def needs(changes: Sequence[Change]) -> list[tuple[int, ...]]:
    """For each change, the earlier changes whose failure means it is not attempted."""
    by_subject: dict[tuple[str, str], list[int]] = {}
    creators: dict[tuple[PolicyType, str], int] = {}
    removers: dict[str, list[int]] = {}
    account_changes: list[int] = []
    result: list[tuple[int, ...]] = []
    for index, change in enumerate(changes):
        wanted = set(by_subject.get(subject_key(change), ()))
        used = _uses_policy(change)
        if used is not None and used in creators:
            wanted.add(creators[used])
        for number in _added_numbers(change):
            wanted.update(removers.get(number, ()))
        if change.kind in _SHARED_CALLING_KINDS:
            wanted.update(account_changes)
        result.append(tuple(sorted(wanted)))
        by_subject.setdefault(subject_key(change), []).append(index)
        created = _created(change)
        if created is not None:
            creators[created] = index
        for number in _removed_numbers(change):
            removers.setdefault(number, []).append(index)
        if change.kind in _RESOURCE_ACCOUNT_KINDS:
            account_changes.append(index)
    return result


def describe(change: Change) -> str:
    """`user.enable_voice for Diego Siciliani (DiegoS@contoso.example)`, for reasons."""
    return f"{change.kind.value} for {change.subject.display}"
