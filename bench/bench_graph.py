"""Graph snapshot benchmark: batched GraphTenantGateway against a naive per-user loop.

Runs the fake Graph (tests/fakes) on loopback with a fixed latency per HTTP request and reads
every account of a tenant of 1,000 and 10,000 generated users. Usage:

    .venv/bin/python -m bench.bench_graph [--latency 0.05] [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from dataclasses import dataclass

from sharedcalling.adapters.tenant import graph_mapping as gm
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_seed import generated_user, seed_objects, seed_tenant_id
from sharedcalling.adapters.tenant.emulated_state import TenantState
from sharedcalling.adapters.tenant.graph_http import GraphClient
from sharedcalling.adapters.tenant.graph_licenses import SKU_SELECT
from sharedcalling.domain.ids import TenantId
from sharedcalling.domain.tenant import User
from sharedcalling.services.ports import SnapshotScope
from tests.fakes.fake_graph import graph_stack

DOMAIN = "contoso.example"


@dataclass
class Result:
    users: int
    requests: int
    floor: int
    seconds: float
    naive_requests: int
    naive_seconds: float
    naive_measured_users: int


def tenant_of(generated: int) -> EmulatedTenantGateway:
    """The demo tenant with `generated` employees instead of the seed's 1,000."""
    objects = [o for o in seed_objects("contoso") if not _is_generated(o)]
    licenses = next(o for o in seed_objects("contoso") if _is_generated(o)).licenses
    objects += [generated_user(n, DOMAIN, licenses) for n in range(1, generated + 1)]
    state = TenantState.of(objects)
    return EmulatedTenantGateway(state, tenant_id=TenantId(seed_tenant_id("contoso")))


def _is_generated(item: object) -> bool:
    return isinstance(item, User) and item.id.startswith("00000000-0000-4000-9000-")


def floor_requests(users: int, numbers: int) -> int:
    """The fewest requests paging and $batch allow for an all-users snapshot. Licenses come
    with the users (assignedLicenses, assignedPlans, provisionedPlans): no per-user request."""
    return (
        math.ceil(users / 999)  # /users, $top=999, license properties selected
        + math.ceil(users / 100)  # userConfigurations, server page of 100
        + math.ceil((numbers + 1) / 1000)  # numberAssignments, $top=1000 until a short page
        + 1  # subscribedSkus, which name the licenses
        + 1  # role members and groups, one $batch
    )


async def naive(client: GraphClient, ids: list[str], concurrency: int) -> None:
    """One request per user per resource, a few in flight: what a simple loop would do."""
    slots = asyncio.Semaphore(concurrency)

    async def one(url: str) -> None:
        async with slots:
            await client.get(url)

    urls = [f"/subscribedSkus?$select={SKU_SELECT}"]
    for i in ids:
        urls += [f"/users/{i}?$select={gm.USER_SELECT}", f"/admin/teams/userConfigurations/{i}"]
    await asyncio.gather(*(one(u) for u in urls))


async def run(generated: int, latency: float, naive_limit: int, concurrency: int) -> Result:
    async with graph_stack(tenant_of(generated), latency=latency) as stack:
        await stack.gateway.list_numbers()  # sign in first: the token is not part of the bench
        stack.fake.reset_counters()
        started = time.perf_counter()
        snapshot = await stack.gateway.snapshot(SnapshotScope(all_users=True))
        seconds = time.perf_counter() - started
        requests = stack.fake.requests
        ids = sorted(snapshot.users)
        sample = ids[:naive_limit]
        stack.fake.reset_counters()
        started = time.perf_counter()
        await naive(stack.gateway.client, sample, concurrency)
        naive_seconds = (time.perf_counter() - started) * len(ids) / len(sample)
        return Result(
            users=len(ids),
            requests=requests,
            floor=floor_requests(len(ids), len(snapshot.numbers)),
            seconds=seconds,
            naive_requests=1 + (stack.fake.requests - 1) * len(ids) // len(sample),
            naive_seconds=naive_seconds,
            naive_measured_users=len(sample),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--naive-limit", type=int, default=2000)
    parser.add_argument("--naive-concurrency", type=int, default=16)
    args = parser.parse_args()
    print(
        "| generated users | accounts read | requests | floor | ratio | wall s |"
        " naive requests | naive wall s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        r = asyncio.run(run(size, args.latency, args.naive_limit, args.naive_concurrency))
        naive_note = (
            "" if r.naive_measured_users == r.users else f" (from {r.naive_measured_users})"
        )
        print(
            f"| {size:,} | {r.users:,} | {r.requests:,} | {r.floor:,} | "
            f"{r.requests / r.floor:.2f} | {r.seconds:.1f} | {r.naive_requests:,} | "
            f"{r.naive_seconds:.1f}{naive_note} |"
        )


if __name__ == "__main__":
    main()
