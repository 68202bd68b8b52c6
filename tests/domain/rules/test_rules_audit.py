"""Regressions from the issue 7 audit: rules that misjudged a valid or a broken setup."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import ChangeKind, UpdateEmergencyNumbers, plan
from sharedcalling.domain.rules import Severity, SubjectKind, build_context, check
from sharedcalling.domain.tenant import (
    PLAN_TEAMS_PHONE,
    AppAssociation,
    AppConfigurationType,
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    Capability,
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    Group,
    GroupPolicyAssignment,
    License,
    NumberType,
    PolicyRef,
    PolicyType,
    ProvisioningStatus,
    ServicePlan,
    SharedCallingPolicy,
    TenantSnapshot,
    VoiceRoutingPolicy,
)
from tests.domain.rules.builders import (
    ANN,
    ANN_DISPLAY,
    HELD,
    POLICY,
    RA_ID,
    RA_NUMBER,
    SPARE,
    desired,
    findings,
    healthy,
    in_policy,
    number,
    only,
    person,
    ra,
    with_numbers,
    with_ra_number,
    with_users,
)

DR = NumberType.DIRECT_ROUTING
SHARED = PolicyRef(PolicyType.SHARED_CALLING, POLICY)
NO_PSTN = PolicyRef(PolicyType.VOICE_ROUTING, "NoPSTN")


def direct_routing_tenant(user_ecrp: str) -> TenantSnapshot:
    """A DR resource account routed by `DE-SBC`; Ann holds ECRP `user_ecrp`."""
    snapshot = with_ra_number(
        healthy(), number_type=DR, iso_country_code="DE", capabilities=(Capability.SHARED_CALLING,)
    )
    ecrp = PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, user_ecrp)
    snapshot = with_users(
        snapshot,
        ra(direct_policies=(PolicyRef(PolicyType.VOICE_ROUTING, "DE-SBC"),)),
        person(usage_location="DE", direct_policies=(NO_PSTN, ecrp, SHARED)),
    )
    return replace(
        snapshot,
        numbers={RA_NUMBER: snapshot.numbers[RA_NUMBER]},
        shared_calling_policies={POLICY: SharedCallingPolicy(POLICY, RA_ID)},
        voice_routing_policies={
            **snapshot.voice_routing_policies,
            "DE-SBC": VoiceRoutingPolicy("DE-SBC", ("DE-Berlin",)),
        },
        emergency_call_routing_policies={
            # Routes emergency calls through another usage than the RA's own: valid for DR.
            "DE-Emergency-Frankfurt": EmergencyCallRoutingPolicy(
                "DE-Emergency-Frankfurt",
                (EmergencyNumber("112", pstn_usage="DE-Frankfurt"),),
            ),
            "DE-Half": EmergencyCallRoutingPolicy(
                "DE-Half", (EmergencyNumber("112", pstn_usage="DE-Berlin"), EmergencyNumber("110"))
            ),
        },
    )


# --------------------------------------------------------------------------- fix 1


def test_sc_u08_keeps_a_dr_ecrp_whose_numbers_route_through_another_usage() -> None:
    """Fix 1: any PSTN usage on every emergency number suits a DR resource account."""
    snapshot = direct_routing_tenant("DE-Emergency-Frankfurt")
    assert findings("SC-U08", snapshot, desired(emergency_numbers=())) == []
    result = plan(desired(emergency_numbers=()), snapshot)
    assert ChangeKind.USER_GRANT_ECRP not in {c.kind for c in result.changes}


def test_sc_u08_replaces_a_dr_ecrp_with_an_emergency_number_without_usage() -> None:
    snapshot = direct_routing_tenant("DE-Half")
    finding = only("SC-U08", snapshot, desired(emergency_numbers=()))
    assert finding.severity is Severity.FIX
    # The replacement routes through the resource account's own usage.
    assert finding.message.endswith("the plan grants SC-Emergency-DE-DR.")


# --------------------------------------------------------------------------- fix 7 (rules)


def teams_phone(status: ProvisioningStatus) -> tuple[License, ...]:
    return (License("MCOEV", (ServicePlan(PLAN_TEAMS_PHONE, status),)),)


def test_sc_u03_says_teams_phone_is_switched_off_in_the_license() -> None:
    """Fix 7: `Disabled` is the admin's choice in the license, not provisioning."""
    snapshot = with_users(healthy(), person(licenses=teams_phone(ProvisioningStatus.DISABLED)))
    finding = only("SC-U03", snapshot)
    assert finding.severity is Severity.BLOCK
    assert finding.message == (
        f"Teams Phone is switched off in {ANN_DISPLAY}'s license; turn it on."
    )


