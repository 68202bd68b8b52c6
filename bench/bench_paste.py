"""Pasted-list benchmark: resolving N pasted UPNs on Graph, batched against one lookup per entry.

The set-up's users step resolves a pasted list inside one Teams invoke (about 15 s). Both ways
run against the fake Graph (tests/fakes) on loopback with a fixed latency per HTTP request, in
the same process, one after the other: `GraphTenantGateway.find_users` (user objects in
`$batch`es of 20, then one accounts read) and the port's default `find_users` (one `get_user`
per entry, 16 at a time), which is what the step did before. Usage:

    PYTHONPATH=. .venv/bin/python -m bench.bench_paste [--latency 0.05] [--sizes 500 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time

from bench.bench_graph import tenant_of
from sharedcalling.domain.tenant import User
from sharedcalling.services.ports import TenantReader
from tests.fakes.fake_graph import graph_stack


async def _timed(reader: TenantReader, upns: list[str], per_entry: bool) -> tuple[float, int]:
    started = time.perf_counter()
    if per_entry:
        found = await TenantReader.find_users(reader, upns)  # the port's default
    else:
        found = await reader.find_users(upns)
    seconds = time.perf_counter() - started
    return seconds, sum(isinstance(user, User) for user in found.values())


async def run(size: int, latency: float) -> dict[str, float]:
    async with graph_stack(tenant_of(max(size, 1000)), latency=latency) as stack:
        upns = [f"user{n:04d}@contoso.example" for n in range(1, size + 1)]
        figures: dict[str, float] = {}
        for name, per_entry in (("batched", False), ("per entry", True)):
            stack.fake.reset_counters()
            seconds, found = await _timed(stack.gateway, upns, per_entry)
            if found != size:
                raise SystemExit(f"{name}: {found} of {size} found")
            figures[f"{name} s"] = seconds
            figures[f"{name} requests"] = stack.fake.requests
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    args = parser.parse_args()
    print(
        "| pasted UPNs | batched requests | floor | batched s | per-entry requests | "
        "per-entry s | per-entry / batched |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        r = asyncio.run(run(size, args.latency))
        floor = math.ceil(size / 20) + math.ceil((size + 3) / 20)
        print(
            f"| {size:,} | {r['batched requests']:,.0f} | {floor:,} | {r['batched s']:.1f} | "
            f"{r['per entry requests']:,.0f} | {r['per entry s']:.1f} | "
            f"{r['per entry s'] / r['batched s']:.1f}x |"
        )


if __name__ == "__main__":
    main()
