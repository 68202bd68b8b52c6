"""The PowerShell gateway calls the cmdlets as their pages document, against a stand-in that
answers as those pages say the cmdlets do."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_seed import seed_objects, seed_tenant_id
from sharedcalling.adapters.tenant.emulated_state import TenantState
from sharedcalling.adapters.tenant.powershell import PowerShellTenantGateway
from sharedcalling.adapters.tenant.powershell_protocol import ProtocolViolation
from sharedcalling.adapters.tenant.powershell_worker import PowerShellWorker
from sharedcalling.domain.ids import TenantId
from sharedcalling.domain.tenant import (
    GLOBAL_POLICY,
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    PolicyType,
    SharedCallingPolicy,
)
from sharedcalling.services.ports import SnapshotScope, TenantValidationError
from tests.demo_ids import DIEGO, RA_MAINLINE, SEATTLE_FLOOR_2
from tests.fakes.fake_graph_json import guid_for
from tests.fakes.standin_cmdlets import CMDLETS
from tests.fakes.standin_worker import in_process_launcher

GLOBAL_NUMBERS = (EmergencyNumber("911", "933"),)
SC_EMERGENCY = EmergencyCallRoutingPolicy(
    "SC-Emergency-US", (EmergencyNumber("911"),), True, "Shared Calling, CP/OC"
)


class Recorder:
    """The runner the gateway talks to: every cmdlet and its parameters, then the worker."""

    def __init__(self, worker: PowerShellWorker) -> None:
        self.worker = worker
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def run(self, cmdlet: str, parameters: Any = None) -> Any:
        self.calls.append((cmdlet, dict(parameters or {})))
        return await self.worker.run(cmdlet, parameters)

    def writes(self) -> list[tuple[str, dict[str, Any]]]:
        return [(c, p) for c, p in self.calls if not c.startswith("Get-")]


def tenant_with_global_emergency_numbers() -> EmulatedTenantGateway:
    """The demo tenant whose Global emergency call routing policy holds 911/933, as real
    tenants' Global instances commonly do."""
    objects = [
        replace(o, emergency_numbers=GLOBAL_NUMBERS)
        if isinstance(o, EmergencyCallRoutingPolicy) and o.name == GLOBAL_POLICY
        else o
        for o in seed_objects("contoso")
    ]
    return EmulatedTenantGateway(
        TenantState.of(objects), tenant_id=TenantId(seed_tenant_id("contoso"))
    )


@pytest.fixture
async def recorded(tenant: EmulatedTenantGateway) -> Any:
    worker = PowerShellWorker(in_process_launcher(tenant), call_timeout=5.0)
    recorder = Recorder(worker)
    yield recorder, PowerShellTenantGateway(recorder, tenant.tenant_id)
    await worker.close()


# ---- fix 1: New-CsTeamsEmergencyCallRoutingPolicy gets the numbers, not @{add=...}


async def test_the_stand_in_appends_added_numbers_to_the_global_instances() -> None:
    # New-CsTeamsEmergencyCallRoutingPolicy, examples 1 and 2, as the stand-in models them.
    tenant = tenant_with_global_emergency_numbers()
    new = CMDLETS["New-CsTeamsEmergencyCallRoutingPolicy"]
    entry = {"EmergencyDialString": "911"}
    await new(tenant, {"Identity": "Added", "EmergencyNumbers": {"add": [entry]}}, False)
    await new(tenant, {"Identity": "Listed", "EmergencyNumbers": [entry]}, False)
    policies = (await tenant.snapshot(SnapshotScope())).emergency_call_routing_policies
    assert policies["Added"].emergency_numbers == (*GLOBAL_NUMBERS, EmergencyNumber("911"))
    assert policies["Listed"].emergency_numbers == (EmergencyNumber("911"),)


async def test_a_new_emergency_policy_holds_exactly_its_numbers_and_a_repeat_writes_nothing() -> (
    None
):
    tenant = tenant_with_global_emergency_numbers()
    worker = PowerShellWorker(in_process_launcher(tenant), call_timeout=5.0)
    recorder = Recorder(worker)
    gateway = PowerShellTenantGateway(recorder, tenant.tenant_id)
    try:
        await gateway.create_emergency_call_routing_policy(SC_EMERGENCY)
        await gateway.create_emergency_call_routing_policy(SC_EMERGENCY)
        created = (await gateway.emergency_call_routing_policies())["SC-Emergency-US"]
    finally:
        await worker.close()
    assert created.emergency_numbers == SC_EMERGENCY.emergency_numbers
    [(cmdlet, params)] = recorder.writes()
    assert cmdlet == "New-CsTeamsEmergencyCallRoutingPolicy"
    assert params["EmergencyNumbers"] == [{"EmergencyDialString": "911"}]


async def test_an_emergency_policy_without_numbers_is_refused_before_anything_is_sent(
    recorded: Any,
) -> None:
    recorder, gateway = recorded
    with pytest.raises(TenantValidationError, match="at least one emergency number"):
        await gateway.create_emergency_call_routing_policy(EmergencyCallRoutingPolicy("Empty"))
    assert recorder.calls == []


# ---- also: -ResourceAccount is required on New-CsTeamsSharedCallingRoutingPolicy