def test_sc_u03_blocks_when_the_backend_cannot_tell_the_provisioning_state() -> None:
    snapshot = with_users(healthy(), person(licenses=teams_phone(ProvisioningStatus.UNKNOWN)))
    finding = only("SC-U03", snapshot)
    assert finding.severity is Severity.BLOCK
    assert finding.message == (
        f"Cannot tell whether Teams Phone is provisioned for {ANN_DISPLAY}; the backend does "
        "not report it."
    )


def test_sc_u03_names_an_error_state() -> None:
    snapshot = with_users(healthy(), person(licenses=teams_phone(ProvisioningStatus.ERROR)))
    assert only("SC-U03", snapshot).message == (
        f"{ANN_DISPLAY}'s Teams Phone license is in state Error; fix the license assignment."
    )


# --------------------------------------------------------------------------- fix 9 (rules)


def test_rules_match_policy_names_whatever_their_case() -> None:
    """Fix 9: `nopstn`, `us-emergency` and `seattle` are the tenant's NoPSTN, ... ."""
    refs = (
        PolicyRef(PolicyType.VOICE_ROUTING, "nopstn"),
        PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "us-emergency"),
        PolicyRef(PolicyType.SHARED_CALLING, "SEATTLE"),
    )
    snapshot = with_users(healthy(), person(direct_policies=refs))
    codes = {f.code for f in check(desired(policy_name="seattle"), snapshot)}
    assert not codes & {"SC-U07", "SC-U08", "SC-P01", "SC-P02"}
    assert plan(desired(policy_name="seattle"), snapshot).changes == ()


def test_rules_find_users_and_resource_accounts_by_id_in_any_case() -> None:
    ra_id, user_id = (
        UserId("abcdef00-0000-4000-8000-0000000000aa"),
        UserId("abcdef00-0000-4000-9000-0000000000bb"),
    )
    snapshot = healthy()
    snapshot = replace(
        with_users(snapshot, ra(id=ra_id), person(user_id, usage_location="US")),
        numbers={
            **snapshot.numbers,
            RA_NUMBER: replace(snapshot.numbers[RA_NUMBER], assigned_target_id=ra_id),
        },
        shared_calling_policies={POLICY: SharedCallingPolicy(POLICY, ra_id, (HELD,))},
    )
    wanted = desired(resource_account_id=UserId(ra_id.upper()), user_ids=(UserId(user_id.upper()),))
    codes = {f.code for f in check(wanted, snapshot)}
    assert not codes & {"SC-U01", "SC-R01", "SC-R03", "SC-P01"}


def test_group_membership_and_caller_id_policies_match_in_any_case() -> None:
    floor = "00000000-0000-4000-A000-000000000003"
    refs = (
        NO_PSTN,
        PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-Emergency"),
        PolicyRef(PolicyType.CALLING_LINE_IDENTITY, "hide"),
    )
    clid = CallingLineIdentityPolicy("Hide", CallingIdSubstitute.ANONYMOUS)
    snapshot = replace(
        with_users(healthy(), person(direct_policies=refs)),
        groups={floor.lower(): Group(floor.lower(), "Floor", (UserId(ANN.upper()),))},
        group_assignments=(GroupPolicyAssignment(floor, PolicyType.SHARED_CALLING, "seattle", 1),),
        calling_line_identity_policies={"Hide": clid},
    )
    found = {f.code for f in check(desired(), snapshot)}
    assert "SC-P02" not in found
    assert "SC-P06" in found


