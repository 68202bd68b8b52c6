from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.engine import make_engine
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


def _record(seq: int, *objects: tuple[str, str]) -> StoredObject:
    document = {"seq": seq, "objects": [list(o) for o in objects]}
    return StoredObject("write", f"{seq:010d}", document)


async def test_changes_since_give_later_write_records_and_the_objects_they_name(
    store_engine: AsyncEngine,
) -> None:
    store = SqlTenantStateStore(store_engine)
    users = [StoredObject("user", "a", {"v": 1}), StoredObject("user", "b", {"v": 2})]
    await store.upsert(CONTOSO, [*users, _record(0, ("user", "a")), _record(1, ("user", "b"))])
    changes = await store.changes_since(CONTOSO, f"{0:010d}")
    assert sorted((c.kind, c.key) for c in changes) == [("user", "b"), ("write", f"{1:010d}")]
    assert await store.changes_since(CONTOSO, f"{1:010d}") == []


async def test_exclusive_writers_each_see_what_the_others_committed(
    store_engine: AsyncEngine, database_url: str
) -> None:
    # Each writer numbers its record after every record it sees: without exclusion two of them
    # would see the same records and write the same key.
    other = make_engine(database_url)
    try:
        stores = [SqlTenantStateStore(store_engine), SqlTenantStateStore(other)]

        def decide(foreign: list[StoredObject]) -> list[StoredObject]:
            return [_record(len([c for c in foreign if c.kind == "write"]))]

        await asyncio.gather(
            *(stores[n % 2].write_exclusively(CONTOSO, "", decide) for n in range(6))
        )
        keys = sorted(s.key for s in await stores[0].load(CONTOSO) if s.kind == "write")
        assert keys == [f"{n:010d}" for n in range(6)]
    finally:
        await other.dispose()
