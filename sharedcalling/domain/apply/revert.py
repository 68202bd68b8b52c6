"""Revert: the plan that puts back the before-values an apply recorded, and its fingerprint.

An apply records, for every change it writes, the value it replaced (`readback.current_value`,
read just before the write). A revert turns each written change into the change that writes that
value back (`inverse`), newest first, and re-plans them against the tenant like any plan: what is
already back in place is left out, and the fingerprint covers the changes and the values they
replace, so a tenant that changed after approval makes the revert stale.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, assert_never

from sharedcalling.domain.apply.readback import current_value, group_assignment_of, in_place
from sharedcalling.domain.planning.changes import (
    Change,
    CreateEmergencyCallRoutingPolicy,
    CreateSharedCallingPolicy,
    CreateVoiceRoutingPolicy,
    DisableVoice,
    EnableVoice,
    GrantGroupPolicy,
    GrantPolicy,
    SetNumberLocation,
    UpdateEmergencyNumbers,
)
from sharedcalling.domain.policy import AssignmentSource, EffectivePolicy, effective_policy
from sharedcalling.domain.rules.model import ChangeKind
from sharedcalling.domain.tenant import TenantSnapshot

REVERT_FINGERPRINT_VERSION = 1


@dataclass(frozen=True, slots=True)
class AppliedChange:
    """A change an apply wrote, with the value it replaced (`readback.current_value`)."""

    change: Change
    before: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class NotRevertible:
    """A written change a revert cannot undo, and what an admin can do instead."""

    change: Change
    reason: str


@dataclass(frozen=True, slots=True)
class RevertPlan:
    changes: tuple[Change, ...]
    fingerprint: str


def inverse(applied: AppliedChange) -> Change | NotRevertible | None:
    """The change that writes the recorded value back; None when nothing needs undoing."""
    change, before = applied.change, applied.before
    match change:
        case EnableVoice() | DisableVoice():
            was = before.get("voice")
            if isinstance(change, EnableVoice):
                return DisableVoice(change.subject) if was is False else None
            return EnableVoice(change.subject) if was is True else None
        case GrantPolicy():
            restored = before.get("direct")
            return replace(change, before="", policy_name=restored)
        case GrantGroupPolicy():
            return _inverse_group(change, before)
        case SetNumberLocation():
            location = before.get("location_id")
            if not location:
                return NotRevertible(
                    change,
                    f"{change.telephone_number} had no emergency location before; the bot does "
                    "not remove a number's location.",
                )
            return replace(change, before=change.location_id, location_id=location)
        case (
            CreateVoiceRoutingPolicy()
            | CreateEmergencyCallRoutingPolicy()
            | (CreateSharedCallingPolicy())
        ):
            return NotRevertible(
                change,
                f'Policy "{change.policy.name}" stays: a revert never deletes a policy. Remove '
                "it in PowerShell once nobody uses it, if it is not wanted.",
            )
        case UpdateEmergencyNumbers():
            return _inverse_numbers(change, before)
        case _:
            assert_never(change)


def _inverse_group(change: GrantGroupPolicy, before: Mapping[str, Any]) -> Change | NotRevertible:
    policy, rank = before.get("policy"), before.get("rank")
    if not isinstance(policy, str) or not isinstance(rank, int):
        return NotRevertible(
            change,
            f"The group had no {change.policy_type.value} assignment before; the bot does not "
            "remove group assignments (Remove-CsGroupPolicyAssignment does).",
        )
    return replace(change, policy_name=policy, rank=rank, before=change.policy_name)


def _inverse_numbers(change: UpdateEmergencyNumbers, before: Mapping[str, Any]) -> Change | None:
    held = list(before.get("numbers") or ())
    if change.kind is ChangeKind.SCP_ADD_NUMBERS:
        added = tuple(n for n in change.numbers if n not in held)
        kind = ChangeKind.SCP_REMOVE_NUMBERS
        return UpdateEmergencyNumbers(kind, change.policy_name, added, (), ()) if added else None
    removed = tuple(n for n in change.numbers if n in held)
    kind = ChangeKind.SCP_ADD_NUMBERS
    return UpdateEmergencyNumbers(kind, change.policy_name, removed, (), ()) if removed else None


def revert_targets(
    applied: Sequence[AppliedChange],
) -> tuple[tuple[Change, ...], tuple[NotRevertible, ...]]:
    """The inverse changes, newest first (the reverse of the apply order), and what cannot be
    undone. `applied` is in the order the changes were planned."""
    targets: list[Change] = []
    refused: list[NotRevertible] = []
    for item in reversed(applied):
        undone = inverse(item)
        if isinstance(undone, NotRevertible):
            refused.append(undone)
        elif undone is not None:
            targets.append(undone)
    return tuple(targets), tuple(refused)


def describe_effective(policy: EffectivePolicy) -> str:
    """`Global`, `HelpDesk (direct)` or `Seattle (group <id>, rank 1)`, as plans show it."""
    if policy.source is AssignmentSource.GLOBAL:
        return policy.name
    if policy.source is AssignmentSource.DIRECT:
        return f"{policy.name} (direct)"
    return f"{policy.name} (group {policy.group_id}, rank {policy.rank})"


def _refreshed(change: Change, snapshot: TenantSnapshot) -> Change:
    """The change with its before-value as the tenant holds it now."""
    match change:
        case GrantPolicy():
            now = effective_policy(change.account_id, change.policy_type, snapshot)
            return replace(change, before=describe_effective(now))
        case SetNumberLocation():
            number = snapshot.number(change.telephone_number)
            return replace(change, before=None if number is None else number.location_id)
        case UpdateEmergencyNumbers():
            policy = snapshot.shared_calling_policy(change.policy_name)
            held = tuple(policy.emergency_numbers) if policy is not None else ()
            if change.kind is ChangeKind.SCP_ADD_NUMBERS:
                after = (*held, *(n for n in change.numbers if n not in held))
            else:
                after = tuple(n for n in held if n not in change.numbers)
            return replace(change, before=held, after=after)
        case GrantGroupPolicy():
            held_group = group_assignment_of(snapshot, change)
            return replace(change, before=None if held_group is None else held_group.policy_name)
        case _:
            return change


def plan_revert(targets: Sequence[Change], snapshot: TenantSnapshot) -> RevertPlan:
    """The revert as the tenant needs it now: targets not yet back in place, with their current
    before-values, and a fingerprint over both."""
    changes = tuple(_refreshed(c, snapshot) for c in targets if not in_place(c, snapshot))
    body = {
        "v": REVERT_FINGERPRINT_VERSION,
        "kind": "revert",
        "changes": [c.as_fact() for c in changes],
        "basis": [current_value(c, snapshot) for c in changes],
    }
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return RevertPlan(changes, "sha256:" + hashlib.sha256(blob.encode()).hexdigest())