# --------------------------------------------------------------------------- fix 10


def dr_ra_asking_for(wanted: str) -> tuple[TenantSnapshot, list]:
    snapshot = with_ra_number(
        healthy(), number_type=DR, iso_country_code="US", capabilities=(Capability.SHARED_CALLING,)
    )
    return snapshot, findings("SC-E01", snapshot, desired(emergency_numbers=(wanted,)))


def test_sc_e01_warns_with_attestation_for_an_unlisted_direct_routing_number() -> None:
    """Fix 10: the inventory lists assigned DR numbers only; an unassigned one is absent."""
    _, found = dr_ra_asking_for("+14255550177")
    assert [(f.severity, f.attest) for f in found] == [(Severity.WARN, True)]
    assert found[0].message == (
        "Confirm that +14255550177 routes inbound to Teams through your SBC (unassigned Direct "
        "Routing numbers are not in the tenant's inventory)."
    )


def test_an_unlisted_direct_routing_number_does_not_block_the_plan() -> None:
    snapshot, _ = dr_ra_asking_for("+14255550177")
    snapshot = with_users(
        snapshot, ra(direct_policies=(PolicyRef(PolicyType.VOICE_ROUTING, "US-PSTN"),))
    )
    result = plan(desired(emergency_numbers=("+14255550177",)), snapshot)
    assert not [f for f in result.findings if f.severity is Severity.BLOCK]
    assert not result.blocked


def test_sc_e01_still_blocks_an_unlisted_number_for_a_calling_plan_account() -> None:
    assert only("SC-E01", wanted=desired(emergency_numbers=("+14255550177",))).severity is (
        Severity.BLOCK
    )


# --------------------------------------------------------------------------- fix 11


def empty_pool_message(*associations: AppAssociation) -> str:
    snapshot = replace(healthy(), associations=associations)
    return only("SC-E08", snapshot, desired(emergency_numbers=())).message


def test_sc_e08_says_a_psap_callback_reaches_the_call_queue_behind_the_account() -> None:
    """Fix 11: name what is really behind the resource account."""
    queue = AppAssociation(RA_ID, AppConfigurationType.CALL_QUEUE, "cq-1", "Help Desk")
    message = empty_pool_message(queue)
    assert "reach the call queue Help Desk, not the caller" in message
    assert "auto attendant" not in message


def test_sc_e08_says_a_psap_callback_reaches_the_auto_attendant_by_name() -> None:
    attendant = AppAssociation(RA_ID, AppConfigurationType.AUTO_ATTENDANT, "aa-1", "Main AA")
    assert "reach the auto attendant Main AA, not the caller" in empty_pool_message(attendant)


def test_sc_e08_says_a_psap_callback_reaches_nothing_without_a_voice_app() -> None:
    message = empty_pool_message()
    assert "reach no auto attendant or call queue" in message


# --------------------------------------------------------------------------- fix 12


