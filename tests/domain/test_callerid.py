from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.callerid import (
    Callbacks,
    CallerIdAnswer,
    EmergencyKind,
    Outcome,
    caller_id_answer,
    summary_text,
)
from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.tenant import (
    AppAssociation,
    AppConfigurationType,
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    Capability,
    Group,
    GroupPolicyAssignment,
    License,
    NumberType,
    PhoneNumber,
    PolicyRef,
    PolicyType,
    ServicePlan,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
)
from sharedcalling.services.ports import SnapshotScope

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")


def uid(nn: int) -> UserId:
    return UserId(f"00000000-0000-4000-8000-{nn:012d}")


@pytest.fixture(scope="module")
def demo() -> TenantSnapshot:
    # One read of the whole seeded demo tenant, shared by the module's tests (they never write).
    gateway = EmulatedTenantGateway.seeded()
    return asyncio.run(gateway.snapshot(SnapshotScope(all_users=True)))


def answer_for(demo: TenantSnapshot, nn: int) -> CallerIdAnswer:
    return caller_id_answer(demo.users[uid(nn)], demo)


# --------------------------------------------------------------------------- the demo tenant


def test_megan_calls_out_with_her_own_calling_plan_number(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 1)
    assert (answer.outcome, answer.outbound_number) == (Outcome.PERSONAL, "+14255550110")
    assert answer.callbacks is Callbacks.RING_USER
    assert answer.emergency.kind is EmergencyKind.OWN_NUMBER
    assert answer.emergency.numbers == ("+14255550110",)


def test_alex_cannot_call_out_because_voice_is_disabled(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 2)
    assert answer.outcome is Outcome.NO_PSTN
    assert answer.outbound_number is None
    assert answer.rule_codes == ("SC-U04",)


def test_adele_presents_the_main_line_through_shared_calling(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 3)
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED, "+14255550100")
    assert answer.shared is not None
    assert answer.shared.policy_name == "Seattle"
    assert answer.shared.assignment == "direct assignment"
    assert answer.shared.resource_account_id == uid(51)
    assert answer.shared.resource_account_name == "Contoso Main Line"
    assert answer.shared.auto_attendant_name == "Contoso Main AA"
    assert answer.callbacks is Callbacks.AUTO_ATTENDANT
    assert answer.emergency.kind is EmergencyKind.CALLBACK_POOL
    assert answer.emergency.numbers == ("+14255550191", "+14255550192")
    assert answer.emergency.hold_minutes == 60
    assert answer.clid is None


def test_lee_calls_out_with_his_own_number(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 4)
    assert (answer.outcome, answer.outbound_number) == (Outcome.PERSONAL, "+14255550142")


def test_diego_cannot_call_out_because_voice_is_disabled(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 5)
    assert answer.outcome is Outcome.NO_PSTN
    assert "SC-U04" in answer.rule_codes


def test_isaiah_cannot_call_out_without_a_teams_phone_license(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 6)
    assert answer.outcome is Outcome.NO_PSTN
    assert "SC-U03" in answer.rule_codes


def test_johanna_calls_out_with_her_direct_routing_number(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 7)
    assert (answer.outcome, answer.outbound_number) == (Outcome.PERSONAL_DR, "+493023125142")
    assert answer.callbacks is Callbacks.RING_USER


def test_nestor_gets_shared_calling_through_his_group(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 8)
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED, "+14255550100")
    assert answer.shared is not None
    assert answer.shared.assignment == "group Seattle Floor 2 (rank 1)"


def test_pattis_direct_helpdesk_policy_beats_her_group(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 9)
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED, "+14255550150")
    assert answer.shared is not None
    assert answer.shared.policy_name == "HelpDesk"
    assert answer.shared.auto_attendant_name is None
    assert answer.shared.other_app_name == "Help Desk"
    assert answer.callbacks is Callbacks.NO_AUTO_ATTENDANT
    assert "SC-R10" in answer.rule_codes
    assert answer.emergency.kind is EmergencyKind.MAIN_NUMBER
    assert answer.emergency.numbers == ("+14255550150",)


def test_lynne_is_inconsistent_because_global_routing_has_usages(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 10)
    assert answer.outcome is Outcome.INCONSISTENT
    assert answer.outbound_number is None
    assert answer.rule_codes == ("SC-U07",)
    assert answer.emergency.kind is EmergencyKind.UNDETERMINED


def test_grady_is_shared_with_an_anonymous_caller_id_caveat(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 11)
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED, "+14255550100")
    assert answer.clid is not None
    assert answer.clid.policy_name == "Anonymous"
    assert answer.clid.substitute is CallingIdSubstitute.ANONYMOUS
    assert "withheld" in answer.clid.effect
    assert "SC-P06" in answer.rule_codes


