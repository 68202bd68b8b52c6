from __future__ import annotations

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.access import Principal, Role, may_ask_about, roles_for
from sharedcalling.domain.errors import NotPermitted, UnknownPerson
from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.tenant import Group, User
from sharedcalling.services.identity import resolve_principal

TENANT = "8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b"
ADMINS = "00000000-0000-4000-a000-000000000001"
APPROVERS = "00000000-0000-4000-a000-000000000002"


def uid(nn: int) -> str:
    return f"00000000-0000-4000-8000-{nn:012d}"


@pytest.fixture
def tenant() -> EmulatedTenantGateway:
    return EmulatedTenantGateway.seeded()


async def resolve(
    tenant: EmulatedTenantGateway, user_id: str, tenant_id: str = TENANT
) -> Principal:
    return await resolve_principal(
        tenant_id, user_id, tenant=tenant, admin_group_id=ADMINS, approver_group_id=APPROVERS
    )


async def test_megan_is_an_admin(tenant: EmulatedTenantGateway) -> None:
    megan = await resolve(tenant, uid(1))
    assert megan.display_name == "Megan Bowen"
    assert megan.is_admin
    assert not megan.is_approver
    assert megan.tenant_id == TENANT


async def test_alex_and_miriam_are_approvers_but_not_admins(tenant: EmulatedTenantGateway) -> None:
    for nn in (2, 14):
        person = await resolve(tenant, uid(nn))
        assert person.roles == frozenset({Role.USER, Role.APPROVER})


async def test_adele_is_a_plain_user(tenant: EmulatedTenantGateway) -> None:
    adele = await resolve(tenant, uid(3).upper())
    assert adele.roles == frozenset({Role.USER})
    assert adele.user_id == uid(3)


async def test_another_tenant_is_refused(tenant: EmulatedTenantGateway) -> None:
    with pytest.raises(NotPermitted):
        await resolve(tenant, uid(1), tenant_id="11111111-1111-4111-8111-111111111111")


async def test_an_empty_tenant_id_is_refused(tenant: EmulatedTenantGateway) -> None:
    with pytest.raises(NotPermitted):
        await resolve(tenant, uid(1), tenant_id="")


async def test_an_unknown_person_is_reported_with_the_id(tenant: EmulatedTenantGateway) -> None:
    missing = "00000000-0000-4000-8000-000000000999"
    with pytest.raises(UnknownPerson) as caught:
        await resolve(tenant, missing)
    assert caught.value.query == missing
    assert "can't find you" in str(caught.value)


async def test_a_resource_account_is_not_a_principal(tenant: EmulatedTenantGateway) -> None:
    with pytest.raises(UnknownPerson):
        await resolve(tenant, uid(51))


async def test_missing_role_groups_grant_no_roles_but_do_not_fail(
    tenant: EmulatedTenantGateway,
) -> None:
    nobody = "00000000-0000-4000-a000-00000000ffff"
    alex = await resolve_principal(
        TENANT, uid(2), tenant=tenant, admin_group_id=nobody, approver_group_id=nobody
    )
    assert alex.roles == frozenset({Role.USER})


def _person(roles: tuple[str, ...] = ()) -> User:
    return User(UserId(uid(20)), "p@contoso.example", "P", directory_roles=roles)


def test_a_teams_administrator_role_makes_an_admin_without_the_group() -> None:
    roles = roles_for(_person(("Teams Administrator",)), [], ADMINS, APPROVERS)
    assert roles == frozenset({Role.USER, Role.ADMIN})


def test_an_unrelated_directory_role_makes_no_admin() -> None:
    assert roles_for(_person(("Global Reader",)), [], ADMINS, APPROVERS) == {Role.USER}


def test_group_membership_is_matched_case_insensitively() -> None:
    groups = [Group(GroupId(ADMINS.upper()), "Voice Admins", (UserId(uid(20).upper()),))]
    assert Role.ADMIN in roles_for(_person(), groups, ADMINS, APPROVERS)


def test_only_direct_members_of_the_approver_group_approve() -> None:
    nested = Group(GroupId(APPROVERS), "Voice Approvers", (), (GroupId("g-nested"),))
    inner = Group(GroupId("g-nested"), "Nested", (UserId(uid(20)),))
    assert Role.APPROVER not in roles_for(_person(), [nested, inner], ADMINS, APPROVERS)


def test_users_may_ask_about_themselves_and_admins_about_anyone() -> None:
    user = Principal(TenantId(TENANT), UserId(uid(3)), "Adele")
    admin = Principal(TenantId(TENANT), UserId(uid(1)), "Megan", frozenset(Role))
    assert may_ask_about(user, UserId(uid(3).upper()))
    assert not may_ask_about(user, UserId(uid(4)))
    assert may_ask_about(admin, UserId(uid(4)))
