"""Set-up step 5: grant the policy to each user, or by group policy assignment at a rank."""

from __future__ import annotations

from dataclasses import dataclass

from sharedcalling.domain import names
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import GroupId
from sharedcalling.domain.rules.group_rules import MAX_GROUP_ASSIGNMENTS
from sharedcalling.domain.tenant import Group, PolicyType, TenantSnapshot
from sharedcalling.services.ports import SnapshotScope, TenantGateway


@dataclass(frozen=True, slots=True)
class RankedAssignment:
    group_id: GroupId
    group_name: str
    policy_name: str
    rank: int


@dataclass(frozen=True, slots=True)
class AssignmentOptions:
    existing: tuple[RankedAssignment, ...]
    """Shared Calling group assignments today, by rank (rank 1 wins)."""
    suggested: Group | None
    """The group whose members were added in the users step, if it still exists."""
    default_rank: int
    """After the existing ones: a grant without a rank goes to the end of the list."""
    limit_reached: bool


def _existing(snapshot: TenantSnapshot) -> tuple[RankedAssignment, ...]:
    found = []
    for a in snapshot.group_assignments:
        if a.policy_type is PolicyType.SHARED_CALLING:
            group = snapshot.group(a.group_id)
            name = group.display_name if group is not None else a.group_id
            found.append(RankedAssignment(a.group_id, name, a.policy_name, a.rank))
    return tuple(sorted(found, key=lambda r: (r.rank, names.fold(r.group_name))))


async def assignment_options(
    suggested_group: GroupId | None, *, tenant: TenantGateway
) -> AssignmentOptions:
    snapshot = await tenant.snapshot(SnapshotScope())
    existing = _existing(snapshot)
    return AssignmentOptions(
        existing=existing,
        suggested=snapshot.group(suggested_group) if suggested_group else None,
        default_rank=len(existing) + 1,
        limit_reached=len({names.fold(e.group_id) for e in existing}) >= MAX_GROUP_ASSIGNMENTS,
    )


async def check_group_assignment(
    group_id: str, rank: str | int | None, *, tenant: TenantGateway
) -> tuple[Group, int]:
    """The group and rank, checked again: the group must exist and the rank must fall in
    1 .. (other groups' assignments + 1)."""
    wanted = group_id.strip()
    if not wanted:
        raise InvalidInput("Pick the group to assign the policy to, or assign to each person.")
    snapshot = await tenant.snapshot(SnapshotScope())
    group = snapshot.group(wanted)
    if group is None:
        raise InvalidInput("That group is not in this tenant; pick another one.")
    others = [e for e in _existing(snapshot) if not names.same(e.group_id, group.id)]
    highest = len(others) + 1
    try:
        value = int(str(rank).strip()) if rank not in (None, "") else highest
    except ValueError:
        raise InvalidInput(f"The rank is a whole number from 1 to {highest}.") from None
    if not 1 <= value <= highest:
        raise InvalidInput(f"The rank is a whole number from 1 to {highest} (1 wins over all).")
    return group, value
