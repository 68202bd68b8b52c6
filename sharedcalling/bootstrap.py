"""The one place that chooses adapters from settings and binds them into Services."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling import correlation
from sharedcalling.adapters.store.bot_state import SqlBotStateStore
from sharedcalling.adapters.store.engine import make_engine, migrate
from sharedcalling.adapters.store.tenant_state import SqlTenantStateStore
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.adapters.tenant.composite import CompositeTenantGateway
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_faults import Faults, FaultSpecError, parse_faults
from sharedcalling.adapters.tenant.graph import graph_gateway_from_settings
from sharedcalling.adapters.tenant.powershell import PowerShellTenantGateway
from sharedcalling.config import ConfigError, Settings, TenantBackend
from sharedcalling.domain.ids import GroupId, TenantId
from sharedcalling.services import Services
from sharedcalling.services.clock import SystemClock
from sharedcalling.services.ports import TenantGateway

logger = logging.getLogger(__name__)

TenantOpener = Callable[[Settings, AsyncEngine, AsyncExitStack], Awaitable[TenantGateway]]
"""Opens a tenant gateway; registers anything it must close on the exit stack."""


async def _open_emulated(
    settings: Settings, engine: AsyncEngine, _stack: AsyncExitStack
) -> TenantGateway:
    # The emulated tenant keeps its state in our database, so demo changes survive restarts.
    return await EmulatedTenantGateway.open(
        SqlTenantStateStore(engine),
        tenant_id=TenantId(settings.tenant_id),
        faults=_faults(settings.emulated_faults),
    )


def _faults(spec: str) -> Faults:
    try:
        return parse_faults(spec)
    except FaultSpecError as error:
        raise ConfigError([f"EMULATED_FAULTS: {error}"]) from error


# --- graph+powershell backend (helper G, issue 4) ---------------------------------------------
async def _open_graph_powershell(
    settings: Settings, _engine: AsyncEngine, stack: AsyncExitStack
) -> TenantGateway:
    # Reads through Graph, policy reads and writes through the pwsh worker; the worker starts on
    # first use and both are closed with the stack (HTTP session, worker process).
    tenant = CompositeTenantGateway(
        graph_gateway_from_settings(settings, correlation_id=correlation.current),
        PowerShellTenantGateway.from_settings(settings),
    )
    stack.push_async_callback(tenant.close)
    return tenant


# --- end graph+powershell backend ----------------------------------------------------------------

TENANT_BACKENDS: dict[TenantBackend, TenantOpener] = {
    TenantBackend.EMULATED: _open_emulated,
    TenantBackend.GRAPH_POWERSHELL: _open_graph_powershell,
}


async def open_tenant(
    settings: Settings, engine: AsyncEngine, stack: AsyncExitStack
) -> TenantGateway:
    """The tenant gateway that `settings.tenant_backend` names."""
    opener = TENANT_BACKENDS.get(settings.tenant_backend)
    if opener is None:
        available = ", ".join(sorted(b.value for b in TENANT_BACKENDS))
        raise ConfigError(
            [
                f"TENANT_BACKEND: {settings.tenant_backend.value} is not available in "
                f"this build; use one of {available}"
            ]
        )
    return await opener(settings, engine, stack)


def _pinger(engine: AsyncEngine) -> Callable[[], Awaitable[None]]:
    async def ping() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return ping


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on DATABASE_URL, migrated to the newest schema, disposed on exit."""
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        yield engine
    finally:
        await engine.dispose()


@asynccontextmanager
async def build_services(settings: Settings) -> AsyncIterator[Services]:
    """Open the database and the tenant backend, bind the use cases, and close it all on exit.

    Usage: `async with build_services(settings) as services: ...`
    """
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_database(settings))
        tenant = await open_tenant(settings, engine, stack)
        logger.info("Services ready (tenant backend %s)", settings.tenant_backend.value)
        yield Services(
            tenant_id=TenantId(settings.tenant_id),
            admin_group_id=GroupId(settings.admin_group_id),
            approver_group_id=GroupId(settings.approver_group_id),
            tenant=tenant,
            bot_state=SqlBotStateStore(engine),
            clock=SystemClock(),
            ping=_pinger(engine),
            uow=SqlUnitOfWorkFactory(engine),
        )


async def reset_emulated_tenant(settings: Settings) -> None:
    """Put the emulated tenant back to its seed (`python -m sharedcalling reset-tenant`)."""
    if settings.tenant_backend is not TenantBackend.EMULATED:
        raise ConfigError(["TENANT_BACKEND: reset-tenant only works with the emulated tenant"])
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_database(settings))
        gateway = await EmulatedTenantGateway.open(
            SqlTenantStateStore(engine), tenant_id=TenantId(settings.tenant_id)
        )
        await gateway.reset()
    logger.info("Emulated tenant %s reset to its seed", settings.tenant_id)
