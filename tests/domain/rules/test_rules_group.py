"""Group policy assignment rules: SC-P03, SC-P08, and SC-P02/SC-P05 when a group is the target."""

from __future__ import annotations

from dataclasses import replace

from sharedcalling.domain.desired import GroupAssignment
from sharedcalling.domain.ids import GroupId
from sharedcalling.domain.rules import ChangeKind, Severity, SubjectKind, check
from sharedcalling.domain.tenant import (
    Group,
    GroupPolicyAssignment,
    PolicyRef,
    PolicyType,
    TenantSnapshot,
)
from tests.domain.rules.builders import (
    ANN,
    ANN_DISPLAY,
    BOB,
    desired,
    findings,
    healthy,
    only,
    person,
    with_users,
)

FLOOR = GroupId("00000000-0000-4000-a000-000000000003")
OTHER = GroupId("00000000-0000-4000-a000-000000000004")
SC = PolicyType.SHARED_CALLING
NO_PSTN = PolicyRef(PolicyType.VOICE_ROUTING, "NoPSTN")
US_EMERGENCY = PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-Emergency")


def tenant_with_floor(
    *assignments: GroupPolicyAssignment, nested: tuple[GroupId, ...] = ()
) -> TenantSnapshot:
    """Ann (no Shared Calling policy yet) is a direct member of Floor 2."""
    ann = person(direct_policies=(NO_PSTN, US_EMERGENCY))
    snapshot = with_users(healthy(), ann)
    floor = Group(FLOOR, "Floor 2", (ANN,), nested_group_ids=nested)
    return replace(snapshot, groups={FLOOR: floor}, group_assignments=assignments)


def by_group(rank: int = 1, group: GroupId = FLOOR, **changes: object) -> object:
    return desired(policy_name="Redmond", group_assignment=GroupAssignment(group, rank), **changes)


def _assignments(count: int) -> tuple[GroupPolicyAssignment, ...]:
    return tuple(
        GroupPolicyAssignment(GroupId(f"group-{n:02d}"), SC, "Seattle", n + 1) for n in range(count)
    )


def test_sc_p03_blocks_the_65th_group_assignment_of_the_type() -> None:
    snapshot = tenant_with_floor(*_assignments(64))
    finding = only("SC-P03", snapshot, by_group())
    assert finding.severity is Severity.BLOCK
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.GROUP, FLOOR)
    assert finding.message == (
        "Policy type TeamsSharedCallingRoutingPolicy already has 64 group assignments (limit "
        "64); assign per user instead."
    )


def test_sc_p03_is_silent_below_the_limit_and_for_a_group_that_is_replaced() -> None:
    assert findings("SC-P03", tenant_with_floor(*_assignments(63)), by_group()) == []
    replaced = (*_assignments(63), GroupPolicyAssignment(FLOOR, SC, "Seattle", 64))
    assert findings("SC-P03", tenant_with_floor(*replaced), by_group()) == []


def test_sc_p03_is_silent_without_a_group_assignment() -> None:
    assert findings("SC-P03", tenant_with_floor(*_assignments(64))) == []


def test_sc_p08_names_nested_groups_and_the_propagation_delay() -> None:
    snapshot = tenant_with_floor(nested=(OTHER,))
    found = findings("SC-P08", snapshot, by_group())
    assert [f.severity for f in found] == [Severity.WARN, Severity.WARN]
    assert found[0].message == (
        "Floor 2 has 1 nested groups whose members will not receive the policy; only its 1 "
        "direct members do."
    )
    assert "may take up to 24 h" in found[1].message


def test_sc_p08_only_warns_about_propagation_for_a_flat_group() -> None:
    [finding] = findings("SC-P08", tenant_with_floor(), by_group())
    assert finding.severity is Severity.WARN
    assert "nested" not in finding.message


def test_sc_p08_blocks_a_group_the_tenant_does_not_have() -> None:
    finding = only("SC-P08", tenant_with_floor(), by_group(group=OTHER))
    assert finding.severity is Severity.BLOCK
    assert finding.message == f"Group {OTHER} was not found in the tenant; choose another group."


def test_sc_p08_is_silent_for_a_per_user_plan() -> None:
    assert findings("SC-P08", tenant_with_floor()) == []


def test_sc_p02_says_the_group_delivers_the_policy_to_a_direct_member() -> None:
    fixes = [
        f for f in findings("SC-P02", tenant_with_floor(), by_group()) if f.severity is Severity.FIX
    ]
    [finding] = fixes
    assert finding.changes == (ChangeKind.SCP_GRANT_GROUP,)
    assert finding.message == (
        f"{ANN_DISPLAY}'s effective Shared Calling policy is Global; the plan assigns Redmond "
        "to group Floor 2, of which Ann Example (ann@contoso.example) is a direct member."
    )


def test_sc_p02_grants_directly_where_a_higher_ranked_group_would_win() -> None:
    ahead = GroupPolicyAssignment(OTHER, SC, "Seattle", 1)
    snapshot = tenant_with_floor(ahead)
    other = Group(OTHER, "Everyone", (ANN,))
    snapshot = replace(snapshot, groups={**snapshot.groups, OTHER: other})
    [fix] = [
        f for f in findings("SC-P02", snapshot, by_group(rank=2)) if f.severity is Severity.FIX
    ]
    assert fix.changes == (ChangeKind.SCP_GRANT_USER,)
    # At rank 1 the new grant goes first and the other group's assignment moves down.
    [fix] = [
        f for f in findings("SC-P02", snapshot, by_group(rank=1)) if f.severity is Severity.FIX
    ]
    assert fix.changes == (ChangeKind.SCP_GRANT_GROUP,)


def test_sc_p02_grants_directly_to_a_selected_user_outside_the_group() -> None:
    snapshot = with_users(tenant_with_floor(), person(BOB, direct_policies=(NO_PSTN,)))
    wanted = by_group(user_ids=(ANN, BOB))
    fixes = {
        f.subject.id: f.changes
        for f in findings("SC-P02", snapshot, wanted)
        if f.severity is Severity.FIX
    }
    assert fixes == {ANN: (ChangeKind.SCP_GRANT_GROUP,), BOB: (ChangeKind.SCP_GRANT_USER,)}


def test_sc_p05_grants_emergency_routing_directly_beside_a_group_grant() -> None:
    ann = person(direct_policies=(NO_PSTN,))  # no ECRP: Global is unsuitable
    snapshot = with_users(tenant_with_floor(), ann)
    group_findings = [
        f for f in findings("SC-P05", snapshot, by_group()) if f.subject.kind is SubjectKind.GROUP
    ]
    [finding] = group_findings
    assert (finding.severity, finding.changes) == (Severity.FIX, (ChangeKind.USER_GRANT_ECRP,))
    assert "cannot be assigned by group" in finding.message
    assert "to the 1 users who need it" in finding.message


def test_sc_p05_says_nothing_about_the_group_when_every_member_has_a_suitable_policy() -> None:
    assert findings("SC-P05", tenant_with_floor(), by_group()) == []


def test_the_group_rules_run_in_the_registry() -> None:
    codes = {f.code for f in check(by_group(), tenant_with_floor(*_assignments(64)))}
    assert {"SC-P03", "SC-P08"} <= codes
