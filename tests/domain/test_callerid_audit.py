"""Regressions from the issue 7 audit: caller-ID answers that promised what the setup cannot do."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sharedcalling.domain.callerid import (
    CallerIdAnswer,
    Outcome,
    caller_id_answer,
    one_line_text,
    summary_text,
)
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.tenant import (
    AccountType,
    ActivationState,
    AppAssociation,
    AppConfigurationType,
    AssignmentStatus,
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    Capability,
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    License,
    NumberType,
    PhoneNumber,
    PolicyRef,
    PolicyType,
    ProvisioningStatus,
    ServicePlan,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
)

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
RA = UserId("00000000-0000-4000-8000-000000000051")
CLID_RA = UserId("00000000-0000-4000-8000-000000000052")
ME = UserId("00000000-0000-4000-8000-000000000099")
RA_NUMBER = "+14255550100"
CLID_NUMBER = "+14255550150"
OWN = "+14255550111"
POOL = ("+14255550192", "+14255550191")
LOCATION = "00000000-0000-4000-c000-000000000001"
PHONE = License("SPE_E5", (ServicePlan("MCOEV"),))
RA_LICENSE = License(
    "PHONESYSTEM_VIRTUALUSER", (ServicePlan("MCOEV_VIRTUALUSER"), ServicePlan("MCOPSTN_PAYG_1"))
)
SC = PolicyRef(PolicyType.SHARED_CALLING, "SC")
EMPTY_VRP = PolicyRef(PolicyType.VOICE_ROUTING, "Empty")
US_ECRP = PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-Emergency")
NOT_SET_UP = "emergency calling is not set up correctly for you; an admin must fix it"


def me(*policies: PolicyRef, **changes: object) -> User:
    user = User(
        ME,
        "me@example.test",
        "Test Person",
        usage_location="US",
        licenses=(PHONE,),
        enterprise_voice_enabled=True,
        direct_policies=policies or (SC, EMPTY_VRP, US_ECRP),
    )
    return replace(user, **changes)


def account(account_id: UserId, name: str, *policies: PolicyRef) -> User:
    return User(
        account_id,
        f"{name.lower().replace(' ', '-')}@example.test",
        name,
        account_type=AccountType.RESOURCE_ACCOUNT,
        account_enabled=False,
        usage_location="US",
        licenses=(RA_LICENSE,),
        direct_policies=policies,
    )


def ra_number(**changes: object) -> PhoneNumber:
    number = PhoneNumber(
        RA_NUMBER,
        NumberType.CALLING_PLAN,
        "US",
        (Capability.VOICE_APPLICATION_ASSIGNMENT,),
        assignment_status=AssignmentStatus.VOICE_APPLICATION_ASSIGNED,
        assigned_target_id=RA,
        location_id=LOCATION,
    )
    return replace(number, **changes)


def pool_number(n: str) -> PhoneNumber:
    return PhoneNumber(
        n,
        NumberType.CALLING_PLAN,
        "US",
        (Capability.USER_ASSIGNMENT,),
        assignment_status=AssignmentStatus.POLICY_ASSIGNED,
        assigned_target_id="TeamsSharedCallingRoutingPolicy|Tag:SC",
    )


def tenant(
    user: User,
    *numbers: PhoneNumber,
    policy: SharedCallingPolicy | None = None,
    ra: User | None = None,
    **changes: object,
) -> TenantSnapshot:
    """A working Calling Plan Shared Calling setup unless told otherwise."""
    listed = numbers or (ra_number(),)
    snapshot = TenantSnapshot(
        tenant_id=TENANT,
        users={ME: user, RA: ra or account(RA, "Main Line")},
        numbers={n.telephone_number: n for n in listed},
        shared_calling_policies={"SC": policy or SharedCallingPolicy("SC", RA)},
        voice_routing_policies={
            "Global": VoiceRoutingPolicy("Global"),
            "Empty": VoiceRoutingPolicy("Empty"),
            "DR-Routes": VoiceRoutingPolicy("DR-Routes", ("US-SBC",)),
        },
        emergency_call_routing_policies={
            "US-Emergency": EmergencyCallRoutingPolicy("US-Emergency", (EmergencyNumber("911"),)),
            "US-DR": EmergencyCallRoutingPolicy(
                "US-DR", (EmergencyNumber("911", pstn_usage="US-SBC"),)
            ),
        },
        associations=(AppAssociation(RA, AppConfigurationType.AUTO_ATTENDANT, "aa", "Main AA"),),
    )
    return replace(snapshot, **changes)


def texts(answer: CallerIdAnswer) -> tuple[str, str]:
    return (
        summary_text(answer, "Test Person", about_self=True),
        one_line_text(answer, "Test Person", about_self=True),
    )


def test_the_baseline_setup_is_shared_with_the_main_number_for_emergencies() -> None:
    answer = caller_id_answer(me(), tenant(me()))
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED, RA_NUMBER)
    assert answer.emergency.kind.value == "main_number"


# --------------------------------------------------------------------------- fix 2


def direct_routing_account(*policies: PolicyRef) -> tuple[User, PhoneNumber]:
    number = ra_number(number_type=NumberType.DIRECT_ROUTING, capabilities=())
    return account(RA, "Main Line", *policies), number


def test_a_direct_routing_account_without_pstn_usages_breaks_shared_calling() -> None:
    """Fix 2: the rules BLOCK on SC-R08, so the answer cannot be SHARED."""
    ra, number = direct_routing_account()
    user = me(SC, EMPTY_VRP, PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-DR"))
    answer = caller_id_answer(user, tenant(user, number, ra=ra))
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED_BROKEN, None)
    assert "SC-R08" in answer.rule_codes


def test_a_direct_routing_account_with_pstn_usages_is_shared() -> None:
    ra, number = direct_routing_account(PolicyRef(PolicyType.VOICE_ROUTING, "DR-Routes"))
    user = me(SC, EMPTY_VRP, PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-DR"))
    answer = caller_id_answer(user, tenant(user, number, ra=ra))
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED, RA_NUMBER)
    assert answer.emergency.kind.value == "main_number"


# --------------------------------------------------------------------------- fix 3


def assert_emergency_not_set_up(answer: CallerIdAnswer, code: str) -> None:
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED, RA_NUMBER)
    assert answer.emergency.kind.value == "not_set_up"
    assert answer.emergency.numbers == ()
    assert code in answer.rule_codes
    summary, _ = texts(answer)
    assert f"{NOT_SET_UP} ({code})" in summary
    assert "emergency service sees" not in summary


def test_a_missing_emergency_routing_policy_is_named_instead_of_a_callback_number() -> None:
    """Fix 3: no effective ECRP for a Shared Calling user (SC-U08)."""
    user = me(SC, EMPTY_VRP)
    answer = caller_id_answer(user, tenant(user))
    assert_emergency_not_set_up(answer, "SC-U08")
    said = " ".join(reason.text for reason in answer.emergency.reasons)  # the card's details
    assert "no emergency call routing policy is in force" in said
    assert "does not suit" not in said  # missing is not named as the wrong one


def test_an_unsuitable_emergency_routing_policy_is_named() -> None:
    user = me(SC, EMPTY_VRP, PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-DR"))
    answer = caller_id_answer(user, tenant(user))
    assert_emergency_not_set_up(answer, "SC-U08")
    said = " ".join(reason.text for reason in answer.emergency.reasons)
    assert "emergency call routing policy US-DR does not suit" in said


def test_a_direct_routing_account_needs_usages_on_the_users_emergency_policy() -> None:
    ra, number = direct_routing_account(PolicyRef(PolicyType.VOICE_ROUTING, "DR-Routes"))
    user = me()
    assert_emergency_not_set_up(caller_id_answer(user, tenant(user, number, ra=ra)), "SC-U08")


def test_a_resource_account_number_without_emergency_location_is_named() -> None:
    user = me()
    snapshot = tenant(user, ra_number(location_id=None))
    assert_emergency_not_set_up(caller_id_answer(user, snapshot), "SC-R04")


def test_no_callback_pool_is_named_when_the_emergency_setup_is_wrong() -> None:
    user = me(SC, EMPTY_VRP)
    policy = SharedCallingPolicy("SC", RA, POOL)
    snapshot = tenant(user, ra_number(), *map(pool_number, POOL), policy=policy)
    answer = caller_id_answer(user, snapshot)
    assert_emergency_not_set_up(answer, "SC-U08")
    assert POOL[0] not in texts(answer)[0]


# --------------------------------------------------------------------------- fix 4


def test_a_toll_free_account_without_callback_numbers_has_no_supported_callback() -> None:
    """Fix 4: SC-E07; the main number is not an emergency callback for a toll-free RA."""
    user = me()
    answer = caller_id_answer(user, tenant(user, ra_number(toll_free=True)))
    assert_emergency_not_set_up(answer, "SC-E07")
    assert "main number" not in texts(answer)[0]


# --------------------------------------------------------------------------- fix 5


def test_a_resource_caller_id_policy_presents_the_resource_account_number() -> None:
    """Fix 5: CallingIDSubstitute Resource replaces the headline number."""
    clid = CallingLineIdentityPolicy("Main", CallingIdSubstitute.RESOURCE, CLID_RA)
    user = me(PolicyRef(PolicyType.CALLING_LINE_IDENTITY, "Main"))
    own = PhoneNumber(
        OWN, NumberType.CALLING_PLAN, "US", (Capability.USER_ASSIGNMENT,), assigned_target_id=ME
    )
    clid_number = ra_number(telephone_number=CLID_NUMBER, assigned_target_id=CLID_RA)
    snapshot = tenant(
        user, ra_number(), own, clid_number, calling_line_identity_policies={"Main": clid}
    )
    snapshot = replace(snapshot, users={**snapshot.users, CLID_RA: account(CLID_RA, "Help Desk")})
    answer = caller_id_answer(user, snapshot)
    assert (answer.outcome, answer.outbound_number) == (Outcome.PERSONAL, CLID_NUMBER)
    assert answer.personal_number == OWN
    assert answer.emergency.numbers == (OWN,)
    summary, line = texts(answer)
    assert summary.startswith(f"You call out as **{CLID_NUMBER}**")
    assert f"Emergency calls always send {OWN}" in summary
    assert line.startswith(f"You call out as **{CLID_NUMBER}**")
    assert "Help Desk" in line


# --------------------------------------------------------------------------- fix 6


def pending(
    state: ActivationState, number_type: NumberType = NumberType.CALLING_PLAN
) -> PhoneNumber:
    return PhoneNumber(
        OWN,
        number_type,
        "US",
        (Capability.USER_ASSIGNMENT,),
        activation_state=state,
        assignment_status=AssignmentStatus.USER_ASSIGNED,
        assigned_target_id=ME,
    )


def test_a_number_whose_assignment_failed_is_not_a_working_number() -> None:
    """Fix 6: name the state instead of presenting the number."""
    user = me(EMPTY_VRP, US_ECRP)
    answer = caller_id_answer(
        user, tenant(user, ra_number(), pending(ActivationState.ASSIGNMENT_FAILED))
    )
    assert (answer.outcome, answer.outbound_number) == (Outcome.NO_NUMBER, None)
    assert any("AssignmentFailed" in r.text for r in answer.reasons)
    assert "AssignmentFailed" in texts(answer)[0]


def test_a_pending_number_leaves_shared_calling_in_force() -> None:
    user = me()
    answer = caller_id_answer(
        user, tenant(user, ra_number(), pending(ActivationState.ASSIGNMENT_PENDING))
    )
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED, RA_NUMBER)
    assert any("AssignmentPending" in r.text for r in answer.reasons)


def test_a_direct_routing_number_that_is_not_activated_does_not_route() -> None:
    user = me(PolicyRef(PolicyType.VOICE_ROUTING, "DR-Routes"))
    number = pending(ActivationState.UPDATE_FAILED, NumberType.DIRECT_ROUTING)
    answer = caller_id_answer(user, tenant(user, ra_number(), number))
    assert answer.outcome is not Outcome.PERSONAL_DR
    assert answer.outbound_number is None


# --------------------------------------------------------------------------- fix 7


def teams_phone(status: ProvisioningStatus) -> tuple[License, ...]:
    return (License("SPE_E5", (ServicePlan("MCOEV", status),)),)


def test_teams_phone_switched_off_in_the_license_is_not_still_provisioning() -> None:
    """Fix 7: `Disabled` is the admin's choice in the license."""
    user = me(licenses=teams_phone(ProvisioningStatus.DISABLED))
    answer = caller_id_answer(user, tenant(user))
    assert answer.outcome is Outcome.NO_PSTN
    assert [r.text for r in answer.reasons if r.code == "SC-U03"] == [
        "Teams Phone is switched off in the license"
    ]
    assert "provisioning" not in texts(answer)[0]


