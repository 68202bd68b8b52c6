"""Planning a group policy assignment on the demo tenant: Seattle Floor 2 (Nestor, Patti)."""

import asyncio
from dataclasses import replace

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.desired import DesiredState, GroupAssignment
from sharedcalling.domain.planning import ChangeKind, GrantGroupPolicy, Plan, plan
from sharedcalling.domain.rules import Severity
from sharedcalling.domain.tenant import Group, TenantSnapshot
from sharedcalling.services.planning import with_derived_countries
from sharedcalling.services.ports import SnapshotScope
from tests.demo_ids import DIEGO, NESTOR, PATTI, RA_MAINLINE, SEATTLE_FLOOR_2

NUMBERS = ("+14255550193", "+14255550194")


@pytest.fixture(scope="module")
def snapshot() -> TenantSnapshot:
    gateway = EmulatedTenantGateway.seeded()
    return asyncio.run(gateway.snapshot(SnapshotScope(user_ids=[NESTOR, PATTI, DIEGO])))


def by_group(snapshot: TenantSnapshot, rank: int = 1, users: tuple[str, ...] = ()) -> Plan:
    desired = DesiredState(
        RA_MAINLINE,
        "Redmond",
        tuple(users),  # type: ignore[arg-type]
        emergency_numbers=NUMBERS,
        group_assignment=GroupAssignment(SEATTLE_FLOOR_2, rank),
    )
    return plan(with_derived_countries(desired, snapshot), snapshot)


def test_the_group_is_granted_the_new_policy_replacing_its_old_one(
    snapshot: TenantSnapshot,
) -> None:
    result = by_group(snapshot)
    [grant] = [c for c in result.changes if isinstance(c, GrantGroupPolicy)]
    assert (grant.group_id, grant.policy_name, grant.rank) == (SEATTLE_FLOOR_2, "Redmond", 1)
    assert grant.before == "Seattle (rank 1)"
    assert grant.subject.display == "Seattle Floor 2"


def test_every_direct_member_is_checked_even_when_not_listed(snapshot: TenantSnapshot) -> None:
    result = by_group(snapshot)
    assert result.requested_count == 2
    assert set(result.changing_user_ids) == {NESTOR, PATTI}


def test_a_member_with_a_direct_policy_gets_a_direct_grant_the_others_come_by_group(
    snapshot: TenantSnapshot,
) -> None:
    result = by_group(snapshot)
    user_grants = {c.subject.id for c in result.changes if c.kind is ChangeKind.SCP_GRANT_USER}
    assert user_grants == {PATTI}  # her direct HelpDesk beats any group
    fixes = {
        f.subject.id: f.changes
        for f in result.findings
        if f.code == "SC-P02" and f.severity is Severity.FIX
    }
    assert fixes[NESTOR] == (ChangeKind.SCP_GRANT_GROUP,)
    moves = {
        f.subject.id for f in result.findings if f.code == "SC-P02" and f.severity is Severity.WARN
    }
    assert moves == {NESTOR, PATTI}


def test_a_listed_user_outside_the_group_is_granted_directly(snapshot: TenantSnapshot) -> None:
    result = by_group(snapshot, users=(DIEGO,))
    direct = {c.subject.id for c in result.changes if c.kind is ChangeKind.SCP_GRANT_USER}
    assert direct == {DIEGO, PATTI}
    assert DIEGO in result.changing_user_ids


def test_the_group_grant_comes_after_the_policy_exists(snapshot: TenantSnapshot) -> None:
    kinds = [c.kind for c in by_group(snapshot).changes]
    assert kinds.index(ChangeKind.SCP_CREATE) < kinds.index(ChangeKind.SCP_GRANT_GROUP)
    assert kinds[-1] is ChangeKind.SCP_GRANT_GROUP


def test_no_group_grant_when_the_group_already_holds_the_policy_at_that_rank(
    snapshot: TenantSnapshot,
) -> None:
    desired = DesiredState(
        RA_MAINLINE, "Seattle", group_assignment=GroupAssignment(SEATTLE_FLOOR_2, 1)
    )
    result = plan(with_derived_countries(desired, snapshot), snapshot)
    assert not any(isinstance(c, GrantGroupPolicy) for c in result.changes)
    assert result.compliant_user_ids == (NESTOR,)
    assert result.changing_user_ids == (PATTI,)


def test_the_fingerprint_follows_the_group_membership(snapshot: TenantSnapshot) -> None:
    before = by_group(snapshot).fingerprint
    floor = snapshot.group(SEATTLE_FLOOR_2)
    assert floor is not None
    joined = replace(floor, member_ids=(*floor.member_ids, DIEGO))
    changed = replace(snapshot, groups={**snapshot.groups, floor.id: joined})
    assert by_group(changed).fingerprint != before
    assert by_group(snapshot, rank=2).fingerprint != before


def test_a_per_user_plan_has_no_group_facts(snapshot: TenantSnapshot) -> None:
    desired = DesiredState(RA_MAINLINE, "Redmond", (DIEGO,), emergency_numbers=NUMBERS)
    result = plan(with_derived_countries(desired, snapshot), snapshot)
    assert "group" not in result.basis
    assert "group" in by_group(snapshot).basis


def test_an_unknown_group_blocks_the_plan(snapshot: TenantSnapshot) -> None:
    groups = {k: v for k, v in snapshot.groups.items() if v.id != SEATTLE_FLOOR_2}
    missing = replace(snapshot, groups=groups)
    result = by_group(missing, users=(DIEGO,))
    assert result.blocked
    assert result.changes == ()
    assert any(f.code == "SC-P08" and f.severity is Severity.BLOCK for f in result.findings)


def test_nested_groups_get_the_caveat(snapshot: TenantSnapshot) -> None:
    floor = snapshot.group(SEATTLE_FLOOR_2)
    assert isinstance(floor, Group)
    nested = replace(floor, nested_group_ids=(SEATTLE_FLOOR_2[:-1] + "9",))  # type: ignore[arg-type]
    changed = replace(snapshot, groups={**snapshot.groups, floor.id: nested})
    messages = [f.message for f in by_group(changed).findings if f.code == "SC-P08"]
    assert any("nested groups" in m for m in messages)
