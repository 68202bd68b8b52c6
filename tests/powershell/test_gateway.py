from __future__ import annotations

import json
from typing import Any

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.powershell import PowerShellTenantGateway
from sharedcalling.adapters.tenant.powershell_worker import PowerShellWorker
from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.tenant import (
    AppConfigurationType,
    CallingIdSubstitute,
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    PolicyType,
    SharedCallingPolicy,
    VoiceRoutingPolicy,
)
from sharedcalling.services.ports import (
    SnapshotScope,
    TenantConflict,
    TenantNotFound,
    TenantPermissionDenied,
    TenantThrottled,
)
from tests.fakes.standin_worker import in_process_launcher

RA_MAINLINE = UserId("00000000-0000-4000-8000-000000000051")
RA_HELPDESK = UserId("00000000-0000-4000-8000-000000000052")
ADELE = UserId("00000000-0000-4000-8000-000000000003")
DIEGO = UserId("00000000-0000-4000-8000-000000000005")
SEATTLE_FLOOR_2 = GroupId("00000000-0000-4000-a000-000000000003")


class CountingRunner:
    """Counts the cmdlets a gateway runs, to show that no-op writes write nothing."""

    def __init__(self, worker: PowerShellWorker) -> None:
        self.worker = worker
        self.cmdlets: list[str] = []

    async def run(self, cmdlet: str, parameters: Any = None) -> Any:
        self.cmdlets.append(cmdlet)
        return await self.worker.run(cmdlet, parameters)


@pytest.fixture
async def counted(tenant: EmulatedTenantGateway) -> Any:
    worker = PowerShellWorker(in_process_launcher(tenant), call_timeout=5.0)
    runner = CountingRunner(worker)
    yield runner, PowerShellTenantGateway(runner, tenant.tenant_id)
    await worker.close()


async def ras(tenant: EmulatedTenantGateway) -> list[Any]:
    return await tenant.list_resource_accounts()


async def test_policy_reads_strip_tag_prefixes_and_keep_contents(
    gateway: PowerShellTenantGateway, tenant: EmulatedTenantGateway
) -> None:
    policies = await gateway.shared_calling_policies(await ras(tenant))
    assert policies["Seattle"].resource_account_id == RA_MAINLINE
    assert set(policies["Seattle"].emergency_numbers) == {"+14255550191", "+14255550192"}
    assert (await gateway.voice_routing_policies())["DE-Berlin-PSTN"].pstn_usages == ("DE-Berlin",)
    ecrp = (await gateway.emergency_call_routing_policies())["DE-Emergency-DR"]
    assert {n.pstn_usage for n in ecrp.emergency_numbers} == {"DE-Berlin"}
    clid = (await gateway.calling_line_identity_policies())["Anonymous"]
    assert clid.substitute is CallingIdSubstitute.ANONYMOUS


async def test_resource_accounts_shown_as_upns_resolve_to_object_ids(
    tenant: EmulatedTenantGateway,
) -> None:
    env = {"STANDIN_VARIANT_SHAPES": "1"}
    worker = PowerShellWorker(in_process_launcher(tenant, env))
    gateway = PowerShellTenantGateway(worker, tenant.tenant_id)
    await tenant.update_shared_calling_numbers("Seattle", remove=["+14255550192"])
    policies = await gateway.shared_calling_policies(await ras(tenant))
    assert policies["Seattle"].resource_account_id == RA_MAINLINE
    assert policies["Seattle"].emergency_numbers == ("+14255550191",)
    same = SharedCallingPolicy("Seattle", RA_MAINLINE, ("+14255550191",))
    await gateway.create_shared_calling_policy(same)  # recognised as existing: no conflict
    await worker.close()


async def test_group_assignments_and_associations_are_read(
    gateway: PowerShellTenantGateway, tenant: EmulatedTenantGateway
) -> None:
    assignments = await gateway.group_assignments()
    seattle = [a for a in assignments if a.policy_type is PolicyType.SHARED_CALLING]
    assert [(a.group_id, a.policy_name, a.rank) for a in seattle] == [
        (SEATTLE_FLOOR_2, "Seattle", 1)
    ]
    links = await gateway.associations(await ras(tenant))
    names = {(a.resource_account_id, a.configuration_type, a.configuration_name) for a in links}
    assert (RA_MAINLINE, AppConfigurationType.AUTO_ATTENDANT, "Contoso Main AA") in names
    assert (RA_HELPDESK, AppConfigurationType.CALL_QUEUE, "Help Desk") in names


