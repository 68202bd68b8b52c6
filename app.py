"""The aiohttp app: POST /api/messages for Teams and GET /healthz; `python app.py` serves it."""

from __future__ import annotations

import errno
import gc
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from aiohttp import web

import sharedcalling.metrics as metrics
from bot.adapter import ACTIVITY_TYPE_KEY
from bot.audit_answers import DOWNLOAD_PATH, download_handler
from bot.downloads import download_export
from bot.edge import Edge, EdgeOptions, exposure_problem, open_edge
from bot.tokens import TokenRequest, client_credentials, managed_identity
from sharedcalling.bootstrap import build_services
from sharedcalling.config import AppType, ConfigError, Settings, load_settings
from sharedcalling.correlation import CorrelationFilter, LogSafetyFilter
from sharedcalling.log_format import formatter_for
from sharedcalling.services import Services
from sharedcalling.services.background import Background

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
EDGE = web.AppKey("edge", Edge)


ServicesOpener = Callable[[Settings], AbstractAsyncContextManager[Services]]


def _lifecycle(open_services: ServicesOpener) -> Callable[[web.Application], AsyncIterator[None]]:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        # One context: the database, the tenant backend and the edge open and close together.
        async with (
            open_services(app[SETTINGS]) as services,
            open_edge(edge_options(app[SETTINGS]), services) as edge,
        ):
            app[SERVICES] = services
            app[EDGE] = edge
            _freeze_startup_objects()
            background = Background(services.background_jobs())
            background.start()
            try:
                yield
            finally:
                await background.stop()

    return lifecycle


def _freeze_startup_objects() -> None:
    """Keep what startup built (modules, the schema, the emulated tenant: about 100,000 objects)
    out of every later garbage collection; a full collection over them took 55 ms, a pause
    that every turn in flight then waited for. Reference counting still frees them."""
    gc.collect()
    gc.freeze()


def _token_request(settings: Settings) -> TokenRequest | None:
    if not settings.app_id:
        return None
    if settings.app_type is AppType.USER_ASSIGNED_MSI:
        return managed_identity(settings.app_id)
    tenant = settings.app_tenant_id if settings.app_type is AppType.SINGLE_TENANT else ""
    secret = settings.app_password.get_secret_value()
    return client_credentials(settings.authority_host, tenant, settings.app_id, secret)


def edge_options(settings: Settings) -> EdgeOptions:
    """What the Teams edge needs of the settings: it reads no settings itself."""
    return EdgeOptions(
        app_id=settings.app_id,
        host=settings.host,
        openid_metadata_url=settings.bot_openid_metadata_url,
        token_request=_token_request(settings),
        public_url=settings.bot_url,
    )


def check_exposure(settings: Settings) -> None:
    problem = exposure_problem(settings.app_id, settings.host)
    if problem is not None:
        raise ConfigError([problem])


async def messages(request: web.Request) -> web.StreamResponse:
    edge = request.app[EDGE]
    started = time.perf_counter()
    response = await edge.adapter.process(request, edge.bot)
    kind = metrics.activity_kind(request.get(ACTIVITY_TYPE_KEY))
    metrics.TURN_SECONDS.labels(kind=kind).observe(time.perf_counter() - started)
    metrics.TURNS.labels(kind=kind, status=str(response.status)).inc()
    return response


async def metrics_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    counts = await services.request_counts()
    metrics.set_states(metrics.REQUESTS, counts, list(counts))
    metrics.APPROVALS_PENDING.set(counts.get("PENDING", 0))
    jobs = await services.job_counts()
    metrics.set_states(metrics.JOBS, jobs, list(jobs))
    return web.Response(body=metrics.exposition(), headers={"Content-Type": metrics.CONTENT_TYPE})


async def healthz(request: web.Request) -> web.Response:
    await request.app[SERVICES].ping()
    return web.json_response({"status": "ok"})


async def exports(request: web.Request) -> web.Response:
    return await download_export(request, request.app[SERVICES])


def create_app(
    settings: Settings | None = None, *, open_services: ServicesOpener = build_services
) -> web.Application:
    """The app for `settings` (default: from the environment). Nothing opens until it starts.

    Raises ConfigError when the settings would expose an unauthenticated bot.
    `open_services` replaces how Services are built (tests and benchmarks).
    """
    app = web.Application()
    app[SETTINGS] = settings if settings is not None else load_settings(os.environ)
    check_exposure(app[SETTINGS])
    app.cleanup_ctx.append(_lifecycle(open_services))
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    app.router.add_get(DOWNLOAD_PATH, download_handler(lambda request: request.app[SERVICES]))
    app.router.add_get("/exports/{token}", exports)
    return app


def _configure_logging(level: str, log_format: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(CorrelationFilter())
    handler.addFilter(LogSafetyFilter())
    handler.setFormatter(formatter_for(log_format))
    logging.basicConfig(level=level, handlers=[handler])


def main() -> int:
    try:
        settings = load_settings(os.environ)
        app = create_app(settings)
    except ConfigError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    _configure_logging(settings.log_level, settings.log_format)
    try:
        web.run_app(app, host=settings.host, port=settings.port, access_log=None)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        sys.stderr.write(
            f"Port {settings.port} on {settings.host} is already in use: stop what is listening "
            "there or set PORT to another port.\n"
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
