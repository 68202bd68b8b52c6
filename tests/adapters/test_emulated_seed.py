"""The contoso seed matches the demo tenant of docs/demo-tenant.md, fact by fact."""

from __future__ import annotations

import asyncio

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_seed import UnknownSeed, seed_names
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.policy import AssignmentSource, effective_policy
from sharedcalling.domain.tenant import (
    PLAN_COMMUNICATIONS_CREDITS,
    PLAN_PAYG_PREFIX,
    PLAN_RESOURCE_ACCOUNT,
    PLAN_TEAMS_PHONE,
    TEAMS_ADMIN_ROLES,
    AppConfigurationType,
    AssignmentStatus,
    Capability,
    NumberType,
    PolicyType,
    ProvisioningStatus,
    TenantSnapshot,
    shared_calling_target_id,
)
from sharedcalling.services.ports import SnapshotScope
from tests.demo_ids import (
    ADELE,
    ALEX,
    DIEGO,
    GRADY,
    HENRIETTA,
    ISAIAH,
    JOHANNA,
    JONI,
    LEE,
    LYNNE,
    MEGAN,
    MIRIAM,
    NESTOR,
    PATTI,
    PRADEEP,
    RA_BERLIN,
    RA_HELPDESK,
    RA_MAINLINE,
    RA_SPARE,
    RA_SYDNEY,
    SEATTLE_FLOOR_2,
    VOICE_ADMINS,
)

SC, VRP, ECRP, CLID = (
    PolicyType.SHARED_CALLING,
    PolicyType.VOICE_ROUTING,
    PolicyType.EMERGENCY_CALL_ROUTING,
    PolicyType.CALLING_LINE_IDENTITY,
)


@pytest.fixture(scope="module")
def snapshot() -> TenantSnapshot:
    # Module-scoped and read-only, so built once outside the per-test event loop.
    gateway = EmulatedTenantGateway.seeded()
    return asyncio.run(gateway.snapshot(SnapshotScope(all_users=True)))


def effective(snapshot: TenantSnapshot, user: UserId, policy_type: PolicyType) -> str:
    return effective_policy(user, policy_type, snapshot).name


def test_the_tenant_is_contoso(snapshot: TenantSnapshot) -> None:
    assert snapshot.tenant_id == "8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b"
    assert snapshot.cloud == "public"
    assert seed_names() == ["contoso"]


def test_an_unknown_seed_is_refused() -> None:
    with pytest.raises(UnknownSeed, match="contoso"):
        EmulatedTenantGateway.seeded("fabrikam")


@pytest.mark.parametrize(
    ("account", "number", "number_type", "country"),
    [
        (RA_MAINLINE, "+14255550100", NumberType.CALLING_PLAN, "US"),
        (RA_HELPDESK, "+14255550150", NumberType.OPERATOR_CONNECT, "US"),
        (RA_BERLIN, "+493023125100", NumberType.DIRECT_ROUTING, None),
        (RA_SYDNEY, "+61255501234", NumberType.CALLING_PLAN, "AU"),
    ],
)
def test_resource_accounts_hold_their_numbers(
    snapshot: TenantSnapshot, account: UserId, number: str, number_type: NumberType, country: str
) -> None:
    ra = snapshot.users[account]
    assert ra.is_resource_account
    assert ra.plan_status(PLAN_RESOURCE_ACCOUNT) is ProvisioningStatus.SUCCESS
    assert ra.plan_status(PLAN_TEAMS_PHONE) is None
    [held] = snapshot.numbers_of(account)
    assert (held.telephone_number, held.number_type, held.iso_country_code) == (
        number,
        number_type,
        country,
    )
    assert held.assignment_status is AssignmentStatus.VOICE_APPLICATION_ASSIGNED


