"""The full tenant contract for the `graph+powershell` composite backend.

Design: the fake Graph and the stand-in PowerShell worker share ONE EmulatedTenantGateway in one
event loop. The stand-in runs in-process behind `InProcessChannel`, so the PowerShellWorker's
protocol code (ids, allow-list, errors) runs unchanged without a second process holding a second
copy of the state. The fake Graph serves from a snapshot it caches; the stand-in refreshes it
after every write, as the real service shows a write to later reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sharedcalling.adapters.tenant.composite import CompositeTenantGateway
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.powershell import PowerShellTenantGateway
from sharedcalling.adapters.tenant.powershell_worker import PowerShellWorker
from sharedcalling.services.ports import SnapshotScope, TenantGateway
from tests.contract.tenant_contract import DirectoryContract, VoicePolicyContract
from tests.contract.tenant_faults import CompositeTenantFaults, GraphTenantFaults
from tests.fakes.fake_graph import GraphStack, graph_stack
from tests.fakes.fake_graph_json import guid_for
from tests.fakes.standin_worker import StandinFaults, in_process_launcher


class TestCompositeTenant(DirectoryContract, VoicePolicyContract):
    @pytest.fixture
    async def stack(self) -> AsyncIterator[GraphStack]:
        async with graph_stack(EmulatedTenantGateway.seeded()) as stack:
            yield stack

    @pytest.fixture
    def worker_faults(self) -> StandinFaults:
        return StandinFaults()

    @pytest.fixture
    async def gateway(
        self, stack: GraphStack, worker_faults: StandinFaults
    ) -> AsyncIterator[TenantGateway]:
        tenant = stack.fake.tenant
        launch = in_process_launcher(tenant, after_write=stack.fake.refresh, faults=worker_faults)
        worker = PowerShellWorker(launch, call_timeout=10.0)
        powershell = PowerShellTenantGateway(worker, tenant.tenant_id)
        yield CompositeTenantGateway(stack.gateway, powershell)
        await worker.close()

    @pytest.fixture
    def faults(self, stack: GraphStack, worker_faults: StandinFaults) -> CompositeTenantFaults:
        return CompositeTenantFaults(GraphTenantFaults.of(stack), worker_faults)

    async def test_emergency_locations_are_listed_through_powershell(
        self, gateway: TenantGateway, stack: GraphStack
    ) -> None:
        """Graph lists none; Get-CsOnlineLisLocation does, so the set-up's SC-R04 step offers
        them by description instead of asking for an id."""
        listed = await gateway.list_emergency_locations()
        expected = await stack.fake.tenant.list_emergency_locations()
        assert listed == expected
        assert listed  # the demo tenant has locations
        assert await stack.gateway.list_emergency_locations() is None  # Graph alone cannot

    async def test_operator_connect_numbers_of_resource_accounts_are_named_through_powershell(
        self, gateway: TenantGateway
    ) -> None:
        snapshot = await gateway.snapshot(SnapshotScope())
        helpdesk = snapshot.numbers["+14255550150"]
        assert helpdesk.operator_name == "Fabrikam Telecom"
        assert helpdesk.operator_id == guid_for("Fabrikam Telecom")  # Graph's operatorId
