"""Policy rules SC-P01, SC-P02, SC-P05, SC-P06, one fact varied at a time."""

from __future__ import annotations

from dataclasses import replace

from sharedcalling.domain.ids import GroupId
from sharedcalling.domain.rules import ChangeKind, Severity, SubjectKind
from sharedcalling.domain.tenant import (
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    Group,
    GroupPolicyAssignment,
    PolicyRef,
    PolicyType,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
)
from tests.domain.rules.builders import (
    ANN,
    ANN_DISPLAY,
    HELD,
    OTHER_RA_ID,
    POLICY,
    RA_DISPLAY,
    SPARE,
    desired,
    findings,
    healthy,
    only,
    person,
    ra,
    with_users,
)

FLOOR = GroupId("00000000-0000-4000-a000-000000000003")


def ann_with(*policies: PolicyRef) -> User:
    return person(direct_policies=policies)


NO_PSTN = PolicyRef(PolicyType.VOICE_ROUTING, "NoPSTN")
US_EMERGENCY = PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-Emergency")


def test_sc_p01_creates_a_missing_policy_for_the_resource_account() -> None:
    finding = only("SC-P01", wanted=desired(policy_name="Redmond"))
    assert (finding.severity, finding.changes) == (Severity.FIX, (ChangeKind.SCP_CREATE,))
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.POLICY, "Redmond")
    assert finding.message == (
        f"Shared Calling policy Redmond does not exist; the plan creates it for {RA_DISPLAY}."
    )


def test_sc_p01_blocks_a_policy_that_points_to_another_resource_account() -> None:
    other = ra(id=OTHER_RA_ID, display_name="Berlin Line")
    policy = SharedCallingPolicy(POLICY, OTHER_RA_ID, (HELD,))
    snapshot = replace(with_users(healthy(), other), shared_calling_policies={POLICY: policy})
    finding = only("SC-P01", snapshot)
    assert (finding.severity, finding.changes) == (Severity.BLOCK, ())
    assert finding.message == f"Policy {POLICY} points to Berlin Line; choose a new policy name."


def test_sc_p01_adds_and_removes_emergency_numbers_to_reach_the_wanted_set() -> None:
    finding = only("SC-P01", wanted=desired(emergency_numbers=(SPARE,)))
    assert finding.severity is Severity.FIX
    assert finding.changes == (ChangeKind.SCP_REMOVE_NUMBERS, ChangeKind.SCP_ADD_NUMBERS)
    assert finding.message == (
        f"The plan removes {HELD} and adds {SPARE} as emergency numbers of policy {POLICY}."
    )


def test_sc_p01_is_silent_when_the_policy_matches_in_any_order() -> None:
    assert findings("SC-P01") == []
    assert findings("SC-P01", wanted=desired(emergency_numbers=(HELD, HELD))) == []


def test_sc_p02_grants_the_target_policy_to_a_user_on_global() -> None:
    snapshot = with_users(healthy(), ann_with(NO_PSTN, US_EMERGENCY))
    finding = only("SC-P02", snapshot)
    assert (finding.severity, finding.changes) == (Severity.FIX, (ChangeKind.SCP_GRANT_USER,))
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.USER, ANN)
    assert finding.message == (
        f"{ANN_DISPLAY}'s effective Shared Calling policy is Global; the plan grants {POLICY} "
        "directly."
    )


def test_sc_p02_warns_when_it_moves_a_user_from_another_policy() -> None:
    other = PolicyRef(PolicyType.SHARED_CALLING, "Redmond")
    snapshot = with_users(healthy(), ann_with(NO_PSTN, US_EMERGENCY, other))
    by_severity = {f.severity: f for f in findings("SC-P02", snapshot)}
    assert set(by_severity) == {Severity.FIX, Severity.WARN}
    assert "is Redmond (direct assignment);" in by_severity[Severity.FIX].message
    warning = by_severity[Severity.WARN]
    assert warning.message == f"The plan moves {ANN_DISPLAY} from Redmond to {POLICY}."


def test_sc_p02_is_silent_when_the_user_already_has_the_policy() -> None:
    assert findings("SC-P02") == []


def group_delivered_ecrp(name: str) -> TenantSnapshot:
    """Ann gets ECRP `name` from the `Seattle Floor 2` group only."""
    snapshot = with_users(
        healthy(), ann_with(NO_PSTN, PolicyRef(PolicyType.SHARED_CALLING, POLICY))
    )
    assignment = GroupPolicyAssignment(FLOOR, PolicyType.EMERGENCY_CALL_ROUTING, name, 1)
    return replace(
        snapshot,
        groups={FLOOR: Group(FLOOR, "Seattle Floor 2", (ANN,))},
        group_assignments=(assignment,),
    )


def test_sc_p05_grants_directly_a_suitable_ecrp_delivered_by_group() -> None:
    finding = only("SC-P05", group_delivered_ecrp("US-Emergency"))
    assert (finding.severity, finding.changes) == (Severity.FIX, (ChangeKind.USER_GRANT_ECRP,))
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.USER, ANN)
    assert finding.message.startswith(
        f"{ANN_DISPLAY} gets emergency call routing policy US-Emergency from group {FLOOR} "
        "(rank 1);"
    )


def test_sc_p05_leaves_an_unsuitable_group_ecrp_to_sc_u08() -> None:
    unsuitable = EmergencyCallRoutingPolicy("Empty-Emergency")
    snapshot = group_delivered_ecrp("Empty-Emergency")
    snapshot = replace(
        snapshot,
        emergency_call_routing_policies={
            **snapshot.emergency_call_routing_policies,
            "Empty-Emergency": unsuitable,
        },
    )
    assert findings("SC-P05", snapshot) == []
    assert len(findings("SC-U08", snapshot)) == 1


def test_sc_p05_is_silent_for_a_directly_granted_ecrp() -> None:
    assert findings("SC-P05") == []


def with_caller_id(policy: CallingLineIdentityPolicy) -> TenantSnapshot:
    ref = PolicyRef(PolicyType.CALLING_LINE_IDENTITY, policy.name)
    ann = person(direct_policies=(*person().direct_policies, ref))
    snapshot = with_users(healthy(), ann)
    return replace(snapshot, calling_line_identity_policies={policy.name: policy})


def test_sc_p06_warns_about_a_caller_id_policy_that_substitutes() -> None:
    policy = CallingLineIdentityPolicy("Hide", CallingIdSubstitute.ANONYMOUS)
    finding = only("SC-P06", with_caller_id(policy))
    assert (finding.severity, finding.subject.id) == (Severity.WARN, ANN)
    assert finding.message.startswith(
        f"How caller-ID policy Hide (Anonymous) in force for {ANN_DISPLAY} combines with "
        "Shared Calling is undocumented;"
    )


def test_sc_p06_warns_about_a_company_name_on_an_otherwise_default_policy() -> None:
    policy = CallingLineIdentityPolicy("Branded", company_name="Contoso")
    assert "Branded (LineUri)" in only("SC-P06", with_caller_id(policy)).message


def test_sc_p06_is_silent_for_a_default_caller_id_policy() -> None:
    assert findings("SC-P06", with_caller_id(CallingLineIdentityPolicy("Plain"))) == []
    assert findings("SC-P06") == []
