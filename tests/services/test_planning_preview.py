import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.services.planning import PlanRequest, preview_plan_request
from sharedcalling.services.ports import TenantNotFound


@pytest.fixture
def tenant() -> EmulatedTenantGateway:
    return EmulatedTenantGateway.seeded()


async def test_preview_counts_changing_compliant_and_blocked_users(tenant):
    request = PlanRequest(
        "ra-mainline@contoso.example",
        "Seattle",
        users=["DiegoS@contoso.example", "AdeleV@contoso.example", "IsaiahL@contoso.example"],
    )
    preview = await preview_plan_request(request, tenant=tenant)
    assert (preview.total, preview.changing, preview.compliant, preview.blocked) == (3, 1, 1, 1)
    assert preview.summary == "3 users: 1 will change, 1 already compliant, 1 blocked."
    assert "SC-U03" in preview.findings_by_code


async def test_direct_routing_numbers_get_their_country_from_the_prefix(tenant):
    request = PlanRequest(
        "ra-berlin@contoso.example",
        "Berlin",
        users=["DiegoS@contoso.example"],
        emergency_numbers=["+49 30 23125 190"],
    )
    preview = await preview_plan_request(request, tenant=tenant)
    assert "SC-E03" not in preview.findings_by_code
    assert not preview.plan.blocked


async def test_unknown_user_is_named(tenant):
    request = PlanRequest(
        "ra-mainline@contoso.example", "Seattle", users=["nobody@contoso.example"]
    )
    with pytest.raises(TenantNotFound, match=r"nobody@contoso\.example"):
        await preview_plan_request(request, tenant=tenant)


@pytest.mark.parametrize("number", ["425 555 0193", "+1 425 555", "+1 425 555 0193;ext=1"])
async def test_malformed_emergency_numbers_are_refused(tenant, number):
    request = PlanRequest("ra-mainline@contoso.example", "Seattle", emergency_numbers=[number])
    with pytest.raises(InvalidInput):
        await preview_plan_request(request, tenant=tenant)


@pytest.mark.parametrize("name", ["", "Global", "bad\nname", "x" * 65])
async def test_bad_policy_names_are_refused(tenant, name):
    with pytest.raises(InvalidInput):
        await preview_plan_request(PlanRequest("ra-mainline@contoso.example", name), tenant=tenant)
