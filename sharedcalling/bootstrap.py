"""The one place that chooses adapters from settings and binds them into Services."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling import correlation
from sharedcalling.adapters.store.apply_store import SqlApplyStore
from sharedcalling.adapters.store.bot_state import SqlBotStateStore
from sharedcalling.adapters.store.engine import make_engine, migrate
from sharedcalling.adapters.store.export_links_repo import SqlExportLinkStore
from sharedcalling.adapters.store.tenant_state import SqlTenantStateStore
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.adapters.tenant.composite import CompositeTenantGateway
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_faults import Faults, FaultSpecError, parse_faults
from sharedcalling.adapters.tenant.emulated_install import EmulatedAppInstaller
from sharedcalling.adapters.tenant.emulated_seed import (
    TenantFileError,
    UnknownSeed,
    is_seed_file,
    seed_tenant_id,
)
from sharedcalling.adapters.tenant.emulated_tenant_export import tenant_file_text
from sharedcalling.adapters.tenant.graph import GraphTenantGateway
from sharedcalling.adapters.tenant.graph_auth import ClientCertificate, MsalTokenProvider
from sharedcalling.adapters.tenant.graph_http import GraphClient
from sharedcalling.adapters.tenant.graph_install import PERMISSION as INSTALL_PERMISSION
from sharedcalling.adapters.tenant.graph_install import GraphAppInstaller
from sharedcalling.adapters.tenant.powershell import PowerShellTenantGateway
from sharedcalling.adapters.tenant.powershell_worker import PowerShellWorker, pwsh_launcher
from sharedcalling.config import ConfigError, Settings, TenantBackend
from sharedcalling.domain import names
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import GroupId, TenantId
from sharedcalling.services import Services
from sharedcalling.services.apply.settings import ApplySettings
from sharedcalling.services.apply.wiring import build_apply
from sharedcalling.services.approvals.policy import ApprovalPolicy
from sharedcalling.services.approvals.runtime import ApprovalRuntime, NoAppInstaller
from sharedcalling.services.clock import SystemClock
from sharedcalling.services.hazards.presenter import HazardSettings, HazardWatch
from sharedcalling.services.notifier import DeferredNotifier
from sharedcalling.services.ports import SnapshotScope, TenantGateway
from sharedcalling.services.selfservice.offer import SelfServiceOffer

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
        seed=checked_seed(settings),
        faults=_faults(settings.emulated_faults),
    )


def checked_seed(settings: Settings) -> str:
    """EMULATED_SEED, checked before anything is written: a known seed, or a readable, valid
    tenant file for the configured TENANT_ID."""
    seed = settings.emulated_seed
    try:
        tenant_id = seed_tenant_id(seed)
    except (UnknownSeed, TenantFileError) as error:
        raise ConfigError([f"EMULATED_SEED: {error}"]) from None
    if is_seed_file(seed) and not names.same(tenant_id, settings.tenant_id):
        raise ConfigError(
            [
                f"EMULATED_SEED: tenant file {seed}: tenant_id: is {tenant_id}, but TENANT_ID "
                f"is {settings.tenant_id}; set TENANT_ID={tenant_id} to use this file"
            ]
        )
    return seed


def _faults(spec: str) -> Faults:
    try:
        return parse_faults(spec)
    except FaultSpecError as error:
        raise ConfigError([f"EMULATED_FAULTS: {error}"]) from error


# --- graph+powershell backend (helper G, issue 4) ---------------------------------------------
def graph_gateway_from_settings(
    settings: Settings, *, correlation_id: Callable[[], str | None] | None = None
) -> GraphTenantGateway:
    """The Graph gateway the settings describe: the client secret if one is set, else the
    certificate; base URL and authority; the admin and approver groups always read into
    snapshots."""
    secret = settings.graph_client_secret.get_secret_value() or None
    certificate = None
    if secret is None and settings.graph_certificate_path is not None:
        certificate = ClientCertificate.from_file(
            settings.graph_certificate_path, settings.graph_certificate_thumbprint
        )
    tokens = MsalTokenProvider(
        authority_host=settings.authority_host,
        tenant_id=settings.tenant_id,
        client_id=settings.graph_client_id,
        scope=f"{settings.graph_base_url}/.default",
        client_secret=None if certificate else secret,
        certificate=certificate,
    )
    client = GraphClient(settings.graph_base_url, tokens, correlation_id=correlation_id)
    return GraphTenantGateway(
        client,
        settings.tenant_id,
        group_ids=(settings.admin_group_id, settings.approver_group_id),
    )


def worker_environment(settings: Settings) -> dict[str, str]:
    """What worker.ps1 reads to connect; secrets stay out of argv and out of the protocol."""
    env = {
        "SC_TEAMS_APP_ID": settings.graph_client_id,
        "SC_TEAMS_TENANT_ID": settings.tenant_id,
    }
    if settings.graph_certificate_path is not None:
        env["SC_TEAMS_CERTIFICATE_PATH"] = str(settings.graph_certificate_path)
    if settings.graph_certificate_thumbprint:
        env["SC_TEAMS_CERTIFICATE_THUMBPRINT"] = settings.graph_certificate_thumbprint
    return env


def powershell_gateway_from_settings(settings: Settings) -> PowerShellTenantGateway:
    launch = pwsh_launcher(settings.pwsh_path, worker_environment(settings))
    worker = PowerShellWorker(
        launch,
        call_timeout=settings.powershell_timeout_seconds,
        start_timeout=max(settings.powershell_timeout_seconds, 60.0),
    )
    return PowerShellTenantGateway(worker, TenantId(settings.tenant_id))


async def _open_graph_powershell(
    settings: Settings, _engine: AsyncEngine, stack: AsyncExitStack
) -> TenantGateway:
    # Reads through Graph, policy reads and writes through the pwsh worker; the worker starts on
    # first use and both are closed with the stack (HTTP session, worker process).
    tenant = CompositeTenantGateway(
        graph_gateway_from_settings(settings, correlation_id=correlation.current),
        powershell_gateway_from_settings(settings),
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
    if settings.tenant_backend is TenantBackend.EMULATED:
        checked_seed(settings)  # a bad tenant file is refused before the database is touched
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_database(settings))
        tenant = await open_tenant(settings, engine, stack)
        clock, uow, notifier = SystemClock(), SqlUnitOfWorkFactory(engine), DeferredNotifier()
        apply = build_apply(
            apply_settings(settings),
            tenant_id=TenantId(settings.tenant_id),
            tenant=tenant,
            store=SqlApplyStore(engine),
            uow=uow,
            clock=clock,
            notifier=notifier,
        )
        stack.push_async_callback(apply.stop)  # before the engine and the tenant close
        logger.info("Services ready (tenant backend %s)", settings.tenant_backend.value)
        yield Services(
            tenant_id=TenantId(settings.tenant_id),
            admin_group_id=GroupId(settings.admin_group_id),
            approver_group_id=GroupId(settings.approver_group_id),
            tenant=tenant,
            bot_state=SqlBotStateStore(engine),
            clock=clock,
            ping=_pinger(engine),
            uow=uow,
            notifier=notifier,
            apply=apply,
            approval_policy=approval_policy(settings),
            approval=_approval_runtime(settings, tenant),
            public_url=settings.bot_url,
            hazards=HazardWatch(hazard_settings(settings)),
            self_service=self_service_offer(settings),
            export_links=SqlExportLinkStore(engine),
            setup_expiry=timedelta(hours=settings.setup_expiry_hours),
            export_link_lifetime=timedelta(minutes=settings.export_link_minutes),
        )


def self_service_offer(settings: Settings) -> SelfServiceOffer:
    return SelfServiceOffer(
        resource_account=settings.self_service_resource_account.strip(),
        policy_name=settings.self_service_policy.strip(),
        group_ids=tuple(GroupId(g) for g in settings.self_service_groups),
        max_requests=settings.self_service_max_requests,
        window=timedelta(hours=settings.self_service_window_hours),
        acknowledged=frozenset(settings.self_service_codes),
    )


def approval_policy(settings: Settings) -> ApprovalPolicy:
    return ApprovalPolicy(
        required_approvals=settings.approvals_required,
        expiry=timedelta(hours=settings.approval_expiry_hours),
        reminder_before=timedelta(hours=settings.approval_reminder_hours),
        channel_id=settings.approvals_channel_id.strip(),
    )


def _approval_runtime(settings: Settings, tenant: TenantGateway) -> ApprovalRuntime:
    """Who can install the app for approvers the bot cannot reach: the emulated tenant, or
    Graph when the app's catalog id is configured; otherwise the bot says how to do it by hand."""
    if settings.tenant_backend is TenantBackend.EMULATED:
        return ApprovalRuntime(installer=EmulatedAppInstaller())
    graph = getattr(tenant, "graph", None)
    if settings.teams_app_catalog_id and isinstance(graph, GraphTenantGateway):
        return ApprovalRuntime(
            installer=GraphAppInstaller(graph.client, settings.teams_app_catalog_id)
        )
    return ApprovalRuntime(
        installer=NoAppInstaller(
            NoAppInstaller.REASON + " (To let admins do it from here, set TEAMS_APP_CATALOG_ID "
            f"and grant the bot's app registration {INSTALL_PERMISSION}.)"
        )
    )


