"""Resource account rules SC-R01..SC-R11, one fact varied at a time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sharedcalling.domain.rules import ChangeKind, Severity, SubjectKind
from sharedcalling.domain.tenant import (
    PLAN_COMMUNICATIONS_CREDITS,
    PLAN_PAYG_PREFIX,
    PLAN_RESOURCE_ACCOUNT,
    PLAN_TEAMS_PHONE,
    AccountType,
    ActivationState,
    AppAssociation,
    AppConfigurationType,
    AssignmentStatus,
    Capability,
    License,
    NumberType,
    PolicyRef,
    PolicyType,
    ProvisioningStatus,
    ServicePlan,
    TenantSnapshot,
)
from tests.domain.rules.builders import (
    RA_DISPLAY,
    RA_ID,
    RA_NUMBER,
    SUBSCRIBER,
    desired,
    findings,
    healthy,
    number,
    only,
    ra,
    with_numbers,
    with_ra_number,
    with_users,
)

DR = NumberType.DIRECT_ROUTING


def licensed(*plans: ServicePlan) -> TenantSnapshot:
    return with_users(healthy(), ra(licenses=(License("RA", plans),)))


def test_sc_r01_blocks_a_user_given_as_resource_account() -> None:
    finding = only("SC-R01", with_users(healthy(), ra(account_type=AccountType.USER)))
    assert finding.severity is Severity.BLOCK
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.RESOURCE_ACCOUNT, RA_ID)
    assert finding.message == f"{RA_DISPLAY} is not a resource account."


def test_sc_r01_blocks_a_missing_resource_account() -> None:
    snapshot = replace(healthy(), users={})
    finding = only("SC-R01", snapshot)
    assert finding.subject.display == RA_ID
    assert "was not found in the tenant" in finding.message


def test_sc_r01_accepts_a_sign_in_blocked_resource_account() -> None:
    assert not ra().account_enabled
    assert findings("SC-R01") == []


def test_sc_r02_blocks_a_resource_account_holding_teams_phone_standard() -> None:
    snapshot = licensed(ServicePlan(PLAN_RESOURCE_ACCOUNT), ServicePlan(PLAN_TEAMS_PHONE))
    finding = only("SC-R02", snapshot)
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, RA_ID)
    assert "holds Teams Phone Standard (MCOEV)" in finding.message
    assert "single license operation" in finding.message


@pytest.mark.parametrize(
    "plans",
    [(), (ServicePlan(PLAN_RESOURCE_ACCOUNT, ProvisioningStatus.PENDING_PROVISIONING),)],
)
def test_sc_r02_blocks_without_a_provisioned_resource_account_license(
    plans: tuple[ServicePlan, ...],
) -> None:
    finding = only("SC-R02", licensed(*plans))
    assert finding.message == (
        f"{RA_DISPLAY} lacks a provisioned Teams Phone Resource Account license; assign it."
    )


def test_sc_r02_blocks_as_uncertain_when_the_license_state_is_not_reported() -> None:
    unknown = ServicePlan(PLAN_RESOURCE_ACCOUNT, ProvisioningStatus.UNKNOWN)
    finding = only("SC-R02", licensed(unknown, ServicePlan(f"{PLAN_PAYG_PREFIX}_1")))
    assert (finding.severity, finding.uncertain) == (Severity.BLOCK, True)
    assert finding.message.startswith(
        f"Cannot tell whether {RA_DISPLAY}'s Teams Phone Resource Account license is provisioned"
    )


def test_sc_r02_is_silent_for_a_licensed_resource_account() -> None:
    assert findings("SC-R02") == []


def test_sc_r03_blocks_a_resource_account_without_a_number() -> None:
    snapshot = replace(healthy(), numbers={})
    finding = only("SC-R03", snapshot)
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, RA_ID)
    assert "has no usable number (it has no number)" in finding.message


def test_sc_r03_blocks_two_numbers_and_names_both() -> None:
    second = number("+14255550101", assigned_target_id=RA_ID)
    finding = only("SC-R03", with_numbers(healthy(), second))
    assert f"(it has {RA_NUMBER}, +14255550101)" in finding.message


def test_sc_r03_blocks_a_number_that_is_not_activated() -> None:
    snapshot = with_ra_number(healthy(), activation_state=ActivationState.ASSIGNMENT_PENDING)
    finding = only("SC-R03", snapshot)
    assert f"({RA_NUMBER} is AssignmentPending)" in finding.message


def test_sc_r03_is_silent_with_one_activated_number() -> None:
    assert findings("SC-R03") == []


def test_sc_r04_sets_the_location_the_admin_chose() -> None:
    snapshot = with_ra_number(healthy(), location_id="00000000-0000-0000-0000-000000000000")
    finding = only("SC-R04", snapshot, desired(emergency_location_id="loc-7"))
    assert (finding.severity, finding.subject.id) == (Severity.FIX, RA_ID)
    assert finding.changes == (ChangeKind.RA_SET_LOCATION,)
    assert f"{RA_NUMBER} of {RA_DISPLAY} has no emergency location" in finding.message
    assert "sets location loc-7" in finding.message


def test_sc_r04_blocks_when_the_admin_chose_no_location() -> None:
    finding = only("SC-R04", with_ra_number(healthy(), location_id=None))
    assert (finding.severity, finding.changes) == (Severity.BLOCK, ())
    assert "choose one for the plan to set" in finding.message


def test_sc_r04_sends_the_admin_to_the_tns_desk_when_the_location_cannot_be_updated() -> None:
    snapshot = with_ra_number(healthy(), location_id=None, location_update_supported=False)
    finding = only("SC-R04", snapshot, desired(emergency_location_id="loc-7"))
    assert finding.severity is Severity.BLOCK
    assert finding.message == (
        f"Contact the Microsoft TNS service desk to set the location on {RA_NUMBER}."
    )


def test_sc_r04_is_silent_when_the_number_has_a_location() -> None:
    assert findings("SC-R04", wanted=desired(emergency_location_id="loc-7")) == []


def test_sc_r05_blocks_a_calling_plan_service_number_in_an_unsupported_country() -> None:
    finding = only("SC-R05", with_ra_number(healthy(), iso_country_code="au"))
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, RA_ID)
    assert finding.message == (
        "Calling Plan service numbers in AU are not supported for Shared Calling."
    )


def test_sc_r05_warns_to_confirm_a_calling_plan_service_number_elsewhere() -> None:
    finding = only("SC-R05")
    assert finding.severity is Severity.WARN
    assert f"in US are unsupported for Shared Calling; confirm {RA_NUMBER}" in finding.message


@pytest.mark.parametrize("number_type", [NumberType.OPERATOR_CONNECT, DR])
def test_sc_r05_is_silent_for_other_number_types(number_type: NumberType) -> None:
    snapshot = with_ra_number(healthy(), number_type=number_type, iso_country_code="AU")
    assert findings("SC-R05", snapshot) == []


def test_sc_r05_is_silent_for_a_calling_plan_subscriber_number() -> None:
    snapshot = with_ra_number(healthy(), capabilities=SUBSCRIBER, iso_country_code="AU")
    assert findings("SC-R05", snapshot) == []


def test_sc_r06_blocks_a_calling_plan_ra_without_pay_as_you_go() -> None:
    finding = only("SC-R06", licensed(ServicePlan(PLAN_RESOURCE_ACCOUNT)))
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, RA_ID)
    assert finding.message == (
        f"Assign a Pay-As-You-Go Calling Plan to {RA_DISPLAY} "
        f"(no service plan starting {PLAN_PAYG_PREFIX} is provisioned)."
    )


def test_sc_r06_does_not_count_a_pay_as_you_go_plan_still_provisioning() -> None:
    pending = ServicePlan(f"{PLAN_PAYG_PREFIX}_1", ProvisioningStatus.PENDING_ACTIVATION)
    assert len(findings("SC-R06", licensed(ServicePlan(PLAN_RESOURCE_ACCOUNT), pending))) == 1


def test_sc_r06_blocks_as_uncertain_when_the_plan_state_is_not_reported() -> None:
    unknown = ServicePlan(f"{PLAN_PAYG_PREFIX}_1", ProvisioningStatus.UNKNOWN)
    finding = only("SC-R06", licensed(ServicePlan(PLAN_RESOURCE_ACCOUNT), unknown))
    assert (finding.severity, finding.uncertain) == (Severity.BLOCK, True)
    assert "Cannot tell whether the Pay-As-You-Go Calling Plan" in finding.message
    assert "Assign" not in finding.message


def test_sc_r06_is_silent_for_a_direct_routing_ra_without_pay_as_you_go() -> None:
    snapshot = with_ra_number(licensed(ServicePlan(PLAN_RESOURCE_ACCOUNT)), number_type=DR)
    assert findings("SC-R06", snapshot) == []


def test_sc_r06_is_silent_with_pay_as_you_go() -> None:
    assert findings("SC-R06") == []


def test_sc_r07_asks_for_a_funding_attestation_on_calling_plan() -> None:
    finding = only("SC-R07")
    assert (finding.severity, finding.attest, finding.subject.id) == (Severity.WARN, True, RA_ID)
    assert f"Confirm {RA_DISPLAY} has funded Communications Credits" in finding.message
    assert "(no Communications Credits seen)" in finding.message


def test_sc_r07_hints_when_communications_credits_are_licensed() -> None:
    snapshot = licensed(
        ServicePlan(PLAN_RESOURCE_ACCOUNT), ServicePlan(PLAN_COMMUNICATIONS_CREDITS)
    )
    assert "(Communications Credits are licensed)" in only("SC-R07", snapshot).message


def test_sc_r07_says_when_the_credits_state_is_not_reported() -> None:
    unknown = ServicePlan(PLAN_COMMUNICATIONS_CREDITS, ProvisioningStatus.UNKNOWN)
    snapshot = licensed(ServicePlan(PLAN_RESOURCE_ACCOUNT), unknown)
    assert "is not reported" in only("SC-R07", snapshot).message


def test_sc_r07_is_silent_for_operator_connect() -> None:
    snapshot = with_ra_number(healthy(), number_type=NumberType.OPERATOR_CONNECT)
    assert findings("SC-R07", snapshot) == []


def direct_routing(ra_vrp: str | None = None) -> TenantSnapshot:
    """A DR resource account; `ra_vrp` is granted to it directly."""
    snapshot = with_ra_number(healthy(), number_type=DR, capabilities=(Capability.SHARED_CALLING,))
    if ra_vrp is None:
        return snapshot
    return with_users(snapshot, ra(direct_policies=(PolicyRef(PolicyType.VOICE_ROUTING, ra_vrp),)))


def by_severity(snapshot: TenantSnapshot, **wanted: str) -> dict[Severity, list[str]]:
    result: dict[Severity, list[str]] = {}
    for finding in findings("SC-R08", snapshot, desired(**wanted)):
        result.setdefault(finding.severity, []).append(finding.message)
        assert finding.subject.id == RA_ID
    return result


def test_sc_r08_grants_the_chosen_voice_routing_policy_to_a_ra_without_usages() -> None:
    (fix,) = [
        f
        for f in findings(
            "SC-R08", direct_routing("NoPSTN"), desired(ra_voice_routing_policy="US-PSTN")
        )
        if f.severity is Severity.FIX
    ]
    assert fix.changes == (ChangeKind.RA_GRANT_VRP,)
    assert fix.message == (
        f"{RA_DISPLAY} has no PSTN usages; the plan grants voice routing policy US-PSTN."
    )


def test_sc_r08_blocks_when_no_voice_routing_policy_was_chosen() -> None:
    found = by_severity(direct_routing("NoPSTN"))
    assert found[Severity.BLOCK] == [
        f"{RA_DISPLAY} needs a voice routing policy with PSTN usages (none was chosen)."
    ]
    assert Severity.FIX not in found


def test_sc_r08_blocks_when_the_chosen_policy_has_no_usages_either() -> None:
    found = by_severity(direct_routing("NoPSTN"), ra_voice_routing_policy="NoPSTN")
    assert found[Severity.BLOCK] == [
        f"{RA_DISPLAY} needs a voice routing policy with PSTN usages (NoPSTN has no PSTN usages)."
    ]


def test_sc_r08_blocks_and_names_a_chosen_policy_that_does_not_exist() -> None:
    found = by_severity(direct_routing("NoPSTN"), ra_voice_routing_policy="No-Such-VRP")
    assert found[Severity.BLOCK] == [
        f"{RA_DISPLAY} needs a voice routing policy with PSTN usages "
        "(the chosen policy No-Such-VRP does not exist)."
    ]


def test_sc_r08_always_warns_about_sbc_capacity_for_direct_routing() -> None:
    # The Global VRP of the healthy tenant has a usage, so no FIX or BLOCK is needed.
    found = by_severity(direct_routing())
    assert set(found) == {Severity.WARN}
    assert "SBC and trunk capacity" in found[Severity.WARN][0]


def test_sc_r08_is_silent_for_calling_plan() -> None:
    snapshot = with_users(
        healthy(), ra(direct_policies=(PolicyRef(PolicyType.VOICE_ROUTING, "NoPSTN"),))
    )
    assert findings("SC-R08", snapshot) == []


def test_sc_r09_asks_to_confirm_the_operator_supports_shared_calling() -> None:
    snapshot = with_ra_number(
        healthy(), number_type=NumberType.OPERATOR_CONNECT, operator_name="Fabrikam Telecom"
    )
    finding = only("SC-R09", snapshot)
    assert (finding.severity, finding.attest, finding.subject.id) == (Severity.WARN, True, RA_ID)
    assert finding.message == (f"Confirm Fabrikam Telecom supports Shared Calling for {RA_NUMBER}.")


def test_sc_r09_is_silent_for_calling_plan() -> None:
    assert findings("SC-R09") == []


def test_sc_r10_warns_when_the_ra_serves_no_auto_attendant() -> None:
    finding = only("SC-R10", replace(healthy(), associations=()))
    assert (finding.severity, finding.subject.id) == (Severity.WARN, RA_ID)
    assert f"Callbacks to {RA_NUMBER} reach no auto attendant;" in finding.message


def test_sc_r10_does_not_count_a_call_queue() -> None:
    queue = AppAssociation(RA_ID, AppConfigurationType.CALL_QUEUE, "cq-1", "Help Desk")
    finding = only("SC-R10", replace(healthy(), associations=(queue,)))
    assert "(associated with CallQueue Help Desk only)" in finding.message


def test_sc_r10_is_silent_with_an_auto_attendant() -> None:
    assert findings("SC-R10") == []


def test_sc_r11_warns_when_the_number_is_flagged_unsupported() -> None:
    snapshot = with_ra_number(healthy(), shared_calling_policy_supported=False)
    finding = only("SC-R11", snapshot)
    assert (finding.severity, finding.subject.id) == (Severity.WARN, RA_ID)
    assert finding.message == (
        f"Number {RA_NUMBER} may not be eligible for Shared Calling (flag undocumented)."
    )


def test_sc_r11_warns_when_a_direct_routing_number_lacks_the_capability() -> None:
    snapshot = with_ra_number(healthy(), number_type=DR, capabilities=(Capability.USER_ASSIGNMENT,))
    assert only("SC-R11", snapshot).severity is Severity.WARN


@pytest.mark.parametrize("flag", [True, None])
def test_sc_r11_is_silent_unless_the_number_is_flagged(flag: bool | None) -> None:
    snapshot = with_ra_number(healthy(), shared_calling_policy_supported=flag)
    assert findings("SC-R11", snapshot) == []
    assert findings("SC-R11", direct_routing()) == []


def test_sc_r_rules_about_the_number_stay_silent_while_sc_r03_blocks() -> None:
    snapshot = with_ra_number(
        healthy(),
        activation_state=ActivationState.ASSIGNMENT_FAILED,
        assignment_status=AssignmentStatus.VOICE_APPLICATION_ASSIGNED,
        location_id=None,
        shared_calling_policy_supported=False,
    )
    for code in ("SC-R04", "SC-R05", "SC-R06", "SC-R07", "SC-R10", "SC-R11"):
        assert findings(code, snapshot) == [], code
    assert len(findings("SC-R03", snapshot)) == 1