def test_an_unknown_provisioning_state_gives_no_confident_answer() -> None:
    user = me(licenses=teams_phone(ProvisioningStatus.UNKNOWN))
    answer = caller_id_answer(user, tenant(user))
    assert answer.certain is False
    assert "SC-U03" in answer.rule_codes
    summary, line = texts(answer)
    expected = (
        "I cannot tell whether Teams Phone is provisioned for you; the backend does not report it"
    )
    assert summary.startswith(expected)
    assert line.startswith(expected)
    assert "still provisioning" not in summary


UNKNOWN = ProvisioningStatus.UNKNOWN


@pytest.mark.parametrize(
    ("plans", "code", "plan"),
    [
        ((ServicePlan("MCOEV_VIRTUALUSER", UNKNOWN), ServicePlan("MCOPSTN_PAYG_1")),
         "SC-R02", "Teams Phone Resource Account license"),
        ((ServicePlan("MCOEV_VIRTUALUSER"), ServicePlan("MCOPSTN_PAYG_1", UNKNOWN)),
         "SC-R06", "Pay-As-You-Go Calling Plan"),
    ],
    ids=["resource account license", "pay-as-you-go plan"],
)  # fmt: skip
def test_a_resource_account_license_nobody_can_confirm_is_a_doubt_not_a_verdict(
    plans: tuple[ServicePlan, ...], code: str, plan: str
) -> None:
    ra = replace(account(RA, "Main Line"), licenses=(License("PHONESYSTEM_VIRTUALUSER", plans),))
    answer = caller_id_answer(me(), tenant(me(), ra=ra))
    assert answer.outcome is Outcome.SHARED
    assert answer.certain is False
    assert [r.code for r in answer.unknowns] == [code]
    summary, line = texts(answer)
    doubt = f"I cannot tell whether Main Line (main-line@example.test)'s {plan} is provisioned"
    assert summary.startswith(doubt)
    assert line.startswith(doubt)
    assert "will fail" not in summary


