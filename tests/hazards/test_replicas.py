"""Leases: of several replicas exactly one runs each hazard check, on SQLite and PostgreSQL,
however long the check takes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.apply_store import SqlApplyStore
from sharedcalling.adapters.store.engine import make_engine
from sharedcalling.adapters.store.tenant_state import SqlTenantStateStore
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.services.clock import SystemClock
from sharedcalling.services.hazards.check import LEASE_NAME, WatchPorts, run_check, run_scheduled
from sharedcalling.services.hazards.presenter import HazardSettings
from tests.db import database_url, migrated_database, store_engine
from tests.demo_ids import MEGAN
from tests.hazards import edits
from tests.hazards.conftest import USERS, World
from tests.hazards.support import (
    TENANT,
    RecordingNotifier,
    SteppingClock,
    applied_setup,
    make_ports,
    remember_chat,
)

__all__ = ["database_url", "store_engine"]

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_of_many_simultaneous_acquirers_exactly_one_gets_the_lease(
    store_engine: AsyncEngine, database_url: str
) -> None:
    other = make_engine(database_url)
    try:
        factories = [SqlUnitOfWorkFactory(store_engine), SqlUnitOfWorkFactory(other)]

        async def acquire(n: int) -> bool:
            async with factories[n % 2]() as work:
                taken = await work.leases.acquire("job", f"owner-{n}", now=AT, ttl=60)
                await work.commit()
                return taken

        results = await asyncio.gather(*(acquire(n) for n in range(20)))
        assert sum(results) == 1
        winner = f"owner-{results.index(True)}"
        async with factories[0]() as work:
            assert await work.leases.acquire("job", winner, now=AT, ttl=60), "the holder renews"
            assert not await work.leases.acquire(
                "job", "late", now=AT + timedelta(seconds=59), ttl=60
            )
            assert await work.leases.acquire("job", "late", now=AT + timedelta(seconds=61), ttl=60)
            await work.leases.release("job", winner)  # no longer the holder: changes nothing
            assert not await work.leases.acquire(
                "job", "third", now=AT + timedelta(seconds=62), ttl=60
            )
            await work.leases.release("job", "late")
            assert await work.leases.acquire("job", "third", now=AT + timedelta(seconds=62), ttl=60)
            await work.commit()
    finally:
        await other.dispose()


async def _replica(
    url: str, clock: SteppingClock, notifier: RecordingNotifier
) -> tuple[WatchPorts, AsyncEngine]:
    engine = make_engine(url)
    tenant = await EmulatedTenantGateway.open(SqlTenantStateStore(engine), str(TENANT))
    tenant.faults.delay("snapshot", 0.2)  # long enough for the two checks to overlap
    settings = HazardSettings(interval=3600)
    uow = SqlUnitOfWorkFactory(engine)
    ports = make_ports(tenant, uow, clock, notifier, settings, apply_store=SqlApplyStore(engine))
    return ports, engine


async def _checks(ports: WatchPorts) -> int:
    async with ports.uow() as work:
        return len(await work.hazards.checks(TENANT, limit=100))


@pytest.mark.postgres
async def test_two_replicas_on_postgres_run_each_check_once(tmp_path: Path) -> None:
    async with migrated_database("postgres", tmp_path) as url:
        clock, notifier = SteppingClock(), RecordingNotifier(reachable={MEGAN})
        setup_engine = make_engine(url)
        store = SqlTenantStateStore(setup_engine)
        setup_tenant = await EmulatedTenantGateway.open(store, str(TENANT))
        setup_uow = SqlUnitOfWorkFactory(setup_engine)
        await remember_chat(setup_uow, MEGAN, clock.now())
        await applied_setup(setup_tenant, setup_uow, clock, USERS)
        await setup_engine.dispose()
        (a, engine_a), (b, engine_b) = [await _replica(url, clock, notifier) for _ in range(2)]
        try:
            for round_ in range(4):
                if round_ == 2:
                    for ports in (a, b):  # the same out-of-band change seen by both
                        assert isinstance(ports.tenant, EmulatedTenantGateway)
                        edits.remove_ra_number(ports.tenant)
                outcomes = await asyncio.gather(run_scheduled(a), run_scheduled(b))
                assert sorted(o.ran for o in outcomes) == [False, True]
                assert await _checks(a) == round_ + 1
                clock.advance(60)
                assert not any(
                    o.ran for o in await asyncio.gather(run_scheduled(a), run_scheduled(b))
                )
                clock.advance(3600)
            announcements = [m for m in notifier.to(MEGAN) if "SC-R03" in m.text]
            assert len(announcements) == 1, "one replica announced it, once"
        finally:
            await engine_a.dispose()
            await engine_b.dispose()


def _real_time_ports(world: World, ttl: float) -> WatchPorts:
    """Another replica (its own lease owner) on the world's store, on the wall clock."""
    settings = HazardSettings(lease_ttl=ttl)
    return make_ports(world.tenant, world.uow, SystemClock(), world.notifier, settings,
                      apply_store=world.ports.apply_store)  # fmt: skip


@pytest.mark.slow
async def test_a_check_slower_than_its_lease_renews_it_so_no_second_check_starts(
    world: World,
) -> None:
    first, second = _real_time_ports(world, 0.3), _real_time_ports(world, 0.3)
    world.tenant.faults.delay("snapshot", 1.0, times=1)  # the first check's read: 3 TTLs
    running = asyncio.create_task(run_check(first, trigger="schedule"))
    await asyncio.sleep(0.6)  # twice the TTL into the first check
    meanwhile = await run_check(second, trigger="command")
    assert (meanwhile.ran, meanwhile.reason) == (False, "another replica is checking right now")
    assert (await running).ran
    assert await _checks(first) == 1


async def test_a_check_that_lost_its_lease_records_nothing(world: World) -> None:
    ports = _real_time_ports(world, 0.3)
    world.tenant.faults.delay("snapshot", 0.5, times=1)
    running = asyncio.create_task(run_check(ports, trigger="schedule"))
    await asyncio.sleep(0.05)
    async with world.uow() as work:  # a replica whose clock ran far ahead takes the lease
        later = SystemClock().now() + timedelta(hours=1)
        assert await work.leases.acquire(LEASE_NAME, "other", now=later, ttl=3600)
        await work.commit()
    outcome = await running
    assert not outcome.ran
    assert "lost" in outcome.reason
    assert await _checks(ports) == 0
