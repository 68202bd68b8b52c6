"""Hazard check benchmark: one check of 10,000 users set up by a request of ours, through
GraphTenantGateway against the fake Graph with 50 ms latency per HTTP request, next to the floor.

    PYTHONPATH=. .venv/bin/python -m bench.bench_hazards [--users 10000] [--latency 0.05]
        [--full-read-from 1000]

`--full-read-from` is HazardSettings.full_read_from: from that many accounts the check reads
every account when the listing costs fewer requests (a huge value keeps the scoped read).

The tenant is the demo tenant with N generated employees, all of them on Shared Calling policy
Seattle as an applied request of ours left them (enterprise voice on, NoPSTN, US-Emergency,
Seattle granted directly). The policy definitions, which the PowerShell half of graph+powershell
reads with a fixed handful of cmdlets whatever the number of users, come from the same emulated
tenant and are not counted. The store is SQLite in a temporary folder. Three checks run in turn:
the first (it records every subject's facts), a second with nothing changed, and a third after
the resource account's number was removed (one hazard affecting every user, announced to one
admin). Before each check the snapshot it reads (the one its record names) is read alone,
timed, as the baseline beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.bench_graph import floor_requests as listing_floor
from bench.bench_graph import tenant_of
from sharedcalling.adapters.store.apply_store import SqlApplyStore
from sharedcalling.adapters.store.engine import make_engine, migrate
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.adapters.tenant import graph_mapping as gm
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.hazards import evaluate
from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.planning.codec import desired_to_json
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
from sharedcalling.domain.tenant import AssignmentStatus, PolicyRef, PolicyType, User
from sharedcalling.services.hazards.check import run_check
from sharedcalling.services.hazards.presenter import HazardSettings
from sharedcalling.services.hazards.watchlist import load_watchlist
from sharedcalling.services.numbering import derived_countries
from sharedcalling.services.ports import SnapshotScope, TenantGateway
from tests.fakes.fake_graph import graph_stack
from tests.hazards.support import (
    TENANT,
    RecordingNotifier,
    SteppingClock,
    make_ports,
    remember_chat,
)

MEGAN = UserId("00000000-0000-4000-8000-000000000001")
RA_MAINLINE = UserId("00000000-0000-4000-8000-000000000051")
RA_NUMBER = "+14255550100"
BATCH = 20
IN_FLIGHT = 8
"""The Graph adapter's `$batch`es in flight (GraphClient batch_concurrency)."""


class GraphWithPolicies(TenantGateway):
    """Graph for everything it serves; policy definitions, group assignments and associations
    from the emulated tenant, as the PowerShell half of graph+powershell adds them."""

    def __init__(self, graph: TenantGateway, emulated: EmulatedTenantGateway) -> None:
        self.tenant_id = graph.tenant_id
        self._graph, self._emulated = graph, emulated

    async def snapshot(self, scope: SnapshotScope) -> Any:
        read = await self._graph.snapshot(scope)
        policies = await self._emulated.snapshot(SnapshotScope())
        return replace(
            read,
            shared_calling_policies=policies.shared_calling_policies,
            voice_routing_policies=policies.voice_routing_policies,
            emergency_call_routing_policies=policies.emergency_call_routing_policies,
            calling_line_identity_policies=policies.calling_line_identity_policies,
            associations=policies.associations,
            group_assignments=policies.group_assignments,
        )

    def __getattr__(self, name: str) -> Any:  # the writes and other reads: not used here
        return getattr(self._graph, name)


GraphWithPolicies.__abstractmethods__ = frozenset()  # only snapshot() is called


def configured(tenant: EmulatedTenantGateway, users: list[UserId]) -> None:
    """Every generated user as the applied plan left them."""
    policies = (
        PolicyRef(PolicyType.VOICE_ROUTING, "NoPSTN"),
        PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-Emergency"),
        PolicyRef(PolicyType.SHARED_CALLING, "Seattle"),
    )
    changed: list[User] = []
    for user_id in users:
        user = tenant._state.users[user_id.lower()]
        changed.append(replace(user, enterprise_voice_enabled=True, direct_policies=policies))
    tenant._state.put(changed)
    tenant._scoped = None


def applied_request(users: list[UserId]) -> ChangeRequest:
    desired = DesiredState(RA_MAINLINE, "Seattle", user_ids=tuple(users))
    at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    return ChangeRequest(
        id=RequestId("SC-BENCH001"), tenant_id=TENANT, kind=RequestKind.SETUP,
        state=RequestState.APPLIED, requester_id=MEGAN, requester_name="Megan Bowen",
        justification="benchmark", fingerprint="sha256:" + "0" * 64, created_at=at,
        updated_at=at, user_ids=tuple(users), desired=desired_to_json(desired),
        # The one warning the plan showed the approvers (a small callback pool for N users).
        plan={"findings": [{"code": "SC-E08", "severity": "WARN", "subject": {"id": "Seattle"}}]},
    )  # fmt: skip


def scoped_floor(accounts: int, resource_accounts: int, numbers: int) -> tuple[int, int]:
    """(requests, of which `$batch`es) the scoped read cannot do with fewer: each account's user
    object and userConfiguration (a resource account's configuration comes with the list of
    them), the two admin role member lists and the SKUs, 20 to a `$batch`; the resource account
    configurations (one page), the numbers (pages of 1,000) and one `$batch` of groups."""
    items = 2 * accounts + resource_accounts + len(gm.ROLE_TEMPLATES) + 1
    batches = math.ceil(items / BATCH)
    return batches + 1 + math.ceil((numbers + 1) / 1000) + 1, batches


