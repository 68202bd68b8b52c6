"""Benchmark: apply 1,000 users (4,000 changes) through the apply engine, 50 ms a tenant call,
under a rate limit, next to the floor that the number of calls and the limit set.

The emulated tenant (in memory: its own persistence is not what is measured) answers every call
after 50 ms and throttles beyond `RATE` calls a second (a token bucket: 429 with the seconds
until the next call is allowed). The engine runs as in the bot: SQLite job store, leases,
chunked test-then-set reads, row records, progress reports (to a fake notifier). Two modes:

- `reactive`: the engine knows nothing of the limit and follows the service's Retry-After;
- `paced`: APPLY_CALLS_PER_SECOND set to the limit, so the engine paces itself.

Floor = (calls the service answered, reads and writes, less the bucket's burst) / RATE. Run:

    .venv/bin/python -m bench.bench_apply
"""

from __future__ import annotations

import asyncio
import platform
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from sharedcalling.adapters.store.apply_store import SqlApplyStore
from sharedcalling.adapters.store.engine import make_engine, migrate
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_faults import parse_faults
from sharedcalling.domain.apply import JobOutcome
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.services.apply.pacing import TenantPacer
from sharedcalling.services.apply.settings import ApplySettings
from sharedcalling.services.apply.wiring import build_apply
from sharedcalling.services.clock import SystemClock
from tests.apply.harness import TENANT, Harness
from tests.fakes.fake_notifier import FakeNotifier

RATE = 200.0
BURST = 10.0
"""Tokens the service's bucket holds: 50 ms of its rate (Graph's buckets hold far more)."""
LATENCY = 0.05
CONCURRENCY = 16
RA_MAINLINE = UserId("00000000-0000-4000-8000-000000000051")
USERS = tuple(UserId(f"00000000-0000-4000-9000-{n:012d}") for n in range(1, 1001))
SETTINGS = ApplySettings(concurrency=CONCURRENCY, poll_seconds=0.05, chunk_size=50)


async def run(mode: str, directory: Path) -> dict[str, float]:
    url = f"sqlite+aiosqlite:///{directory / f'{mode}.db'}"
    engine = make_engine(url)
    await migrate(engine)
    tenant = EmulatedTenantGateway.seeded()
    settings = replace(SETTINGS, calls_per_second=RATE if mode == "paced" else None)
    uow = SqlUnitOfWorkFactory(engine)
    apply = build_apply(
        settings,
        tenant_id=TENANT,
        tenant=tenant,
        store=SqlApplyStore(engine),
        uow=uow,
        clock=SystemClock(),
        notifier=FakeNotifier(),
    )
    harness = Harness(url, tenant, apply, FakeNotifier(), uow)
    try:
        request = await harness.approved(DesiredState(RA_MAINLINE, "Seattle", USERS))
        parse_faults(f"*=delay:{LATENCY},*=limit:{RATE:g}:{BURST:g}", tenant.faults)
        start, cpu = time.perf_counter(), time.process_time()
        await apply.after_approved(request)
        job = await harness.settle(request.id, seconds=600)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        await apply.stop()
        await engine.dispose()
    pacer: TenantPacer = apply.deps.tenant.pacer  # type: ignore[attr-defined]
    calls = tenant.faults.calls
    return {
        "wall": wall,
        "calls": calls,
        "floor": (calls - BURST) / RATE,
        "throttled": pacer.stats.throttled,
        "cpu": cpu,
        "ok": float(job.outcome is JobOutcome.APPLIED),
    }


async def main() -> None:
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    limits = f"limit {RATE:g} calls/s, {CONCURRENCY} in flight"
    print(f"1,000 users, {LATENCY * 1000:.0f} ms a call, {limits}")
    with tempfile.TemporaryDirectory() as folder:
        for number, mode in enumerate(("reactive", "paced", "reactive", "paced")):
            directory = Path(folder) / str(number)
            directory.mkdir()
            result = await run(mode, directory)
            ratio = result["wall"] / result["floor"]
            print(
                f"{mode:9s} wall {result['wall']:6.1f} s  calls {result['calls']:5.0f}  "
                f"floor {result['floor']:5.1f} s  ratio {ratio:4.2f}  "
                f"429s {result['throttled']:5.0f}  cpu {result['cpu']:5.1f} s  "
                f"applied {bool(result['ok'])}"
            )


if __name__ == "__main__":
    asyncio.run(main())
