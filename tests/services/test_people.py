from __future__ import annotations

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.services.people import (
    MAX_CANDIDATES,
    Ambiguous,
    Found,
    NotFound,
    find_person,
)


@pytest.fixture
def tenant() -> EmulatedTenantGateway:
    return EmulatedTenantGateway.seeded()


async def test_an_object_id_finds_the_person(tenant: EmulatedTenantGateway) -> None:
    match = await find_person("00000000-0000-4000-8000-000000000003", tenant=tenant)
    assert isinstance(match, Found)
    assert match.user.display_name == "Adele Vance"


async def test_surrounding_whitespace_is_ignored(tenant: EmulatedTenantGateway) -> None:
    match = await find_person("  00000000-0000-4000-8000-000000000003\t", tenant=tenant)
    assert isinstance(match, Found)


async def test_a_upn_finds_the_person_case_insensitively(tenant: EmulatedTenantGateway) -> None:
    match = await find_person("meganb@CONTOSO.example", tenant=tenant)
    assert isinstance(match, Found)
    assert match.user.display_name == "Megan Bowen"


async def test_an_exact_display_name_wins_over_prefixes(tenant: EmulatedTenantGateway) -> None:
    match = await find_person("lee gu", tenant=tenant)
    assert isinstance(match, Found)
    assert match.user.user_principal_name == "LeeG@contoso.example"


async def test_a_unique_prefix_finds_the_person(tenant: EmulatedTenantGateway) -> None:
    match = await find_person("Henri", tenant=tenant)
    assert isinstance(match, Found)
    assert match.user.display_name == "Henrietta Mueller"


async def test_a_common_prefix_is_ambiguous_and_bounded(tenant: EmulatedTenantGateway) -> None:
    match = await find_person("Contoso Employee", tenant=tenant)
    assert isinstance(match, Ambiguous)
    assert len(match.candidates) == MAX_CANDIDATES
    names = [u.display_name for u in match.candidates]
    assert names == sorted(names)


async def test_resource_accounts_are_not_people_by_default(tenant: EmulatedTenantGateway) -> None:
    assert isinstance(await find_person("ra-mainline@contoso.example", tenant=tenant), NotFound)
    match = await find_person("Contoso Main Line", tenant=tenant, include_resource_accounts=True)
    assert isinstance(match, Found)


async def test_an_unknown_name_is_not_found(tenant: EmulatedTenantGateway) -> None:
    match = await find_person("Zebulon", tenant=tenant)
    assert match == NotFound("Zebulon")


async def test_an_unknown_object_id_is_not_found(tenant: EmulatedTenantGateway) -> None:
    match = await find_person("00000000-0000-4000-8000-000000000999", tenant=tenant)
    assert isinstance(match, NotFound)


@pytest.mark.parametrize("query", ["", "   ", "x" * 257, "Adele\x00", "Adele\u200b", "a\nb"])
async def test_malformed_queries_are_rejected(tenant: EmulatedTenantGateway, query: str) -> None:
    with pytest.raises(InvalidInput):
        await find_person(query, tenant=tenant)