@dataclass
class Run:
    label: str
    seconds: float
    requests: int
    open_hazards: int
    read: str
    """The snapshot the check read, as its record names it: `all users` or `scoped`."""
    read_seconds: float
    """That snapshot alone, read just before the check: the baseline beside it."""


async def _read(gateway: Any, scope: SnapshotScope) -> float:
    started = time.perf_counter()
    await gateway.snapshot(scope)
    return time.perf_counter() - started


async def timed_check(ports: Any, stack: Any, scope: SnapshotScope, label: str) -> Run:
    """`scope` is the scoped read; the baseline is whichever read the check made."""
    stack.fake.reset_counters()
    started = time.perf_counter()
    outcome = await run_check(ports, trigger="bench")
    seconds = time.perf_counter() - started
    if not outcome.ran:
        raise RuntimeError(f"the check did not run: {outcome.reason}")
    requests = stack.fake.requests
    read = str(outcome.record.summary["read"]) if outcome.record else "scoped"
    same = SnapshotScope(all_users=True) if read == "all users" else scope
    await _read(ports.tenant, same)  # the fake builds its answers on first use: not ours
    baseline = await _read(ports.tenant, same)
    return Run(label, seconds, requests, len(outcome.open_hazards), read, baseline)


async def _store(users: list[UserId], clock: SteppingClock) -> tuple[Any, Any]:
    folder = Path(tempfile.mkdtemp(prefix="bench-hazards-"))
    engine = make_engine(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await migrate(engine)
    uow = SqlUnitOfWorkFactory(engine)
    async with uow() as work:
        await work.requests.add(applied_request(users))
        await work.commit()
    await remember_chat(uow, MEGAN, clock.now())
    return engine, uow


def _remove_ra_number(emulated: EmulatedTenantGateway) -> None:
    number = emulated._state.numbers[RA_NUMBER]
    unassigned = AssignmentStatus.UNASSIGNED
    emulated._state.put([replace(number, assignment_status=unassigned, assigned_target_id=None)])
    emulated._scoped = None


async def bench(generated: int, latency: float, full_read_from: int) -> None:
    emulated = tenant_of(generated)
    users = [UserId(f"00000000-0000-4000-9000-{n:012d}") for n in range(1, generated + 1)]
    configured(emulated, users)
    clock = SteppingClock()
    engine, uow = await _store(users, clock)
    scope = SnapshotScope(user_ids=[*users, MEGAN])
    try:
        async with graph_stack(emulated, latency=latency) as stack:
            await stack.gateway.list_numbers()  # sign in first: the token is not benchmarked
            gateway = GraphWithPolicies(stack.gateway, emulated)
            notifier = RecordingNotifier({MEGAN})
            settings = HazardSettings(full_read_from=full_read_from)
            apply_store = SqlApplyStore(engine)
            made = make_ports(emulated, uow, clock, notifier, settings, apply_store=apply_store)
            ports = replace(made, tenant=gateway)
            runs = [await timed_check(ports, stack, scope, "first check (records every subject)")]
            clock.advance(3600)
            runs.append(await timed_check(ports, stack, scope, "second check, nothing changed"))
            _remove_ra_number(emulated)
            await stack.fake.refresh()
            clock.advance(3600)
            runs.append(await timed_check(ports, stack, scope, "RA number removed (1 hazard)"))
            await report(runs, ports, stack, gateway, scope, latency)
    finally:
        await engine.dispose()


async def report(
    runs: list[Run], ports: Any, stack: Any, gateway: Any, scope: SnapshotScope, latency: float
) -> None:
    watchlist = await load_watchlist(TENANT, uow=ports.uow, apply_store=ports.apply_store)
    snapshot = await gateway.snapshot(scope)
    started = time.perf_counter()
    result = evaluate(watchlist, snapshot, number_countries=derived_countries(snapshot))
    evaluate_seconds = time.perf_counter() - started
    ras = sum(1 for u in snapshot.users.values() if u.is_resource_account)
    every = await gateway.snapshot(SnapshotScope(all_users=True))
    floors = {
        "scoped": scoped_floor(len(scope.user_ids), ras, len(snapshot.numbers))[0],
        "all users": listing_floor(len(every.users), len(every.numbers)),
    }
    batches = scoped_floor(len(scope.user_ids), ras, len(snapshot.numbers))[1]
    print(
        f"users watched {len(watchlist.users):,}; accounts scoped {len(snapshot.users):,}, in "
        f"the tenant {len(every.users):,}; resource accounts {ras}; numbers "
        f"{len(snapshot.numbers)}; request floor scoped {floors['scoped']:,} ({batches} "
        f"$batches, latency floor {(math.ceil(batches / IN_FLIGHT) + 2) * latency:.2f} s with "
        f"{IN_FLIGHT} in flight at {latency * 1000:.0f} ms), all users {floors['all users']}"
    )
    columns = "check | read | Graph requests | floor | ratio | check s | its read alone s | ratio"
    print(f"| {columns} | open |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        floor = floors[run.read]
        print(
            f"| {run.label} | {run.read} | {run.requests:,} | {floor:,} | "
            f"{run.requests / floor:.2f} | {run.seconds:.2f} | {run.read_seconds:.2f} | "
            f"{run.seconds / run.read_seconds:.2f} | {run.open_hazards} |"
        )
    stack.fake.reset_counters()
    scoped_seconds = await _read(gateway, scope)
    print(
        f"evaluate alone (pure, {len(result.observations)} findings): {evaluate_seconds:.2f} s; "
        f"the scoped snapshot of the same accounts: {scoped_seconds:.2f} s "
        f"({stack.fake.requests} requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--full-read-from", type=int, default=HazardSettings().full_read_from)
    args = parser.parse_args()
    asyncio.run(bench(args.users, args.latency, args.full_read_from))


if __name__ == "__main__":
    main()
