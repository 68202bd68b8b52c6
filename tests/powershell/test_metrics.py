"""Each cmdlet the worker runs is counted for /metrics by outcome; a throttled one is a throttle."""

from __future__ import annotations

import json

import pytest

import sharedcalling.metrics as metrics
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.powershell import PowerShellTenantGateway
from sharedcalling.adapters.tenant.powershell_worker import PowerShellWorker
from sharedcalling.services.ports import TenantThrottled
from tests.edge.test_operations import samples
from tests.fakes.standin_worker import in_process_launcher

CMDLET = "Get-CsOnlineVoiceRoutingPolicy"


def _calls(outcome: str) -> float:
    labels = (("backend", "powershell"), ("operation", CMDLET), ("outcome", outcome))
    return samples(metrics.exposition().decode()).get(
        ("sharedcalling_tenant_calls_total", labels), 0
    )


def _throttles() -> float:
    key = ("sharedcalling_tenant_throttles_total", (("backend", "powershell"),))
    return samples(metrics.exposition().decode()).get(key, 0)


async def test_a_cmdlet_is_counted_ok_and_a_throttled_one_as_a_throttle(
    tenant: EmulatedTenantGateway,
) -> None:
    ok, throttled, throttles = _calls("ok"), _calls("throttled"), _throttles()
    worker = PowerShellWorker(in_process_launcher(tenant))
    await PowerShellTenantGateway(worker, tenant.tenant_id).voice_routing_policies()
    await worker.close()
    error = {"category": "LimitsExceeded", "message": "slow", "retryAfter": 7}
    env = {"STANDIN_ERRORS": json.dumps({CMDLET: error})}
    worker = PowerShellWorker(in_process_launcher(tenant, env))
    with pytest.raises(TenantThrottled):
        await PowerShellTenantGateway(worker, tenant.tenant_id).voice_routing_policies()
    await worker.close()

    assert _calls("ok") == ok + 1
    assert _calls("throttled") == throttled + 1
    assert _throttles() == throttles + 1
