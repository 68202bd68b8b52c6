"""Benchmark: check and plan 1,000 generated users of the demo tenant (pure and end to end)."""

from __future__ import annotations

import asyncio
import platform
import statistics
import time

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import plan
from sharedcalling.services.planning import preview_plan
from sharedcalling.services.ports import SnapshotScope

RUNS = 7
RA_MAINLINE = UserId("00000000-0000-4000-8000-000000000051")
USERS = tuple(UserId(f"00000000-0000-4000-9000-{n:012d}") for n in range(1, 1001))


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def main() -> None:
    gateway = EmulatedTenantGateway.seeded()
    desired = DesiredState(RA_MAINLINE, "Seattle", USERS)
    snapshot = await gateway.snapshot(SnapshotScope(user_ids=USERS))
    pure, end_to_end = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = plan(desired, snapshot)
        pure.append(time.perf_counter() - start)
        start = time.perf_counter()
        await preview_plan(desired, tenant=gateway)
        end_to_end.append(time.perf_counter() - start)
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    print(f"users: {len(USERS)}, changes: {len(result.changes)}, runs: {RUNS}")
    print(f"check+plan (pure):              median {median_ms(pure):7.1f} ms")
    print(f"snapshot+check+plan (emulated): median {median_ms(end_to_end):7.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
