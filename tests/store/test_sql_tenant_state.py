from __future__ import annotations

import time

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.tenant_state import SqlTenantStateStore
from sharedcalling.services.ports import StoredObject, TenantStateStore
from tests.contract.store_contract import CONTOSO, MEGAN, TenantStateStoreContract


class TestSqlTenantStateStore(TenantStateStoreContract):
    @pytest.fixture
    def store(self, store_engine: AsyncEngine) -> TenantStateStore:
        return SqlTenantStateStore(store_engine)


async def test_seeding_a_thousand_users_takes_well_under_a_second(
    store_engine: AsyncEngine,
) -> None:
    store = SqlTenantStateStore(store_engine)
    users = [StoredObject("user", f"user{n:04d}", {**MEGAN, "n": n}) for n in range(1, 1001)]
    started = time.perf_counter()
    await store.upsert(CONTOSO, users)
    await store.upsert(CONTOSO, users)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"two upserts of 1,000 objects took {elapsed:.2f}s"
