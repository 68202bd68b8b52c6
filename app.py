"""The aiohttp app: POST /api/messages for Teams and GET /healthz; `python app.py` serves it."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import AsyncIterator

from aiohttp import web

from bot.adapter import Edge, activity_problem, create_edge
from sharedcalling.bootstrap import build_services
from sharedcalling.config import ConfigError, Settings, load_settings
from sharedcalling.correlation import CorrelationFilter
from sharedcalling.services import Services

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
EDGE = web.AppKey("edge", Edge)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    # One context: the database, the tenant backend and the bot open and close together.
    async with build_services(app[SETTINGS]) as services:
        app[SERVICES] = services
        app[EDGE] = create_edge(app[SETTINGS], services)
        yield


async def messages(request: web.Request) -> web.StreamResponse:
    problem = activity_problem(await request.read())
    if problem is not None:
        return web.json_response({"error": f"Bad request: {problem}."}, status=400)
    edge = request.app[EDGE]
    response = await edge.adapter.process(request, edge.bot)
    return response if response is not None else web.Response(status=201)


async def healthz(request: web.Request) -> web.Response:
    await request.app[SERVICES].ping()
    return web.json_response({"status": "ok"})


def create_app(settings: Settings | None = None) -> web.Application:
    """The app for `settings` (default: from the environment). Nothing opens until it starts."""
    app = web.Application()
    app[SETTINGS] = settings if settings is not None else load_settings(os.environ)
    app.cleanup_ctx.append(_lifecycle)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def _configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(CorrelationFilter())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])


def main() -> int:
    try:
        settings = load_settings(os.environ)
    except ConfigError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    _configure_logging(settings.log_level)
    web.run_app(create_app(settings), host=settings.host, port=settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
