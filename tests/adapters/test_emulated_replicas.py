"""Two emulated tenants on one database, as two bot replicas have: one tenant, one write log."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.engine import make_engine
from sharedcalling.adapters.store.tenant_state import SqlTenantStateStore
from sharedcalling.adapters.tenant import emulated_writer
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.tenant import PolicyType, VoiceRoutingPolicy
from sharedcalling.services.ports import SnapshotScope, TenantConflict
from tests.db import database_url, store_engine
from tests.demo_ids import DIEGO

__all__ = ["database_url", "store_engine"]

EMPLOYEES = [f"00000000-0000-4000-9000-{n:012d}" for n in range(1, 41)]


@pytest.fixture(autouse=True)
def reads_never_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emulated_writer, "READ_SYNC_SECONDS", 0.0)


async def replicas(store_engine: AsyncEngine, database_url: str):  # type: ignore[no-untyped-def]
    first = await EmulatedTenantGateway.open(SqlTenantStateStore(store_engine))
    other_engine = make_engine(database_url)  # another process has its own connections
    second = await EmulatedTenantGateway.open(SqlTenantStateStore(other_engine))
    return first, second, other_engine


async def test_a_replica_reads_and_builds_on_what_another_wrote(
    store_engine: AsyncEngine, database_url: str
) -> None:
    first, second, engine = await replicas(store_engine, database_url)
    try:
        await first.create_voice_routing_policy(VoiceRoutingPolicy("SC-NoPstn"))
        await second.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "SC-NoPstn")  # sees it
        assert (await first.get_user(DIEGO)).direct_policy(PolicyType.VOICE_ROUTING) == "SC-NoPstn"
        with pytest.raises(TenantConflict):  # the service's rules see the other replica's policy
            await second.create_voice_routing_policy(VoiceRoutingPolicy("SC-NoPstn", ("X",)))
    finally:
        await engine.dispose()


async def test_simultaneous_writes_of_two_replicas_get_one_gapless_log(
    store_engine: AsyncEngine, database_url: str
) -> None:
    first, second, engine = await replicas(store_engine, database_url)
    try:
        await asyncio.gather(
            *(first.set_enterprise_voice(e, True) for e in EMPLOYEES[::2]),  # type: ignore[arg-type]
            *(second.set_enterprise_voice(e, True) for e in EMPLOYEES[1::2]),  # type: ignore[arg-type]
        )
        log = await first.write_log()
        assert [r.seq for r in log] == list(range(len(EMPLOYEES)))
        assert sorted(r.arguments["user_id"] for r in log) == sorted(EMPLOYEES)
        for gateway in (first, second):
            snapshot = await gateway.snapshot(SnapshotScope(user_ids=EMPLOYEES))  # type: ignore[arg-type]
            assert all(snapshot.users[e].enterprise_voice_enabled for e in EMPLOYEES)  # type: ignore[index]
    finally:
        await engine.dispose()