def test_the_main_line_is_a_funded_calling_plan_service_number_with_a_location(
    snapshot: TenantSnapshot,
) -> None:
    ra = snapshot.users[RA_MAINLINE]
    assert ra.has_plan_prefix(PLAN_PAYG_PREFIX)
    assert ra.plan_status(PLAN_COMMUNICATIONS_CREDITS) is ProvisioningStatus.SUCCESS
    number = snapshot.numbers["+14255550100"]
    assert number.is_service_number
    assert Capability.VOICE_APPLICATION_ASSIGNMENT in number.capabilities
    assert number.location_id


def test_sydney_has_no_location_and_the_desk_must_set_it(snapshot: TenantSnapshot) -> None:
    number = snapshot.numbers["+61255501234"]
    assert number.location_id is None
    assert not number.location_update_supported


def test_the_spare_account_has_no_number(snapshot: TenantSnapshot) -> None:
    assert snapshot.numbers_of(RA_SPARE) == ()
    assert snapshot.users[RA_SPARE].plan_status(PLAN_RESOURCE_ACCOUNT) is ProvisioningStatus.SUCCESS


def test_berlin_routes_through_its_sbc(snapshot: TenantSnapshot) -> None:
    assert snapshot.users[RA_BERLIN].direct_policy(VRP) == "DE-Berlin-PSTN"
    assert snapshot.voice_routing_policies["DE-Berlin-PSTN"].pstn_usages == ("DE-Berlin",)


def test_associations_link_accounts_to_attendants_and_queues(snapshot: TenantSnapshot) -> None:
    facts = {
        (a.resource_account_id, a.configuration_type, a.configuration_name)
        for a in snapshot.associations
    }
    assert facts == {
        (RA_MAINLINE, AppConfigurationType.AUTO_ATTENDANT, "Contoso Main AA"),
        (RA_HELPDESK, AppConfigurationType.CALL_QUEUE, "Help Desk"),
        (RA_BERLIN, AppConfigurationType.AUTO_ATTENDANT, "Berlin AA"),
    }


def test_spare_numbers_and_the_seattle_pool(snapshot: TenantSnapshot) -> None:
    for n in ("+14255550191", "+14255550192"):
        assert snapshot.numbers[n].assigned_target_id == shared_calling_target_id("Seattle")
        assert snapshot.numbers[n].assignment_status is AssignmentStatus.POLICY_ASSIGNED
    free = ["+14255550193", "+14255550194", "+14255550195"]
    free += ["+493023125190", "+493023125191", "+493023125192"]
    for n in free:
        assert snapshot.numbers[n].assignment_status is AssignmentStatus.UNASSIGNED
    assert Capability.USER_ASSIGNMENT in snapshot.numbers["+14255550193"].capabilities
    assert snapshot.numbers["+493023125190"].number_type is NumberType.DIRECT_ROUTING


@pytest.mark.parametrize(
    ("user", "number"),
    [
        (MEGAN, "+14255550110"),
        (LEE, "+14255550142"),
        (JONI, "+14255550196"),
        (JOHANNA, "+493023125142"),
    ],
)
def test_people_with_their_own_number(snapshot: TenantSnapshot, user: UserId, number: str) -> None:
    assert [n.telephone_number for n in snapshot.numbers_of(user)] == [number]
    assert snapshot.users[user].enterprise_voice_enabled


def test_people_without_a_number(snapshot: TenantSnapshot) -> None:
    for user in (ALEX, ADELE, DIEGO, ISAIAH, NESTOR, PATTI, LYNNE, GRADY, PRADEEP, MIRIAM):
        assert snapshot.numbers_of(user) == ()


def test_voice_and_licensing_facts(snapshot: TenantSnapshot) -> None:
    users = snapshot.users
    assert users[ISAIAH].plan_status(PLAN_TEAMS_PHONE) is None
    assert not users[HENRIETTA].account_enabled
    for user in (ALEX, DIEGO, MIRIAM):
        assert not users[user].enterprise_voice_enabled
    for user in (ADELE, LEE, NESTOR, PATTI, LYNNE, GRADY, PRADEEP, JONI):
        assert users[user].enterprise_voice_enabled
    assert users[PRADEEP].usage_location == users[JOHANNA].usage_location == "DE"
    assert users[MEGAN].usage_location == "US"
    assert TEAMS_ADMIN_ROLES & set(users[MEGAN].directory_roles)