def test_sc_p02_warns_when_a_user_leaves_a_global_policy_that_names_a_resource_account() -> None:
    """Fix 12: the Global Shared Calling policy with an RA gives a caller ID too."""
    snapshot = with_users(
        healthy(),
        person(
            direct_policies=(NO_PSTN, PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-Emergency"))
        ),
    )
    snapshot = replace(
        snapshot,
        shared_calling_policies={
            **snapshot.shared_calling_policies,
            "Global": SharedCallingPolicy("Global", RA_ID),
        },
    )
    warnings = [f for f in findings("SC-P02", snapshot) if f.severity is Severity.WARN]
    assert [w.message for w in warnings] == [
        f"The plan moves {ANN_DISPLAY} from Global to {POLICY}."
    ]


def test_sc_p02_does_not_warn_for_a_global_policy_without_resource_account() -> None:
    snapshot = with_users(
        healthy(),
        person(
            direct_policies=(NO_PSTN, PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-Emergency"))
        ),
    )
    snapshot = replace(
        snapshot,
        shared_calling_policies={
            **snapshot.shared_calling_policies,
            "Global": SharedCallingPolicy("Global", None),
        },
    )
    assert [f.severity for f in findings("SC-P02", snapshot)] == [Severity.FIX]


# --------------------------------------------------------------------------- fix 13

THIRD = "+14255550193"


def test_a_new_policy_keeps_the_admins_order_of_emergency_numbers() -> None:
    """Fix 13: the first number is the one reused when none is free."""
    snapshot = with_numbers(healthy(), number(THIRD))
    result = plan(desired(policy_name="Redmond", emergency_numbers=(THIRD, SPARE)), snapshot)
    (create,) = [c for c in result.changes if c.kind is ChangeKind.SCP_CREATE]
    assert create.policy.emergency_numbers == (THIRD, SPARE)  # type: ignore[union-attr]


def test_added_numbers_follow_the_existing_ones_in_the_admins_order() -> None:
    snapshot = with_numbers(healthy(), number(THIRD))
    policy = SharedCallingPolicy(POLICY, RA_ID, (HELD,))
    snapshot = replace(snapshot, shared_calling_policies={POLICY: policy})
    result = plan(desired(emergency_numbers=(THIRD, HELD, SPARE)), snapshot)
    (added,) = [c for c in result.changes if c.kind is ChangeKind.SCP_ADD_NUMBERS]
    assert isinstance(added, UpdateEmergencyNumbers)
    assert added.numbers == (THIRD, SPARE)
    assert added.after == (HELD, THIRD, SPARE)


def test_the_existing_order_is_kept_when_numbers_are_removed() -> None:
    later, earlier = "+14255550194", "+14255550193"
    snapshot = with_numbers(healthy(), in_policy(later), in_policy(earlier), in_policy(SPARE))
    policy = SharedCallingPolicy(POLICY, RA_ID, (later, HELD, earlier, SPARE))
    snapshot = replace(snapshot, shared_calling_policies={POLICY: policy})
    result = plan(desired(emergency_numbers=(later, earlier)), snapshot)
    (removed,) = [c for c in result.changes if c.kind is ChangeKind.SCP_REMOVE_NUMBERS]
    assert isinstance(removed, UpdateEmergencyNumbers)
    assert removed.numbers == (HELD, SPARE)
    assert removed.before == (later, HELD, earlier, SPARE)
    assert removed.after == (later, earlier)


def test_the_context_keeps_the_admins_order_and_drops_repeats() -> None:
    ctx = build_context(desired(emergency_numbers=(SPARE, HELD, SPARE)), healthy())
    assert ctx.emergency_numbers == (SPARE, HELD)
    kept = build_context(
        desired(),
        replace(
            healthy(),
            shared_calling_policies={POLICY: SharedCallingPolicy(POLICY, RA_ID, (SPARE, HELD))},
        ),
    )
    assert kept.emergency_numbers == (SPARE, HELD)


# --------------------------------------------------------------------------- SC-R04: who sets it


@pytest.mark.parametrize(
    ("number_type", "operator", "expected"),
    [
        (
            NumberType.CALLING_PLAN,
            None,
            f"Contact the Microsoft TNS service desk to set the location on {RA_NUMBER}.",
        ),
        (
            NumberType.OPERATOR_CONNECT,
            "Fabrikam Telecom",
            f"Ask Fabrikam Telecom to set the emergency location on {RA_NUMBER}.",
        ),
        (
            DR,
            None,
            f"Set the emergency location on {RA_NUMBER} yourself: Set-CsPhoneNumberAssignment "
            f"-PhoneNumber {RA_NUMBER} -LocationId <location id>.",
        ),
    ],
)
def test_sc_r04_names_who_sets_a_location_the_plan_cannot_set(
    number_type: NumberType, operator: str | None, expected: str
) -> None:
    snapshot = with_ra_number(
        healthy(),
        number_type=number_type,
        operator_name=operator,
        location_id=None,
        location_update_supported=False,
    )
    finding = only("SC-R04", snapshot, desired(emergency_location_id="loc-7"))
    assert (finding.severity, finding.subject.kind) == (
        Severity.BLOCK,
        SubjectKind.RESOURCE_ACCOUNT,
    )
    assert finding.message == expected