async def test_a_shared_calling_policy_without_a_resource_account_is_refused_unsent(
    recorded: Any, tenant: EmulatedTenantGateway
) -> None:
    recorder, gateway = recorded
    for account in (None, "", "  "):
        with pytest.raises(TenantValidationError, match="needs a resource account"):
            await gateway.create_shared_calling_policy(SharedCallingPolicy("NoRa", account))
    assert recorder.calls == []
    assert "NoRa" not in (await tenant.snapshot(SnapshotScope())).shared_calling_policies


async def test_the_worker_and_the_stand_in_refuse_it_too(
    recorded: Any, tenant: EmulatedTenantGateway
) -> None:
    recorder, _ = recorded
    with pytest.raises(ProtocolViolation, match="-ResourceAccount"):
        await recorder.worker.run("New-CsTeamsSharedCallingRoutingPolicy", {"Identity": "NoRa"})
    new = CMDLETS["New-CsTeamsSharedCallingRoutingPolicy"]
    with pytest.raises(TenantValidationError, match="mandatory parameters: ResourceAccount"):
        await new(tenant, {"Identity": "NoRa"}, False)


# ---- also: Grant-CsOnlineVoiceRoutingPolicy takes a SIP address, UPN or display name


async def test_voice_routing_and_emergency_grants_name_the_user_by_upn(recorded: Any) -> None:
    recorder, gateway = recorded
    await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
    await gateway.grant_policy(PolicyType.EMERGENCY_CALL_ROUTING, DIEGO, "US-Emergency")
    await gateway.grant_policy(PolicyType.SHARED_CALLING, DIEGO, "Seattle")
    grants = {cmdlet: params["Identity"] for cmdlet, params in recorder.writes()}
    assert grants == {
        "Grant-CsOnlineVoiceRoutingPolicy": "DiegoS@contoso.example",
        "Grant-CsTeamsEmergencyCallRoutingPolicy": "DiegoS@contoso.example",
        # Grant-CsTeamsSharedCallingRoutingPolicy documents the ObjectId form.
        "Grant-CsTeamsSharedCallingRoutingPolicy": DIEGO,
    }
    diego = (await recorder.worker.run("Get-CsOnlineUser", {"Identity": DIEGO}))[0]
    assert diego["OnlineVoiceRoutingPolicy"] == "NoPSTN"


async def test_the_stand_in_refuses_an_object_id_for_a_voice_routing_grant(recorded: Any) -> None:
    recorder, _ = recorded
    with pytest.raises(TenantValidationError, match="not a SIP address, user principal name"):
        await recorder.worker.run(
            "Grant-CsOnlineVoiceRoutingPolicy", {"Identity": DIEGO, "PolicyName": "NoPSTN"}
        )


# ---- fix 6: Get-CsGroupPolicyAssignment rows


async def test_group_assignment_rows_carry_the_documented_fields(recorded: Any) -> None:
    recorder, gateway = recorded
    rows = await recorder.worker.run(
        "Get-CsGroupPolicyAssignment", {"PolicyType": "TeamsSharedCallingRoutingPolicy"}
    )
    assert [set(row) for row in rows] == [
        {"GroupId", "PolicyType", "PolicyName", "Rank", "CreatedTime", "CreatedBy"}
    ]
    [seattle] = [
        a for a in await gateway.group_assignments() if a.policy_type is PolicyType.SHARED_CALLING
    ]
    assert (seattle.group_id, seattle.policy_name, seattle.rank) == (SEATTLE_FLOOR_2, "Seattle", 1)


# ---- emergency callback numbers keep the admin's order; operators by name


async def test_added_emergency_numbers_keep_the_order_given(
    recorded: Any, tenant: EmulatedTenantGateway
) -> None:
    recorder, gateway = recorded
    await gateway.create_shared_calling_policy(
        SharedCallingPolicy("Redmond", RA_MAINLINE, ("+14255550195",))
    )
    await gateway.update_shared_calling_numbers(
        "Redmond", add=["+14255550194", "+14255550195", "+14255550193"]
    )
    sent = [p["EmergencyNumbers"] for c, p in recorder.writes()]
    assert sent == [{"add": ["+14255550195"]}, {"add": ["+14255550194", "+14255550193"]}]
    policy = (await tenant.snapshot(SnapshotScope())).shared_calling_policies["Redmond"]
    assert policy.emergency_numbers == ("+14255550195", "+14255550194", "+14255550193")


async def test_operator_connect_numbers_are_named_by_the_stand_in(recorded: Any) -> None:
    _, gateway = recorded
    found = await gateway.operators(["+14255550150", "+14255550999"])
    assert found == {"+14255550150": ("Fabrikam Telecom", guid_for("Fabrikam Telecom"))}


def test_emergency_locations_are_read_from_the_documented_fields() -> None:
    """Get-CsOnlineLisLocation rows carry LocationId, Description and CountryOrRegion beside the
    civic address (learn.microsoft.com/powershell/module/teams/get-csonlinelislocation)."""
    from sharedcalling.adapters.tenant import powershell_parsing as parse
    from sharedcalling.domain.tenant import EmergencyLocation

    row = {
        "LocationId": " 5aa884e8-d548-4b8e-a289-52bfd5265a6e ", "CivicAddressId": "c-1",
        "Description": "Redmond HQ", "CountryOrRegion": "us", "City": "Redmond",
    }  # fmt: skip
    assert parse.emergency_location(row) == EmergencyLocation(
        "5aa884e8-d548-4b8e-a289-52bfd5265a6e", "Redmond HQ", "US"
    )
    assert parse.emergency_location({"Description": "no id"}) is None