@pytest.mark.parametrize(
    ("user", "sc", "vrp", "ecrp", "clid"),
    [
        (ADELE, "Seattle", "NoPSTN", "US-Emergency", "Global"),
        (DIEGO, "Global", "Global", "Global", "Global"),
        (NESTOR, "Seattle", "NoPSTN", "US-Emergency", "Global"),
        (PATTI, "HelpDesk", "NoPSTN", "US-Emergency", "Global"),
        (LYNNE, "Seattle", "Global", "Global", "Global"),
        (GRADY, "Seattle", "NoPSTN", "US-Emergency", "Anonymous"),
        (JOHANNA, "Global", "DE-Berlin-PSTN", "DE-Emergency-DR", "Global"),
        (PRADEEP, "Global", "Global", "Global", "Global"),
    ],
)
def test_effective_policies(
    snapshot: TenantSnapshot, user: UserId, sc: str, vrp: str, ecrp: str, clid: str
) -> None:
    assert [effective(snapshot, user, t) for t in (SC, VRP, ECRP, CLID)] == [sc, vrp, ecrp, clid]


def test_nestor_gets_seattle_from_his_group(snapshot: TenantSnapshot) -> None:
    found = effective_policy(NESTOR, SC, snapshot)
    assert (found.source, found.group_id, found.rank) == (
        AssignmentSource.GROUP,
        SEATTLE_FLOOR_2,
        1,
    )


def test_global_policies_exist_with_their_defaults(snapshot: TenantSnapshot) -> None:
    assert snapshot.shared_calling_policies["Global"].resource_account_id is None
    assert snapshot.voice_routing_policies["Global"].pstn_usages == ("US-Default",)
    assert snapshot.emergency_call_routing_policies["Global"].emergency_numbers == ()
    assert snapshot.calling_line_identity_policies["Global"].is_default
    assert snapshot.shared_calling_policies["HelpDesk"].emergency_numbers == ()
    de = snapshot.emergency_call_routing_policies["DE-Emergency-DR"]
    assert {e.pstn_usage for e in de.emergency_numbers} == {"DE-Berlin"}
    us = snapshot.emergency_call_routing_policies["US-Emergency"]
    assert {e.pstn_usage for e in us.emergency_numbers} == {None}


def test_group_memberships(snapshot: TenantSnapshot) -> None:
    assert snapshot.groups[VOICE_ADMINS].member_ids == (MEGAN,)
    assert set(snapshot.groups[SEATTLE_FLOOR_2].member_ids) == {NESTOR, PATTI}


def test_generated_employees_are_licensed_voice_off_and_numberless(
    snapshot: TenantSnapshot,
) -> None:
    employees = [u for u in snapshot.users.values() if u.id.startswith("00000000-0000-4000-9000")]
    assert len(employees) == 1000
    last = snapshot.users[UserId("00000000-0000-4000-9000-000000001000")]
    assert (last.user_principal_name, last.display_name, last.mail_nickname) == (
        "user1000@contoso.example",
        "Contoso Employee 1000",
        "user1000",
    )
    for employee in employees:
        assert employee.plan_status(PLAN_TEAMS_PHONE) is ProvisioningStatus.SUCCESS
        assert not employee.enterprise_voice_enabled
        assert employee.direct_policies == ()
    assert not any(
        n.assigned_target_id in {e.id for e in employees} for n in snapshot.numbers.values()
    )


def test_subscribed_seats_match_the_accounts(snapshot: TenantSnapshot) -> None:
    skus = {s.sku_part_number: s for s in snapshot.subscribed_skus}
    assert skus["PHONESYSTEM_VIRTUALUSER"].consumed_units == 5
    assert skus["PHONESYSTEM_VIRTUALUSER"].available_units == 20
    assert skus["MCOEV"].consumed_units == 1000
    assert not any(
        p.endswith("_GOV") for s in snapshot.subscribed_skus for p in s.service_plan_names
    )
