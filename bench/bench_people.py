"""Issue 15 costs: the before-answers an apply records, and the admin overview, each next to
the work it rides on.

    PYTHONPATH=. .venv/bin/python -m bench.bench_people [--repeat 5]

1. `before_facts` (the caller-ID answer of every person a plan touches, computed once when a
   job is planned) for the plan of the 1,000 generated users onto "Seattle", next to planning
   those users (`plan()`), which the job does at the same moment anyway.
2. The overview's people counts (`_count_people`: every account's effective Shared Calling
   policy) of the demo tenant's 1,020 accounts, next to the same planning baseline (the
   emulated snapshot is served from memory, so it is no baseline; a real tenant's read of
   every account dominates both).
Best of `--repeat` runs each, in seconds of CPU on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from typing import Any

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import plan
from sharedcalling.services.apply.tell import before_facts
from sharedcalling.services.overview import _count_people
from sharedcalling.services.planning import with_derived_countries
from sharedcalling.services.ports import SnapshotScope

RA_MAINLINE = UserId("00000000-0000-4000-8000-000000000051")
GENERATED = tuple(UserId(f"00000000-0000-4000-9000-{n:012d}") for n in range(1, 1001))


def best(repeat: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


async def main(repeat: int) -> None:
    tenant = EmulatedTenantGateway.seeded()
    desired = DesiredState(RA_MAINLINE, "Seattle", GENERATED)
    snapshot = await tenant.snapshot(SnapshotScope(user_ids=(*GENERATED, RA_MAINLINE)))
    planned = plan(with_derived_countries(desired, snapshot), snapshot)
    planning = best(repeat, lambda: plan(with_derived_countries(desired, snapshot), snapshot))
    before = best(repeat, lambda: before_facts(planned.changes, snapshot))
    print(f"plan 1,000 users {planning:.3f} s; before_facts {before:.3f} s; "
          f"ratio {before / planning:.2f}")  # fmt: skip
    everyone = await tenant.snapshot(SnapshotScope(all_users=True))
    counting = best(repeat, lambda: _count_people(everyone))
    print(f"counts of {len(everyone.users):,} accounts {counting:.3f} s; "
          f"ratio to planning {counting / planning:.2f}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    asyncio.run(main(parser.parse_args().repeat))