def hazard_settings(settings: Settings) -> HazardSettings:
    return HazardSettings(
        interval=settings.hazard_check_interval,
        remind_after=settings.hazard_reminder_after or None,
        channel_id=settings.hazard_channel_id.strip() or None,
        notify_users=settings.hazard_notify_users,
    )


def apply_settings(settings: Settings) -> ApplySettings:
    """The apply engine's settings from the APPLY_* variables."""
    return ApplySettings(
        concurrency=settings.apply_concurrency,
        calls_per_second=settings.apply_calls_per_second or None,
        retry_wait_seconds=settings.apply_retry_budget_seconds,
        lease_seconds=settings.apply_lease_seconds,
        poll_seconds=settings.apply_poll_seconds,
        max_jobs=settings.apply_max_jobs,
        progress_interval_seconds=settings.apply_progress_interval_seconds,
        group_reverify_seconds=settings.apply_group_reverify_seconds,
        group_verify_hours=settings.apply_group_verify_hours,
    )


async def reset_emulated_tenant(settings: Settings) -> None:
    """Put the emulated tenant back to its seed (`python -m sharedcalling reset-tenant`)."""
    if settings.tenant_backend is not TenantBackend.EMULATED:
        raise ConfigError(["TENANT_BACKEND: reset-tenant only works with the emulated tenant"])
    seed = checked_seed(settings)
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_database(settings))
        gateway = await EmulatedTenantGateway.open(
            SqlTenantStateStore(engine), tenant_id=TenantId(settings.tenant_id), seed=seed
        )
        await gateway.reset()
    logger.info("Emulated tenant %s reset to its seed", settings.tenant_id)


async def export_tenant(settings: Settings, out: Path) -> int:
    """Write the configured backend's tenant to `out` as a tenant file; returns the accounts.

    Reads through the TenantGateway port only, so it works for every backend. The file is
    written whole or not at all (a temporary file beside it, then renamed).
    """
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(f"Cannot write the tenant file {out}: folder {folder} does not exist.")
    async with build_services(settings) as services:
        snapshot = await services.tenant.snapshot(SnapshotScope(all_users=True))
        text = tenant_file_text(services.tenant.tenant_id, snapshot)
    temporary = out.with_name(f".{out.name}.partial")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InvalidInput(f"Cannot write the tenant file {out}: {error.strerror}.") from None
    return len(snapshot.users)
