"""Real bot processes: SIGKILL mid-apply and restart, two replicas sharing one PostgreSQL."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.requests import RequestState
from tests.apply.harness import GENERATED
from tests.apply.processes import Observer, bots, prepare, start_bot
from tests.db import DIALECTS, Dialect, migrated_database
from tests.demo_ids import RA_MAINLINE

THOUSAND = DesiredState(RA_MAINLINE, "Seattle", GENERATED)
CHANGES = 4000
"""1,000 users: enterprise voice, voice routing, emergency routing and Shared Calling each."""
SLOW_WRITES = {"EMULATED_FAULTS": "*=delay:0.004", "APPLY_CONCURRENCY": "16"}


def exactly_once(writes: list, request_id: str) -> Counter[int]:  # type: ignore[type-arg]
    seqs = Counter(int(w.tag["seq"]) for w in writes if w.tag and w.tag["job_id"] == request_id)
    assert all(w.tag is not None for w in writes), "every write carries its change"
    assert set(seqs.values()) == {1}, [s for s, n in seqs.items() if n > 1][:10]
    return seqs


@pytest.mark.slow
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_bot_killed_mid_apply_resumes_and_applies_each_change_once(
    dialect: Dialect, tmp_path: Path
) -> None:
    async with migrated_database(dialect, tmp_path) as url:
        [request] = await prepare(url, [THOUSAND])
        observer = Observer(url)
        try:
            first = await start_bot(url, tmp_path, "first", **SLOW_WRITES)
            try:
                killed_at = await observer.wait_writes(CHANGES // 4)
                await first.kill()
            finally:
                await first.stop()
            assert killed_at < CHANGES, "the kill came too late to be mid-apply"
            assert await observer.state(request.id) is RequestState.APPLYING
            async with bots(url, tmp_path, ["second"], **SLOW_WRITES):
                await observer.wait_state(request.id, RequestState.APPLIED)
            writes = await observer.writes()
            assert len(exactly_once(writes, request.id)) == CHANGES
            assert len({w.tag["worker"] for w in writes if w.tag}) == 2
        finally:
            await observer.close()


@pytest.mark.slow
@pytest.mark.postgres
async def test_two_bots_on_one_postgresql_run_each_job_once_and_take_over_a_dead_ones(
    tmp_path: Path,
) -> None:
    async with migrated_database("postgres", tmp_path) as url:
        small = [
            DesiredState(RA_MAINLINE, "Seattle", GENERATED[n : n + 25]) for n in range(0, 100, 25)
        ]
        requests = await prepare(url, small)
        observer = Observer(url)
        try:
            async with bots(url, tmp_path, ["a", "b"], **SLOW_WRITES) as (a, b):
                for request in requests:
                    await observer.wait_state(request.id, RequestState.APPLIED)
                writes = await observer.writes()
                for request in requests:
                    assert len(exactly_once(writes, request.id)) == 100
                    workers = {
                        w.tag["worker"] for w in writes if w.tag and w.tag["job_id"] == request.id
                    }
                    assert len(workers) == 1, (request.id, workers)

                [big] = await prepare(
                    url, [DesiredState(RA_MAINLINE, "Seattle", GENERATED[100:400])]
                )
                await observer.wait_writes(len(writes) + 300)
                holder = await observer.lease_owner(big.id)
                assert holder is not None
                dead, survivor = (a, b) if f":{a.pid}:" in holder else (b, a)
                await dead.kill()
                await observer.wait_state(big.id, RequestState.APPLIED)
            writes = await observer.writes()
            assert len(exactly_once(writes, big.id)) == 1200
            owners = [w.tag["worker"] for w in writes if w.tag and w.tag["job_id"] == big.id]
            assert f":{dead.pid}:" in owners[0]
            assert f":{survivor.pid}:" in owners[-1]
            switch = next(i for i, o in enumerate(owners) if f":{survivor.pid}:" in o)
            assert all(f":{survivor.pid}:" in o for o in owners[switch:])  # no write after handover
        finally:
            await observer.close()


@pytest.mark.slow
async def test_a_bot_whose_tenant_throttles_thirty_percent_of_calls_applies_every_change(
    tmp_path: Path,
) -> None:
    async with migrated_database("sqlite", tmp_path) as url:
        [request] = await prepare(url, [DesiredState(RA_MAINLINE, "Seattle", GENERATED[:100])])
        observer = Observer(url)
        try:
            async with bots(url, tmp_path, ["throttled"], EMULATED_FAULTS="*=throttle:30%:0.05"):
                await observer.wait_state(request.id, RequestState.APPLIED)
            assert len(exactly_once(await observer.writes(), request.id)) == 400
        finally:
            await observer.close()