def test_pradeep_has_no_number_and_no_shared_calling(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 12)
    assert (answer.outcome, answer.outbound_number) == (Outcome.NO_NUMBER, None)


def test_henrietta_cannot_call_out_because_her_account_is_disabled(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 13)
    assert answer.outcome is Outcome.NO_PSTN
    assert answer.rule_codes[0] == "SC-U02"
    assert "disabled" in answer.reasons[0].text


def test_miriam_as_seeded_cannot_call_out_because_voice_is_disabled(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 14)
    assert answer.outcome is Outcome.NO_PSTN
    assert answer.rule_codes == ("SC-U04",)


def test_joni_calls_out_with_her_own_number(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 17)
    assert (answer.outcome, answer.outbound_number) == (Outcome.PERSONAL, "+14255550196")


def test_a_generated_employee_cannot_call_out(demo: TenantSnapshot) -> None:
    user = demo.users[UserId("00000000-0000-4000-9000-000000000042")]
    assert caller_id_answer(user, demo).outcome is Outcome.NO_PSTN


def test_a_resource_account_is_not_a_caller(demo: TenantSnapshot) -> None:
    answer = answer_for(demo, 51)
    assert answer.outcome is Outcome.NO_PSTN
    assert answer.rule_codes == ("SC-U01",)


# --------------------------------------------------------------------------- hand-built tenants

RA = UserId("00000000-0000-4000-8000-000000000051")
ME = UserId("00000000-0000-4000-8000-000000000099")
PHONE = License("SPE_E5", (ServicePlan("MCOEV"),))
RA_LICENSE = License("PHONESYSTEM_VIRTUALUSER", (ServicePlan("MCOEV_VIRTUALUSER"),))
PAYG = License("MCOPSTN_PAYG_1", (ServicePlan("MCOPSTN_PAYG_1"),))


def _user(*policies: PolicyRef) -> User:
    return User(
        id=ME,
        user_principal_name="me@contoso.example",
        display_name="Test Person",
        licenses=(PHONE,),
        enterprise_voice_enabled=True,
        direct_policies=policies,
    )


def _number(n: str, kind: NumberType, target: str | None) -> PhoneNumber:
    return PhoneNumber(n, kind, "US", (Capability.USER_ASSIGNMENT,), assigned_target_id=target)


def _tenant(
    user: User,
    *numbers: PhoneNumber,
    ra_licenses: tuple[License, ...] = (RA_LICENSE, PAYG),
    global_usages: tuple[str, ...] = (),
    clid: CallingLineIdentityPolicy | None = None,
) -> TenantSnapshot:
    ra = User(RA, "ra@contoso.example", "Main Line", licenses=ra_licenses)
    ra = replace(ra, account_type=ra.account_type.RESOURCE_ACCOUNT, account_enabled=False)
    return TenantSnapshot(
        tenant_id=TENANT,
        users={user.id: user, RA: ra},
        numbers={n.telephone_number: n for n in numbers},
        shared_calling_policies={"SC": SharedCallingPolicy("SC", RA)},
        voice_routing_policies={
            "Global": VoiceRoutingPolicy("Global", global_usages),
            "Empty": VoiceRoutingPolicy("Empty"),
            "Routed": VoiceRoutingPolicy("Routed", ("US",)),
        },
        calling_line_identity_policies={clid.name: clid} if clid else {},
        associations=(AppAssociation(RA, AppConfigurationType.AUTO_ATTENDANT, "aa", "Main AA"),),
    )


SC = PolicyRef(PolicyType.SHARED_CALLING, "SC")
EMPTY_VRP = PolicyRef(PolicyType.VOICE_ROUTING, "Empty")
ROUTED_VRP = PolicyRef(PolicyType.VOICE_ROUTING, "Routed")
RA_NUMBER = _number("+14255550100", NumberType.CALLING_PLAN, RA)


def test_an_extension_number_with_an_empty_routing_policy_is_shared_ext() -> None:
    user = _user(SC, EMPTY_VRP)
    ext = _number("+14255550177;ext=177", NumberType.DIRECT_ROUTING, ME)
    answer = caller_id_answer(user, _tenant(user, RA_NUMBER, ext))
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED_EXT, "+14255550100")
    assert answer.shared is not None
    assert answer.shared.extension == "177"
    text = summary_text(answer, "Test Person", about_self=True)
    assert "by name or extension 177" in text


