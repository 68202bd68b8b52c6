"""Edge benchmark: the caller-ID turn against two echo bots, side by side in one run.

    PYTHONPATH=. .venv/bin/python -m bench.bench_edge [--rounds 3] [--seconds 8]

Each bot runs in its own process (`python app.py` for the project with the emulated tenant and
SQLite; bench/edge_echo.py for the stock and tuned echo bots), the Bot Connector in another
(bench/edge_connector.py), and the load generator here: concurrency 20, loopback, no app id.
The bots are measured in turns (stock, tuned, project, stock, ...) so that noise from the
shared machine hits all of them alike; each figure is the median over the rounds. Then: the
project and the tuned echo against a connector that answers after 50 ms; and resident memory of
a fresh project process idle, after 10,000 and after 100,000 caller-ID turns.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.edge_processes import BotProcess, connector_process, echo_process, project_process
from sharedcalling.config import DEMO_TENANT_ID
from tests.edge.teams import BOT_ID, PEOPLE, object_id

CONCURRENCY = 20
QUESTION = "which number do I call out as?"


@dataclass
class Run:
    """One measured stretch of load against one bot."""

    turns: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    delivered: int = 0
    cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else 0


def bodies(service_url: str) -> Iterator[bytes]:
    """Teams-shaped personal-chat messages from the demo people in turn, each with its own id."""
    templates = []
    for person in PEOPLE:
        activity = {
            "type": "message", "id": "ID", "channelId": "msteams", "serviceUrl": service_url,
            "from": {"id": f"29:{person}", "name": person.title(),
                     "aadObjectId": object_id(person)},
            "recipient": {"id": BOT_ID, "name": "Shared Calling"},
            "conversation": {"id": f"a:personal-{person}", "conversationType": "personal",
                             "tenantId": DEMO_TENANT_ID},
            "channelData": {"tenant": {"id": DEMO_TENANT_ID}}, "locale": "en-US",
            "text": QUESTION, "entities": [],
        }  # fmt: skip
        templates.append(json.dumps(activity).encode().replace(b'"ID"', b'"%d"'))
    n = 0
    while True:
        for template in templates:
            n += 1
            yield template % n


async def load(
    session: aiohttp.ClientSession,
    bot_url: str,
    service_url: str,
    *,
    seconds: float = 0,
    turns: int = 0,
) -> Run:
    """Post messages with CONCURRENCY in flight, for `seconds` or for `turns` requests."""
    run = Run()
    source = bodies(service_url)
    deadline = time.perf_counter() + seconds if seconds else float("inf")
    remaining = [turns or 10**12]

    async def worker() -> None:
        while time.perf_counter() < deadline and remaining[0] > 0:
            remaining[0] -= 1
            body = next(source)
            started = time.perf_counter()
            try:
                async with session.post(
                    bot_url, data=body, headers={"Content-Type": "application/json"}
                ) as response:
                    await response.read()
                    ok = response.status == 201
            except aiohttp.ClientError:
                ok = False
            run.latencies.append(time.perf_counter() - started)
            run.turns += ok
            run.errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    run.seconds = time.perf_counter() - started
    return run


async def measured(
    session: aiohttp.ClientSession, bot: BotProcess, connector: BotProcess, seconds: float
) -> Run:
    await session.post(f"{connector.url}/stats/reset")
    cpu = bot.cpu_seconds()
    run = await load(session, f"{bot.url}/api/messages", connector.url, seconds=seconds)
    run.cpu_seconds = bot.cpu_seconds() - cpu
    async with session.get(f"{connector.url}/stats") as stats:
        run.delivered = (await stats.json())["activities"]
    return run


def _median(runs: list[Run], value: str) -> float:
    return statistics.median(
        getattr(r, value) if value != "p99" else r.percentile(99) for r in runs
    )


def report_rounds(results: dict[str, list[Run]]) -> None:
    print("\n| bot | msg/s (median) | per round | CPU ms/turn | p50 ms | p99 ms | errors | "
          "replies delivered |")  # fmt: skip
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for name, runs in results.items():
        rates = ", ".join(f"{r.rate:.0f}" for r in runs)
        cpu = statistics.median(r.cpu_seconds / max(1, r.turns) * 1000 for r in runs)
        p50 = statistics.median(r.percentile(50) for r in runs)
        print(
            f"| {name} | {_median(runs, 'rate'):.0f} | {rates} | {cpu:.2f} | {p50:.1f} | "
            f"{_median(runs, 'p99'):.1f} | {sum(r.errors for r in runs)} | "
            f"{sum(r.delivered for r in runs)} of {sum(r.turns for r in runs)} |"
        )
    project, tuned = results["project caller-ID turn"], results["echo, msrest fix"]
    ratios = [p.rate / t.rate for p, t in zip(project, tuned, strict=True) if t.rate]
    print(f"\nproject / tuned echo per round: {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"median {statistics.median(ratios):.2f}x (goal >= 2x)")  # fmt: skip


async def rounds(
    bots: dict[str, BotProcess], connector: BotProcess, n: int, seconds: float
) -> None:
    results: dict[str, list[Run]] = {name: [] for name in bots}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as s:
        for bot in bots.values():
            await load(s, f"{bot.url}/api/messages", connector.url, turns=1000)  # warm up
        for _ in range(n):
            for name, bot in bots.items():
                results[name].append(await measured(s, bot, connector, seconds))
    report_rounds(results)


async def slow_connector(
    bots: dict[str, BotProcess], connector: BotProcess, seconds: float
) -> None:
    ideal = CONCURRENCY / 0.05
    print("\n| bot, connector answering after 50 ms | msg/s | of ideal (400) | p50 ms | p99 ms |"
          " errors | replies delivered |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as s:
        for name, bot in bots.items():
            run = await measured(s, bot, connector, seconds)
            print(
                f"| {name} | {run.rate:.0f} | {run.rate / ideal:.0%} | {run.percentile(50):.1f} |"
                f" {run.percentile(99):.1f} | {run.errors} | {run.delivered} of {run.turns} |"
            )


async def memory(workdir: Path, connector: BotProcess) -> None:
    with project_process(workdir / "memory.db", workdir / "memory.log") as bot:
        idle = bot.rss_mib()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as s:
            url = f"{bot.url}/api/messages"
            first = await load(s, url, connector.url, turns=10_000)
            after_10k = bot.rss_mib()
            rest = await load(s, url, connector.url, turns=90_000)
            after_100k = bot.rss_mib()
    errors = first.errors + rest.errors
    print("\n| resident memory of a fresh project process | MiB |\n|---|---:|")
    print(f"| idle (started, migrated, seeded) | {idle:.1f} |")
    print(f"| after 10,000 caller-ID turns | {after_10k:.1f} |")
    print(f"| after 100,000 caller-ID turns | {after_100k:.1f} |")
    growth = (after_100k - after_10k) / after_10k
    print(f"\n100k vs 10k: {growth:+.1%} (goal within 10%); errors in 100,000 turns: {errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs,"
          f" load average {os.getloadavg()[0]:.2f} at start")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        fast = stack.enter_context(connector_process(0.0))
        slow = stack.enter_context(connector_process(0.05))
        bots = {
            "echo, stock botbuilder": stack.enter_context(echo_process(tuned=False)),
            "echo, msrest fix": stack.enter_context(echo_process(tuned=True)),
            "project caller-ID turn": stack.enter_context(
                project_process(workdir / "bot.db", workdir / "bot.log")
            ),
        }
        asyncio.run(rounds(bots, fast, args.rounds, args.seconds))
        slow_bots = {k: bots[k] for k in ("echo, msrest fix", "project caller-ID turn")}
        asyncio.run(slow_connector(slow_bots, slow, args.seconds))
        if not args.skip_memory:
            asyncio.run(memory(workdir, fast))
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end", file=sys.stdout)


if __name__ == "__main__":
    main()