def test_a_known_provisioning_state_gives_a_certain_answer() -> None:
    assert caller_id_answer(me(), tenant(me())).certain is True


# --------------------------------------------------------------------------- fix 9


def test_policy_names_match_whatever_case_the_tenant_stores() -> None:
    """Fix 9: a policy stored as `sc` is the user's `SC`."""
    user = me(
        PolicyRef(PolicyType.SHARED_CALLING, "SC"),
        PolicyRef(PolicyType.VOICE_ROUTING, "EMPTY"),
        PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "us-emergency"),
    )
    snapshot = tenant(user)
    snapshot = replace(snapshot, shared_calling_policies={"sc": SharedCallingPolicy("sc", RA)})
    answer = caller_id_answer(user, snapshot)
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED, RA_NUMBER)
    assert answer.emergency.kind.value == "main_number"


def test_object_ids_match_whatever_their_case() -> None:
    lettered = UserId("abcdef00-0000-4000-8000-0000000000aa")
    user = me()
    snapshot = tenant(
        user,
        ra_number(assigned_target_id=lettered.upper()),
        policy=SharedCallingPolicy("SC", UserId(lettered.upper())),
        ra=account(lettered, "Main Line"),
        associations=(
            AppAssociation(
                UserId(lettered.upper()), AppConfigurationType.AUTO_ATTENDANT, "aa", "AA"
            ),
        ),
    )
    snapshot = replace(snapshot, users={ME: user, lettered: account(lettered, "Main Line")})
    answer = caller_id_answer(user, snapshot)
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED, RA_NUMBER)
    assert answer.shared is not None
    assert answer.shared.auto_attendant_name == "AA"


# --------------------------------------------------------------------------- fix 13


def test_the_emergency_numbers_are_named_in_the_policys_order() -> None:
    user = me()
    policy = SharedCallingPolicy("SC", RA, POOL)
    answer = caller_id_answer(
        user, tenant(user, ra_number(), *map(pool_number, POOL), policy=policy)
    )
    assert answer.emergency.numbers == POOL
