"""The directory contract run against GraphTenantGateway over the loopback fake Graph and login."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sharedcalling.services.ports import TenantGateway
from tests.contract.tenant_contract import DirectoryContract
from tests.fakes.fake_graph import graph_stack


class TestGraphDirectory(DirectoryContract):
    @pytest.fixture
    async def gateway(self) -> AsyncIterator[TenantGateway]:
        async with graph_stack() as stack:
            yield stack.gateway
