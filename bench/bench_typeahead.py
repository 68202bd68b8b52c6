"""Typeahead benchmark: the set-up's people search against 10,000 generated users.

    PYTHONPATH=. .venv/bin/python -m bench.bench_typeahead [--users 10000] [--rounds 5]

The bot runs in this process on a loopback aiohttp server (the emulated tenant from a tenant
file with `generated_users`, SQLite in a temporary folder, no app id). Megan "types" a name
letter by letter, as Teams sends one `application/search` invoke per keystroke, and pages
through a broad result. Every search request is paired with a baseline request run right after
it: the same invoke for a dataset the bot does not serve, which goes through the same edge
(parsing, tenant check, who is asking) and answers 400 without searching. The figures are the
medians and 95th percentiles over the rounds, the search/baseline ratio, and the margin to the
time Teams gives an invoke (5 s for message extension invokes, the shortest it documents).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from app import create_app
from sharedcalling.adapters.tenant.seeds import __file__ as seeds_init
from sharedcalling.config import DEMO_TENANT_ID, load_settings
from tests.edge.teams import BOT_ID, object_id

TEAMS_INVOKE_SECONDS = 5.0
WORD = "Contoso Employee 4321"
EXTRA = (("Die", 0), ("user1", 0), ("Contoso Employee", 15), ("Contoso Employee", 30), ("Pr", 0))


def tenant_file(folder: Path, users: int) -> Path:
    document = json.loads((Path(seeds_init).parent / "contoso.json").read_text(encoding="utf-8"))
    document["generated_users"]["count"] = users
    path = folder / "tenant.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def search_body(service_url: str, dataset: str, text: str, skip: int) -> dict[str, Any]:
    megan = object_id("megan")
    return {
        "type": "invoke", "name": "application/search", "id": f"s-{time.perf_counter_ns()}",
        "channelId": "msteams", "serviceUrl": service_url,
        "from": {"id": "29:megan", "name": "Megan", "aadObjectId": megan},
        "recipient": {"id": BOT_ID, "name": "Shared Calling"},
        "conversation": {"id": "a:personal-megan", "conversationType": "personal",
                         "tenantId": DEMO_TENANT_ID},
        "channelData": {"tenant": {"id": DEMO_TENANT_ID}},
        "value": {"queryText": text, "queryOptions": {"skip": skip, "top": 15}, "dataset": dataset},
    }  # fmt: skip


async def timed(
    session: aiohttp.ClientSession, url: str, body: dict[str, Any]
) -> tuple[float, Any]:
    start = time.perf_counter()
    async with session.post(url, json=body) as response:
        answer = await response.json()
    return time.perf_counter() - start, answer


def queries() -> list[tuple[str, int]]:
    return [(WORD[:n], 0) for n in range(1, len(WORD) + 1)] + list(EXTRA)


async def measure(base: str, rounds: int) -> tuple[list[float], list[float], int]:
    search, baseline, results = [], [], 0
    url = f"{base}/api/messages"
    async with aiohttp.ClientSession() as session:
        for text, skip in queries()[:3]:  # warm-up: indexes, connection, first snapshot
            await timed(session, url, search_body(base, "setup.people", text, skip))
        for _ in range(rounds):
            for text, skip in queries():
                took, answer = await timed(
                    session, url, search_body(base, "setup.people", text, skip)
                )
                if answer["statusCode"] != 200:
                    raise RuntimeError(f"the search failed: {answer}")
                results += len(answer["value"]["results"])
                search.append(took)
                took, answer = await timed(session, url, search_body(base, "unknown", text, skip))
                if answer["statusCode"] != 400:
                    raise RuntimeError(f"the baseline did not answer 400: {answer}")
                baseline.append(took)
    return search, baseline, results


def ms(value: float) -> str:
    return f"{value * 1000:7.1f} ms"


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            {
                "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
                "EMULATED_SEED": str(tenant_file(Path(folder), args.users)),
                "LOG_LEVEL": "WARNING",
            }
        )
        server = TestServer(create_app(settings), host="127.0.0.1")
        await server.start_server()
        try:
            base = str(server.make_url("")).rstrip("/")
            search, baseline, results = await measure(base, args.rounds)
        finally:
            await server.close()
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    rounds = f"queries per round: {len(queries())}, rounds: {args.rounds}"
    print(f"generated users: {args.users:,}, {rounds}")
    print(f"results returned: {results:,}")
    slowest = f"max {ms(max(search))}"
    print(f"search   median {ms(statistics.median(search))}  p95 {ms(p95(search))}  {slowest}")
    print(f"baseline median {ms(statistics.median(baseline))}  p95 {ms(p95(baseline))}")
    ratio = statistics.median(search) / statistics.median(baseline)
    print(f"search / baseline (medians): {ratio:.2f}")
    print(f"Teams invoke budget {TEAMS_INVOKE_SECONDS:.0f} s: slowest search used "
          f"{max(search) / TEAMS_INVOKE_SECONDS:.1%} of it")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
