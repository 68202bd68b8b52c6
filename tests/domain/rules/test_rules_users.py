"""Per-user rules SC-U01..SC-U09, one fact varied at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.rules import ChangeKind, Severity, SubjectKind
from sharedcalling.domain.tenant import (
    PLAN_TEAMS_PHONE,
    AccountType,
    AssignmentStatus,
    License,
    NumberType,
    PhoneNumber,
    PolicyRef,
    PolicyType,
    ProvisioningStatus,
    ServicePlan,
    TenantSnapshot,
    VoiceRoutingPolicy,
)
from tests.domain.rules.builders import (
    ANN,
    ANN_DISPLAY,
    POLICY,
    desired,
    findings,
    healthy,
    number,
    only,
    person,
    with_numbers,
    with_ra_number,
    with_users,
)

SHARED = PolicyRef(PolicyType.SHARED_CALLING, POLICY)
NO_PSTN = PolicyRef(PolicyType.VOICE_ROUTING, "NoPSTN")
US_EMERGENCY = PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-Emergency")


def ann(**changes: Any) -> TenantSnapshot:
    return with_users(healthy(), person(**changes))


def test_sc_u01_blocks_a_user_missing_from_the_tenant() -> None:
    ghost = UserId("00000000-0000-4000-9000-000000009999")
    finding = only("SC-U01", wanted=desired(user_ids=(ghost,)))
    assert finding.severity is Severity.BLOCK
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.USER, ghost)
    assert finding.message == f"{ghost} was not found in the tenant."


@pytest.mark.parametrize(
    "account_type", [AccountType.GUEST, AccountType.RESOURCE_ACCOUNT, AccountType.SFB_ON_PREM]
)
def test_sc_u01_blocks_accounts_that_are_not_users(account_type: AccountType) -> None:
    finding = only("SC-U01", ann(account_type=account_type))
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, ANN)
    assert finding.message == (
        f"{ANN_DISPLAY} is a {account_type.value}; Shared Calling applies to users only."
    )


def test_sc_u01_is_silent_for_a_user() -> None:
    assert findings("SC-U01") == []


@pytest.mark.parametrize(
    ("changes", "state"),
    [({"account_enabled": False}, "disabled"), ({"soft_deleted": True}, "deleted")],
)
def test_sc_u02_blocks_disabled_or_deleted_users(changes: dict[str, bool], state: str) -> None:
    finding = only("SC-U02", ann(**changes))
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, ANN)
    assert finding.message == f"{ANN_DISPLAY} is {state}."


def test_sc_u02_is_silent_for_an_enabled_user() -> None:
    assert findings("SC-U02") == []


def test_sc_u03_blocks_a_user_without_teams_phone() -> None:
    finding = only("SC-U03", ann(licenses=()))
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, ANN)
    assert finding.message.startswith(f"{ANN_DISPLAY} has no Teams Phone license;")


def test_sc_u03_blocks_a_teams_phone_license_still_provisioning() -> None:
    pending = (
        License("MCOEV", (ServicePlan(PLAN_TEAMS_PHONE, ProvisioningStatus.PENDING_INPUT),)),
    )
    finding = only("SC-U03", ann(licenses=pending))
    assert finding.message == (
        f"{ANN_DISPLAY}'s Teams Phone license is PendingInput; retry once provisioned."
    )


def test_sc_u03_is_silent_for_a_provisioned_license() -> None:
    assert findings("SC-U03") == []


def test_sc_u04_enables_enterprise_voice() -> None:
    finding = only("SC-U04", ann(enterprise_voice_enabled=False))
    assert (finding.severity, finding.subject.id) == (Severity.FIX, ANN)
    assert finding.changes == (ChangeKind.ENABLE_VOICE,)
    assert (
        finding.message == f"Enterprise voice is disabled for {ANN_DISPLAY}; the plan enables it."
    )


def test_sc_u04_is_silent_when_voice_is_enabled() -> None:
    assert findings("SC-U04") == []


def personal(
    telephone_number: str, number_type: NumberType = NumberType.CALLING_PLAN
) -> PhoneNumber:
    return number(
        telephone_number,
        number_type=number_type,
        assignment_status=AssignmentStatus.USER_ASSIGNED,
        assigned_target_id=ANN,
    )


def test_sc_u05_blocks_a_user_with_a_personal_number() -> None:
    snapshot = with_numbers(healthy(), personal("+14255550150"))
    finding = only("SC-U05", snapshot)
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, ANN)
    assert finding.message.startswith(
        f"{ANN_DISPLAY} has number +14255550150 (CallingPlan); Shared Calling is only for users "
        "without a number."
    )


def test_sc_u05_blocks_an_extension_number_the_admin_did_not_mark() -> None:
    ext = personal("+14255550150;ext=42", NumberType.DIRECT_ROUTING)
    finding = only("SC-U05", with_numbers(healthy(), ext))
    assert "+14255550150;ext=42 (DirectRouting)" in finding.message


def test_sc_u05_is_silent_for_a_user_without_a_number() -> None:
    assert findings("SC-U05") == []


MARKED = desired(extension_dialing_user_ids=frozenset({ANN}))


def test_sc_u06_warns_about_a_deliberate_extension_number() -> None:
    ext = personal("+14255550150;ext=42", NumberType.DIRECT_ROUTING)
    snapshot = with_numbers(healthy(), ext)
    finding = only("SC-U06", snapshot, MARKED)
    assert (finding.severity, finding.subject.id) == (Severity.WARN, ANN)
    assert finding.message.startswith(
        f"{ANN_DISPLAY} keeps +14255550150;ext=42 for extension reach;"
    )
    assert findings("SC-U05", snapshot, MARKED) == []


def test_sc_u06_does_not_excuse_a_calling_plan_number_even_when_marked() -> None:
    snapshot = with_numbers(healthy(), personal("+14255550150"))
    assert findings("SC-U06", snapshot, MARKED) == []
    assert len(findings("SC-U05", snapshot, MARKED)) == 1


def test_sc_u06_is_silent_for_a_user_without_a_number() -> None:
    assert findings("SC-U06", wanted=MARKED) == []


def test_sc_u07_grants_the_empty_voice_routing_policy_to_a_user_on_global() -> None:
    finding = only("SC-U07", ann(direct_policies=(US_EMERGENCY, SHARED)))
    assert (finding.severity, finding.subject.id) == (Severity.FIX, ANN)
    assert finding.changes == (ChangeKind.USER_GRANT_VRP,)
    assert finding.message == (
        f"{ANN_DISPLAY}'s effective voice routing policy is Global; the plan grants NoPSTN, "
        "which has no PSTN usages."
    )


def test_sc_u07_creates_the_empty_policy_when_the_tenant_has_none() -> None:
    snapshot = ann(direct_policies=(PolicyRef(PolicyType.VOICE_ROUTING, "US-PSTN"), SHARED))
    usage = ("US-Default",)
    snapshot = replace(
        snapshot,
        voice_routing_policies={
            "Global": VoiceRoutingPolicy("Global", usage),
            "US-PSTN": VoiceRoutingPolicy("US-PSTN", usage),
        },
    )
    finding = only("SC-U07", snapshot)
    assert finding.changes == (ChangeKind.VRP_CREATE_EMPTY, ChangeKind.USER_GRANT_VRP)
    assert "is US-PSTN (direct assignment); the plan grants SC-NoPstn," in finding.message


def test_sc_u07_is_silent_for_a_user_with_an_empty_policy() -> None:
    assert findings("SC-U07") == []


def test_sc_u08_grants_the_suitable_ecrp_the_tenant_has() -> None:
    finding = only("SC-U08", ann(direct_policies=(NO_PSTN, SHARED)))
    assert (finding.severity, finding.subject.id) == (Severity.FIX, ANN)
    assert finding.changes == (ChangeKind.USER_GRANT_ECRP,)
    assert finding.message == (
        f"{ANN_DISPLAY}'s effective emergency call routing policy Global does not suit the "
        "resource account's number; the plan grants US-Emergency."
    )


def test_sc_u08_creates_an_ecrp_for_the_ra_country_when_none_suits() -> None:
    snapshot = with_ra_number(ann(direct_policies=(NO_PSTN, SHARED)), iso_country_code="GB")
    finding = only("SC-U08", snapshot)
    assert finding.changes == (ChangeKind.ECRP_CREATE, ChangeKind.USER_GRANT_ECRP)
    assert finding.message.endswith("the plan grants SC-Emergency-GB.")


def test_sc_u08_is_silent_for_a_suitable_ecrp() -> None:
    assert findings("SC-U08") == []


def test_sc_u09_asks_to_attest_a_user_located_elsewhere() -> None:
    finding = only("SC-U09", ann(usage_location="de"))
    assert (finding.severity, finding.attest, finding.subject.id) == (Severity.WARN, True, ANN)
    assert finding.message.startswith(
        f"{ANN_DISPLAY} is located in DE but will present a US number;"
    )


def test_sc_u09_treats_a_missing_usage_location_as_a_mismatch() -> None:
    message = only("SC-U09", ann(usage_location=None)).message
    assert "is located in no usage location but will present a US number" in message


def test_sc_u09_is_silent_when_the_countries_match() -> None:
    assert findings("SC-U09") == []


def test_sc_u_rules_skip_users_missing_from_the_tenant() -> None:
    ghost = desired(user_ids=(UserId("00000000-0000-4000-9000-000000009999"),))
    for code in ("SC-U02", "SC-U03", "SC-U04", "SC-U05", "SC-U07", "SC-U08", "SC-U09"):
        assert findings(code, wanted=ghost) == [], code
