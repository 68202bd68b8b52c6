"""The directory contract run against GraphTenantGateway over the loopback fake Graph and login."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sharedcalling.adapters.tenant.graph import GraphTenantGateway
from sharedcalling.services.ports import SnapshotScope
from tests.contract.tenant_contract import ALL_NUMBERS, DirectoryContract
from tests.contract.tenant_faults import GraphTenantFaults
from tests.fakes.fake_graph import GraphStack, graph_stack

PAGE_SIZE = 200
"""Small pages, so that every list the contract reads spans several pages."""
NUMBER_PAGE = 5
NUMBERS = "/admin/teams/telephoneNumberManagement/numberAssignments"


class TestGraphDirectory(DirectoryContract):
    @pytest.fixture
    async def stack(self) -> AsyncIterator[GraphStack]:
        async with graph_stack(page_size=PAGE_SIZE, number_page=NUMBER_PAGE) as stack:
            yield stack

    @pytest.fixture
    async def gateway(self, stack: GraphStack) -> GraphTenantGateway:
        return stack.gateway

    @pytest.fixture
    def faults(self, stack: GraphStack) -> GraphTenantFaults:
        return GraphTenantFaults.of(stack)

    async def test_reading_everything_follows_every_page(self, stack: GraphStack) -> None:
        await stack.gateway.snapshot(SnapshotScope(all_users=True))
        assert stack.fake.calls["/users"] == 6  # 1020 accounts, 200 a page
        # userConfigurations is read without $top: the service's default page (100) applies.
        assert stack.fake.calls["/admin/teams/userConfigurations"] == 11
        stack.fake.reset_counters()
        await stack.gateway.list_numbers()
        # $top/$skip paging ends at the first short page.
        assert stack.fake.calls[NUMBERS] == len(ALL_NUMBERS) // NUMBER_PAGE + 1
