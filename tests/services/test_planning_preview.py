from dataclasses import replace

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.rules import Severity
from sharedcalling.domain.tenant import AssignmentStatus
from sharedcalling.services.planning import (
    PlanRequest,
    preview_plan,
    preview_plan_request,
    resolve_plan_request,
)
from sharedcalling.services.ports import SnapshotScope, TenantNotFound
from tests.demo_ids import PRADEEP


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


async def pradeep_with_an_extension() -> EmulatedTenantGateway:
    """The demo tenant where Pradeep keeps a Direct Routing `;ext=` number."""
    seeded = EmulatedTenantGateway.seeded()
    snapshot = await seeded.snapshot(SnapshotScope(all_users=True))
    number = replace(
        snapshot.numbers["+493023125190"],
        telephone_number="+493023125190;ext=190",
        assignment_status=AssignmentStatus.USER_ASSIGNED,
        assigned_target_id=PRADEEP,
    )
    numbers = {k: v for k, v in snapshot.numbers.items() if k != "+493023125190"}
    return EmulatedTenantGateway.from_snapshot(
        replace(snapshot, numbers={**numbers, number.telephone_number: number})
    )


async def test_an_extension_dialing_user_is_planned_with_sc_u06_not_blocked():
    """Issue 7, fix 8: the desired state carries the extension-dialing flag."""
    tenant = await pradeep_with_an_extension()
    request = PlanRequest(
        "ra-berlin@contoso.example",
        "Berlin",
        extension_dialing_users=["PradeepG@contoso.example"],
    )
    desired = await resolve_plan_request(request, tenant=tenant)
    assert desired.user_ids == (PRADEEP,)
    assert desired.extension_dialing_user_ids == frozenset({PRADEEP})
    preview = await preview_plan(desired, tenant=tenant)
    assert "SC-U06" in preview.findings_by_code
    assert "SC-U05" not in preview.findings_by_code
    assert preview.blocked == 0


async def test_the_same_user_without_the_flag_is_blocked_by_sc_u05():
    tenant = await pradeep_with_an_extension()
    request = PlanRequest("ra-berlin@contoso.example", "Berlin", users=["PradeepG@contoso.example"])
    preview = await preview_plan_request(request, tenant=tenant)
    assert "SC-U05" in preview.findings_by_code
    assert preview.blocked == 1


async def test_an_unlisted_direct_routing_callback_number_gets_its_country_and_a_warning(tenant):
    """Issue 7, fix 10: unassigned DR numbers are not in the inventory."""
    request = PlanRequest(
        "ra-berlin@contoso.example",
        "Berlin",
        users=["DiegoS@contoso.example"],
        emergency_numbers=["+49 30 23125 199"],
    )
    preview = await preview_plan_request(request, tenant=tenant)
    (e01,) = preview.findings_by_code["SC-E01"]
    assert (e01.severity, e01.attest) == (Severity.WARN, True)
    assert "SC-E03" not in preview.findings_by_code
    assert not preview.plan.blocked


async def test_an_unlisted_callback_number_of_another_country_is_blocked(tenant):
    request = PlanRequest(
        "ra-berlin@contoso.example",
        "Berlin",
        users=["DiegoS@contoso.example"],
        emergency_numbers=["+33 1 40 20 50 50"],
    )
    preview = await preview_plan_request(request, tenant=tenant)
    (e03,) = preview.findings_by_code["SC-E03"]
    assert e03.severity is Severity.BLOCK


async def test_policy_names_are_matched_whatever_their_case(tenant):
    """Issue 7, fix 9: `seattle` is the tenant's Seattle, not a new policy."""
    request = PlanRequest(
        "ra-mainline@contoso.example", "tag:seattle", users=["AdeleV@contoso.example"]
    )
    preview = await preview_plan_request(request, tenant=tenant)
    assert "SC-P01" not in preview.findings_by_code
    assert preview.plan.changes == ()