async def test_writes_reach_the_tenant(
    gateway: PowerShellTenantGateway, tenant: EmulatedTenantGateway
) -> None:
    await gateway.set_enterprise_voice(DIEGO, True)
    await gateway.create_voice_routing_policy(VoiceRoutingPolicy("SC-NoPstn"))
    await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "SC-NoPstn")
    await gateway.grant_policy(PolicyType.SHARED_CALLING, ADELE, None)
    snapshot = await tenant.snapshot(SnapshotScope([DIEGO, ADELE]))
    diego, adele = snapshot.users[DIEGO], snapshot.users[ADELE]
    assert diego.enterprise_voice_enabled
    assert diego.direct_policy(PolicyType.VOICE_ROUTING) == "SC-NoPstn"
    assert adele.direct_policy(PolicyType.SHARED_CALLING) is None


async def test_repeated_creates_and_grants_write_only_once(counted: Any) -> None:
    runner, gateway = counted
    policy = EmergencyCallRoutingPolicy("SC-US", (EmergencyNumber("911", "933"),))
    for _ in range(2):
        await gateway.create_emergency_call_routing_policy(policy)
        await gateway.grant_group_policy(PolicyType.SHARED_CALLING, SEATTLE_FLOOR_2, "Seattle", 1)
        await gateway.update_shared_calling_numbers("Seattle", add=["+14255550193"])
    writes = [c for c in runner.cmdlets if not c.startswith("Get-")]
    assert writes == [
        "New-CsTeamsEmergencyCallRoutingPolicy",
        "Set-CsTeamsSharedCallingRoutingPolicy",
    ]


async def test_emergency_number_changes_are_sent_as_deltas(
    counted: Any, tenant: EmulatedTenantGateway
) -> None:
    runner, gateway = counted
    await gateway.update_shared_calling_numbers(
        "Seattle", add=["+14255550193", "+14255550191"], remove=["+14255550192", "+14255550195"]
    )
    policies = (await tenant.snapshot(SnapshotScope())).shared_calling_policies
    assert set(policies["Seattle"].emergency_numbers) == {"+14255550191", "+14255550193"}
    assert runner.cmdlets.count("Set-CsTeamsSharedCallingRoutingPolicy") == 2


async def test_a_policy_that_exists_differently_is_a_conflict(
    gateway: PowerShellTenantGateway,
) -> None:
    with pytest.raises(TenantConflict):
        await gateway.create_voice_routing_policy(VoiceRoutingPolicy("NoPSTN", ("US-Default",)))


async def test_updating_an_unknown_policy_is_not_found(gateway: PowerShellTenantGateway) -> None:
    with pytest.raises(TenantNotFound):
        await gateway.update_shared_calling_numbers("Nowhere", add=["+14255550193"])


@pytest.mark.parametrize(
    ("error", "expected", "retry_after"),
    [
        ({"category": "LimitsExceeded", "message": "slow", "retryAfter": 7}, TenantThrottled, 7),
        ({"category": "NotSpecified", "message": "Response status code 429; Retry-After: 12"},
         TenantThrottled, 12),
        ({"category": "NotSpecified", "message": "403 Forbidden"}, TenantPermissionDenied, None),
        ({"category": "PermissionDenied", "message": "no role"}, TenantPermissionDenied, None),
        ({"category": "InvalidOperation", "message": "policy already exists"}, TenantConflict,
         None),
        ({"category": "ObjectNotFound", "message": "gone"}, TenantNotFound, None),
    ],
)  # fmt: skip
async def test_worker_errors_map_to_the_ports_error_types(
    tenant: EmulatedTenantGateway, error: dict[str, Any], expected: type, retry_after: Any
) -> None:
    env = {"STANDIN_ERRORS": json.dumps({"Get-CsOnlineVoiceRoutingPolicy": error})}
    worker = PowerShellWorker(in_process_launcher(tenant, env))
    gateway = PowerShellTenantGateway(worker, tenant.tenant_id)
    with pytest.raises(expected) as caught:
        await gateway.voice_routing_policies()
    if retry_after is not None:
        assert isinstance(caught.value, TenantThrottled)
        assert caught.value.retry_after == retry_after
    await worker.close()
