"""Approval benchmark: the card refresh invoke against the caller-ID turn, side by side.

    PYTHONPATH=. .venv/bin/python -m bench.bench_approvals [--rounds 3] [--seconds 5]

One process: the app on a loopback port (emulated tenant, SQLite in a temporary folder, no app
id), the fake Bot Connector, and the load generator (concurrency 10). A pending request for 1,000
users (3,000 changes, 120 card pages) is seeded. In turns, each round measures Alex refreshing
its approval card (`approval.refresh`, trigger automatic) and Adele asking her caller ID (the
baseline turn of docs/benchmarks.md); the figures are medians over the rounds, and the ratio is
refresh rate over caller-ID rate. Then the pure card function on a 5,000-user plan.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from app import SERVICES, create_app
from cards.actions import APPROVAL_REFRESH
from cards.requests import request_card
from sharedcalling.config import load_settings
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.services.approvals.drafts import prepare_request
from sharedcalling.services.approvals.views import Audience
from sharedcalling.services.requests import actor_of, submit_request
from tests.cards.test_request_cards import request, view
from tests.demo_ids import RA_MAINLINE
from tests.edge.teams import execute_invoke, message, object_id
from tests.fakes.fake_connector import running_connector

CONCURRENCY = 10


async def _seed(app: web.Application, users: int) -> str:
    services = app[SERVICES]
    ids = tuple(UserId(f"00000000-0000-4000-9000-{n:012d}") for n in range(1, users + 1))
    desired = DesiredState(resource_account_id=RA_MAINLINE, policy_name="Seattle", user_ids=ids)
    first = await prepare_request(desired, tenant=services.tenant, justification="bench")
    attested = [f"{f.code}:{f.subject.id}" for f in first.preview.plan.attestations]
    prepared = await prepare_request(
        desired, tenant=services.tenant, justification="bench", attested=attested
    )
    megan = await services.resolve_principal(services.tenant_id, object_id("megan"))
    submitted = await submit_request(
        prepared.draft, actor=actor_of(megan), uow=services.uow, clock=services.clock
    )
    return submitted.id


async def _load(
    url: str, body: Callable[[], dict[str, Any]], seconds: float
) -> tuple[float, float, float]:
    """(turns per second, p50 ms, p95 ms) of `seconds` of load at CONCURRENCY."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.post(url, json=body()) as reply:
                    await reply.read()
                    if reply.status not in (200, 201):
                        raise RuntimeError(f"the bot answered HTTP {reply.status}")
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    return (
        len(ordered) / elapsed,
        ordered[len(ordered) // 2] * 1000,
        ordered[int(len(ordered) * 0.95)] * 1000,
    )


def _card_render_ms(repeat: int = 200) -> float:
    big = view(request(5000), Audience.DECIDE)
    started = time.perf_counter()
    for page in range(repeat):
        request_card(view(big.request, big.audience, page=page))
    return (time.perf_counter() - started) / repeat * 1000


async def main(rounds: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            {
                "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
                "LOG_LEVEL": "WARNING",
            }
        )
        app = create_app(settings)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        url = f"http://127.0.0.1:{port}/api/messages"
        try:
            async with running_connector() as connector:
                request_id = await _seed(app, 1000)
                refresh = lambda: _automatic(  # noqa: E731
                    execute_invoke(connector, "alex", APPROVAL_REFRESH, {"requestId": request_id})
                )
                ask = lambda: message(connector, "adele", "which number do I call out as?")  # noqa: E731
                results: dict[str, list[tuple[float, float, float]]] = {
                    "refresh": [],
                    "callerid": [],
                }
                for _ in range(rounds):
                    results["refresh"].append(await _load(url, refresh, seconds))
                    results["callerid"].append(await _load(url, ask, seconds))
                    connector.clear()
        finally:
            await runner.cleanup()
    for name, runs in results.items():
        rate = statistics.median(r[0] for r in runs)
        p50 = statistics.median(r[1] for r in runs)
        p95 = statistics.median(r[2] for r in runs)
        sys.stdout.write(f"{name:9} {rate:7.1f} turns/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms\n")
    ratio = statistics.median(r[0] for r in results["refresh"]) / statistics.median(
        r[0] for r in results["callerid"]
    )
    sys.stdout.write(f"refresh / caller-ID rate: {ratio:.2f}\n")
    sys.stdout.write(f"request card, 5,000-user plan, one page: {_card_render_ms():.2f} ms\n")


def _automatic(body: dict[str, Any]) -> dict[str, Any]:
    body["value"]["trigger"] = "automatic"
    return body


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    options = parser.parse_args()
    asyncio.run(main(options.rounds, options.seconds))