def test_a_resource_account_without_a_number_breaks_shared_calling() -> None:
    user = _user(SC)
    answer = caller_id_answer(user, _tenant(user))
    assert (answer.outcome, answer.outbound_number) == (Outcome.SHARED_BROKEN, None)
    assert answer.rule_codes == ("SC-R03",)
    assert "will fail" in summary_text(answer, "Test Person", about_self=True)


def test_a_calling_plan_resource_account_without_payg_breaks_shared_calling() -> None:
    user = _user(SC)
    answer = caller_id_answer(user, _tenant(user, RA_NUMBER, ra_licenses=(RA_LICENSE,)))
    assert answer.outcome is Outcome.SHARED_BROKEN
    assert [r.code for r in answer.reasons] == ["SC-R06"]
    # This tenant also lacks an emergency location and an ECRP: named, never a callback number.
    assert answer.emergency.kind is EmergencyKind.NOT_SET_UP
    assert {r.code for r in answer.emergency.reasons} == {"SC-U08", "SC-R04"}


def test_a_direct_routing_number_without_extension_and_empty_routing_is_inconsistent() -> None:
    user = _user(SC, EMPTY_VRP)
    own = _number("+14255550188", NumberType.DIRECT_ROUTING, ME)
    answer = caller_id_answer(user, _tenant(user, RA_NUMBER, own))
    assert (answer.outcome, answer.outbound_number) == (Outcome.INCONSISTENT, None)
    assert answer.rule_codes == ("SC-U05", "SC-U07")


def test_a_personal_number_with_a_resource_caller_id_shows_the_resource_number() -> None:
    clid = CallingLineIdentityPolicy("Main", CallingIdSubstitute.RESOURCE, RA, company_name="Co")
    user = _user(PolicyRef(PolicyType.CALLING_LINE_IDENTITY, "Main"))
    own = _number("+14255550111", NumberType.OPERATOR_CONNECT, ME)
    answer = caller_id_answer(user, _tenant(user, RA_NUMBER, own, clid=clid))
    # The presented number is the CLID resource account's (issue 7, fix 5).
    assert (answer.outcome, answer.outbound_number) == (Outcome.PERSONAL, "+14255550100")
    assert answer.personal_number == "+14255550111"
    assert answer.clid is not None
    assert answer.clid.presented_number == "+14255550100"
    assert answer.emergency.numbers == ("+14255550111",)
    text = summary_text(answer, "Test Person", about_self=True)
    assert text.startswith("You call out as **+14255550100**, the number of Main Line")
    assert "your own number is +14255550111" in text
    assert "Emergency calls always send +14255550111" in text


def test_a_personal_number_beats_an_assigned_shared_calling_policy() -> None:
    user = _user(SC)
    own = _number("+14255550111", NumberType.CALLING_PLAN, ME)
    answer = caller_id_answer(user, _tenant(user, RA_NUMBER, own))
    assert answer.outcome is Outcome.PERSONAL


def test_a_direct_routing_number_with_routing_beats_shared_calling() -> None:
    user = _user(SC, ROUTED_VRP)
    ext = _number("+14255550177;ext=177", NumberType.DIRECT_ROUTING, ME)
    answer = caller_id_answer(user, _tenant(user, RA_NUMBER, ext))
    assert (answer.outcome, answer.outbound_number) == (Outcome.PERSONAL_DR, "+14255550177")


def test_a_group_assignment_applies_when_there_is_no_direct_one() -> None:
    user = _user(EMPTY_VRP)
    group = GroupId("00000000-0000-4000-a000-000000000009")
    snapshot = replace(
        _tenant(user, RA_NUMBER),
        groups={group: Group(group, "Floor", (ME,))},
        group_assignments=(GroupPolicyAssignment(group, PolicyType.SHARED_CALLING, "SC", 2),),
    )
    answer = caller_id_answer(user, snapshot)
    assert answer.outcome is Outcome.SHARED
    assert answer.shared is not None
    assert answer.shared.assignment == "group Floor (rank 2)"


# --------------------------------------------------------------------------- the text answer


def test_summary_speaks_to_the_asker_in_the_second_person(demo: TenantSnapshot) -> None:
    text = summary_text(answer_for(demo, 3), "Adele Vance", about_self=True)
    assert text.startswith("When you call an outside number, people see **+14255550100**")
    assert "ask for you by name" in text
    assert "one of **+14255550191, +14255550192**" in text
    assert "60 minutes" in text


def test_summary_speaks_about_someone_else_in_the_third_person(demo: TenantSnapshot) -> None:
    text = summary_text(answer_for(demo, 13), "Henrietta Mueller", about_self=False)
    assert text.startswith("Henrietta Mueller is not set up to call outside numbers")
    assert "disabled (SC-U02)" in text


