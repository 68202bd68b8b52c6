"""The in-memory TenantStateStore passes the same contract as the SQL store."""

from __future__ import annotations

import pytest

from sharedcalling.adapters.tenant.emulated_memory import InMemoryTenantStateStore
from sharedcalling.services.ports import TenantStateStore
from tests.contract.store_contract import TenantStateStoreContract


class TestInMemoryTenantStateStore(TenantStateStoreContract):
    @pytest.fixture
    def store(self) -> TenantStateStore:
        return InMemoryTenantStateStore()
