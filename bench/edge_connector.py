"""A lean Bot Connector for bench_edge, in its own process so that its CPU is not the bot's.

    python -m bench.edge_connector --port 0 [--latency 0.05]

Answers every activity POST/PUT after `latency` seconds with an id, counts them (GET /stats,
POST /stats/reset) and serves member lookups. It keeps nothing per request, so 100,000 turns do
not grow it. It prints `PORT <n>` once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools

from aiohttp import web


def connector_app(latency: float) -> web.Application:
    ids = itertools.count(1)
    counts = {"activities": 0}

    async def activity(request: web.Request) -> web.Response:
        await request.read()
        if latency:
            await asyncio.sleep(latency)
        counts["activities"] += 1
        return web.json_response({"id": f"activity-{next(ids)}"})

    async def member(request: web.Request) -> web.Response:
        member_id = request.match_info["member_id"]
        return web.json_response({"id": member_id, "name": member_id})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(counts)

    async def reset(request: web.Request) -> web.Response:
        counts["activities"] = 0
        return web.json_response(counts)

    app = web.Application()
    base = "/v3/conversations/{conversation_id}"
    app.router.add_post(base + "/activities", activity)
    app.router.add_post(base + "/activities/{activity_id}", activity)
    app.router.add_put(base + "/activities/{activity_id}", activity)
    app.router.add_get(base + "/members/{member_id}", member)
    app.router.add_get("/stats", stats)
    app.router.add_post("/stats/reset", reset)
    return app


async def serve(port: int, latency: float) -> None:
    runner = web.AppRunner(connector_app(latency), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    print(f"PORT {runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.latency))


if __name__ == "__main__":
    main()
