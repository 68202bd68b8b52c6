"""Cost of counting tenant calls: the emulated gateway's counted port call against the same call
unwrapped (the baseline), and against one caller-ID answer's tenant calls.

    PYTHONPATH=. .venv/bin/python -m bench.bench_metrics [--calls 50000] [--rounds 5]

`get_user` is the cheapest port read (a dictionary lookup), so the counter's share is largest
there; the figures are the medians over the rounds, per call.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.services.ports import SnapshotScope


async def _per_call(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await call()
    return (time.perf_counter() - started) / calls


async def run(calls: int, rounds: int) -> None:
    tenant = EmulatedTenantGateway.seeded()
    user = (await tenant.search_users("", limit=1))[0].id
    raw_get_user = EmulatedTenantGateway.get_user.__wrapped__  # type: ignore[attr-defined]
    raw_snapshot = EmulatedTenantGateway.snapshot.__wrapped__  # type: ignore[attr-defined]
    scope = SnapshotScope(user_ids=[user])
    figures: dict[str, list[float]] = {"counted": [], "raw": [], "snap_c": [], "snap_r": []}
    for _ in range(rounds):
        figures["counted"].append(await _per_call(lambda: tenant.get_user(user), calls))
        figures["raw"].append(await _per_call(lambda: raw_get_user(tenant, user), calls))
        figures["snap_c"].append(await _per_call(lambda: tenant.snapshot(scope), calls // 10))
        figures["snap_r"].append(await _per_call(lambda: raw_snapshot(tenant, scope), calls // 10))
    median = {key: statistics.median(values) * 1e6 for key, values in figures.items()}
    print(f"CPython {platform.python_version()}, {calls} calls x {rounds} rounds (medians, us)")
    for name, counted, raw in (("get_user", "counted", "raw"), ("snapshot", "snap_c", "snap_r")):
        print(
            f"{name}: counted {median[counted]:.2f}  raw {median[raw]:.2f}  "
            f"ratio {median[counted] / median[raw]:.2f}  "
            f"counter {median[counted] - median[raw]:.2f} us a call"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=50000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.rounds))


if __name__ == "__main__":
    main()