def test_summary_formats_numbers_with_the_given_formatter(demo: TenantSnapshot) -> None:
    text = summary_text(answer_for(demo, 1), "Megan", about_self=True, number_format=str.upper)
    assert text == "You call out as **+14255550110**. Emergency calls always send +14255550110."


def test_summary_names_the_caller_id_caveat_for_shared_users(demo: TenantSnapshot) -> None:
    text = summary_text(answer_for(demo, 11), "Grady Archie", about_self=False)
    assert "Grady Archie's caller-ID policy Anonymous is in force" in text


def test_summary_says_callbacks_reach_a_call_queue_not_a_person(demo: TenantSnapshot) -> None:
    text = summary_text(answer_for(demo, 9), "Patti Fernandez", about_self=True)
    assert "the shared number of Contoso Help Desk" in text
    assert "Callbacks reach the call queue Help Desk, not an auto attendant" in text
    assert "cannot ask for you by name (SC-R10)" in text
    assert text.endswith("the emergency service sees the shared number +14255550150.")


def test_summary_of_a_broken_setup_names_the_rule_and_the_effect() -> None:
    user = _user(SC)
    text = summary_text(caller_id_answer(user, _tenant(user)), "Test Person", about_self=False)
    assert (
        text
        == "Test Person's shared-calling setup is incomplete (SC-R03); outside calls will fail."
    )


def test_summary_keeps_a_surnames_capital_letter(demo: TenantSnapshot) -> None:
    text = summary_text(answer_for(demo, 10), "lynne McRobbins", about_self=False)
    assert text.startswith("Lynne McRobbins's shared-calling setup is incomplete (SC-U07)")


# --------------------------------------------------------------------------- never raises

_ids = st.sampled_from([ME, RA, UserId("00000000-0000-4000-8000-000000000098")])
_numbers = st.builds(
    PhoneNumber,
    telephone_number=st.sampled_from(["+14255550100", "+14255550101;ext=1", "+4930231"]),
    number_type=st.sampled_from(NumberType),
    iso_country_code=st.none() | st.just("US"),
    assigned_target_id=st.none() | _ids,
)
_refs = st.builds(
    PolicyRef, st.sampled_from(PolicyType), st.sampled_from(["SC", "Empty", "Routed", "Nope"])
)
_users = st.builds(
    User,
    id=_ids,
    user_principal_name=st.just("x@contoso.example"),
    display_name=st.text(max_size=5),
    account_enabled=st.booleans(),
    licenses=st.lists(st.sampled_from([PHONE, RA_LICENSE, PAYG]), max_size=2).map(tuple),
    enterprise_voice_enabled=st.booleans(),
    direct_policies=st.lists(_refs, max_size=4).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(
    user=_users,
    others=st.lists(_users, max_size=3),
    numbers=st.lists(_numbers, max_size=4),
    ra_id=st.none() | _ids,
    emergency=st.lists(st.sampled_from(["+14255550191", "+1"]), max_size=2),
    usages=st.lists(st.just("US"), max_size=1),
    clid=st.none()
    | st.builds(
        CallingLineIdentityPolicy,
        st.just("Global"),
        st.sampled_from(CallingIdSubstitute),
        st.none() | _ids,
        st.booleans(),
        st.none() | st.just("Contoso"),
    ),
)
def test_caller_id_answer_never_raises(
    user: User,
    others: list[User],
    numbers: list[PhoneNumber],
    ra_id: UserId | None,
    emergency: list[str],
    usages: list[str],
    clid: CallingLineIdentityPolicy | None,
) -> None:
    snapshot = TenantSnapshot(
        tenant_id=TENANT,
        users={u.id: u for u in [*others, user]},
        numbers={n.telephone_number: n for n in numbers},
        shared_calling_policies={"SC": SharedCallingPolicy("SC", ra_id, tuple(emergency))},
        voice_routing_policies={"Global": VoiceRoutingPolicy("Global", tuple(usages))},
        calling_line_identity_policies={"Global": clid} if clid else {},
    )
    answer = caller_id_answer(user, snapshot)
    assert isinstance(answer.outcome, Outcome)
    shared = answer.outcome in (Outcome.SHARED, Outcome.SHARED_EXT)
    personal = answer.outcome.startswith("PERS")
    # A resource caller ID whose account has no number leaves what people see untold.
    untold = personal and answer.clid is not None and answer.clid.presented_number is None
    untold = untold and answer.clid is not None and answer.clid.substitutes_resource
    assert (answer.outbound_number is not None) == ((shared or personal) and not untold)
    for about_self in (True, False):
        assert summary_text(answer, user.display_name, about_self=about_self)
