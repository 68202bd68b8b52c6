"""Licenses read as application permissions allow: user license properties + subscribedSkus."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_seed import seed_objects, seed_tenant_id
from sharedcalling.adapters.tenant.emulated_state import TenantState
from sharedcalling.adapters.tenant.graph_licenses import SkuCatalog, licenses_from_graph
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.tenant import (
    PLAN_RESOURCE_ACCOUNT,
    PLAN_TEAMS_PHONE,
    License,
    ProvisioningStatus,
    ServicePlan,
    User,
)
from sharedcalling.services.ports import SnapshotScope
from tests.demo_ids import ADELE, DIEGO, ISAIAH, LEE, LYNNE, MEGAN, RA_MAINLINE
from tests.fakes.fake_graph import graph_stack

S = ProvisioningStatus
MCOEV = "4828c8ec-dc2e-4779-b502-87ac9ce28ab7"
MCOPSTN1 = "4ed3ff63-69d7-4fb7-b984-5aec7f605ca8"
TEAMS1 = "57ff2da0-773e-42df-b2af-ffb7a2317929"
E5, PSTN = "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "0c266dff-15dd-4b49-8397-2bb16070ed52"
VOICE = "MicrosoftCommunicationsOnline"


def plan_info(plan_id: str, name: str, status: str = "Success") -> dict[str, str]:
    # servicePlanInfo (serviceplaninfo.md); provisioningStatus is the tenant-level state.
    return {"servicePlanId": plan_id, "servicePlanName": name, "provisioningStatus": status}


def catalog(mcoev_status: str = "Success") -> SkuCatalog:
    # subscribedSku (subscribedsku.md): skuId, skuPartNumber, servicePlans.
    e5_plans = [plan_info(MCOEV, "MCOEV", mcoev_status), plan_info(TEAMS1, "TEAMS1")]
    return SkuCatalog(
        [
            {"skuId": E5, "skuPartNumber": "SPE_E5", "servicePlans": e5_plans},
            {
                "skuId": PSTN,
                "skuPartNumber": "MCOPSTN1",
                "servicePlans": [plan_info(MCOPSTN1, "MCOPSTN1")],
            },
        ]
    )


def assigned(plan_id: str, service: str, capability: str = "Enabled") -> dict[str, str]:
    # assignedPlan (assignedplan.md): assignedDateTime, capabilityStatus, service, servicePlanId.
    return {
        "assignedDateTime": "2024-01-01T00:00:00Z",
        "capabilityStatus": capability,
        "service": service,
        "servicePlanId": plan_id,
    }


def provisioned(status: str, service: str = VOICE) -> dict[str, str]:
    # provisionedPlan (provisionedplan.md): capabilityStatus, provisioningStatus, service only.
    return {"capabilityStatus": "Enabled", "provisioningStatus": status, "service": service}


def user(
    *provisioning: dict[str, str], disabled: tuple[str, ...] = (), capability: str = "Enabled"
) -> dict[str, Any]:
    # assignedLicense (assignedlicense.md): skuId, disabledPlans.
    return {
        "assignedLicenses": [{"skuId": E5, "disabledPlans": list(disabled)}],
        "assignedPlans": [assigned(MCOEV, VOICE, capability), assigned(TEAMS1, "TeamspaceAPI")],
        "provisionedPlans": [*provisioning, provisioned("Success", "TeamspaceAPI")],
    }


def teams_phone(data: dict[str, Any], features: tuple[str, ...] = (), **kw: str) -> S | None:
    found = licenses_from_graph(data, catalog(**kw), features=features)
    return User(UserId("u"), "u@x", "u", licenses=found).plan_status(PLAN_TEAMS_PHONE)


def test_a_plan_whose_service_succeeded_is_provisioned() -> None:
    assert teams_phone(user(provisioned("Success"))) is S.SUCCESS


def test_a_plan_switched_off_in_the_license_is_disabled() -> None:
    assert teams_phone(user(provisioned("Success"), disabled=(MCOEV,))) is S.DISABLED


def test_no_license_with_the_plan_is_missing() -> None:
    data = {"assignedLicenses": [{"skuId": PSTN, "disabledPlans": []}]}
    assert teams_phone(data) is None


@pytest.mark.parametrize("status", ["PendingInput", "PendingActivation", "PendingProvisioning"])
def test_a_service_that_is_still_pending_gives_that_state(status: str) -> None:
    assert teams_phone(user(provisioned(status))) is S(status)


def test_a_service_pending_in_several_ways_is_pending() -> None:
    assert teams_phone(user(provisioned("PendingInput"), provisioned("PendingActivation"))) is (
        S.PENDING_PROVISIONING
    )


def test_a_service_with_mixed_states_cannot_tell_which_is_the_plans() -> None:
    data = user(provisioned("Success"), provisioned("PendingInput"))
    assert teams_phone(data) is S.UNKNOWN


def test_no_provisioning_entry_for_the_service_cannot_tell() -> None:
    # As in real tenants where provisionedPlans lists other services only.
    assert teams_phone(user()) is S.UNKNOWN


def test_teams_showing_phone_system_settles_a_silent_or_mixed_service() -> None:
    assert teams_phone(user(), features=("Teams", "PhoneSystem")) is S.SUCCESS
    mixed = user(provisioned("Success"), provisioned("Error"))
    assert teams_phone(mixed, features=("PhoneSystem",)) is S.SUCCESS
    # It never overrides a service that says it is still pending.
    assert teams_phone(user(provisioned("PendingInput")), features=("PhoneSystem",)) is (
        S.PENDING_INPUT
    )


@pytest.mark.parametrize("capability", ["Suspended", "LockedOut", "Deleted"])
def test_a_lapsed_subscription_cannot_tell(capability: str) -> None:
    assert teams_phone(user(provisioned("Success"), capability=capability)) is S.UNKNOWN


def test_a_plan_not_ready_in_the_tenant_takes_the_tenants_state() -> None:
    data = user(provisioned("Success"))
    assert teams_phone(data, mcoev_status="PendingActivation") is S.PENDING_ACTIVATION


def test_an_unlisted_sku_still_shows_its_teams_phone_plan() -> None:
    data = user(provisioned("Success"))
    data["assignedLicenses"] = [{"skuId": "11111111-0000-0000-0000-000000000000"}]
    found = licenses_from_graph(data, catalog())
    assert [p.name for lic in found for p in lic.service_plans] == ["MCOEV", "TEAMS1"]
    assert found[0].service_plans[0].status is S.SUCCESS


# ---- through the fake Graph, from an emulated tenant with the states to read back


def tenant_with(changes: dict[str, tuple[License, ...]]) -> EmulatedTenantGateway:
    objects = [
        replace(o, licenses=changes[o.id]) if isinstance(o, User) and o.id in changes else o
        for o in seed_objects("contoso")
    ]
    return EmulatedTenantGateway(
        TenantState.of(objects), tenant_id=TenantId(seed_tenant_id("contoso"))
    )


def e5(mcoev: S) -> License:
    plans = (
        ServicePlan("MCOEV", mcoev),
        ServicePlan("TEAMS1"),
        ServicePlan("EXCHANGE_S_ENTERPRISE"),
    )
    return License("SPE_E5", plans)


async def test_licenses_are_read_without_license_details() -> None:
    async with graph_stack() as stack:
        users = (await stack.gateway.snapshot(SnapshotScope(user_ids=[MEGAN, ISAIAH]))).users
        # licenseDetails refuses application permissions; the fake answers 403 as documented.
        assert not [k for k in {**stack.fake.calls, **stack.fake.batch_items} if "license" in k]
        assert users[UserId(MEGAN)].plan_status(PLAN_TEAMS_PHONE) is S.SUCCESS
        assert users[UserId(ISAIAH)].plan_status(PLAN_TEAMS_PHONE) is None
        mainline = users[UserId(RA_MAINLINE)]
        assert mainline.plan_status(PLAN_RESOURCE_ACCOUNT) is S.SUCCESS
        assert mainline.has_plan_prefix("MCOPSTN_PAYG")


async def test_switched_off_pending_and_unknowable_states_come_back_as_such() -> None:
    pstn = License("MCOPSTN1", (ServicePlan("MCOPSTN1"),))
    tenant = tenant_with(
        {
            ADELE: (e5(S.DISABLED),),
            DIEGO: (e5(S.PENDING_INPUT),),
            LEE: (e5(S.PENDING_INPUT), pstn),  # its service also holds a provisioned plan
            LYNNE: (e5(S.ERROR),),
        }
    )
    async with graph_stack(tenant) as stack:
        for scope in (
            SnapshotScope(user_ids=[ADELE, DIEGO, LEE, LYNNE]),
            SnapshotScope(all_users=True),
        ):
            users = (await stack.gateway.snapshot(scope)).users
            statuses = [
                users[UserId(u)].plan_status(PLAN_TEAMS_PHONE) for u in (ADELE, DIEGO, LEE, LYNNE)
            ]
            assert statuses == [S.DISABLED, S.PENDING_INPUT, S.UNKNOWN, S.ERROR]
