"""build_apply(): the apply engine bound to its ports, for bootstrap and tests."""

from __future__ import annotations

from sharedcalling.domain.ids import TenantId
from sharedcalling.services.apply.deps import ApplyDeps
from sharedcalling.services.apply.freeze import FreezeGate
from sharedcalling.services.apply.paced_tenant import PacedTenant
from sharedcalling.services.apply.pacing import RetryBudget, TenantPacer
from sharedcalling.services.apply.progress import DeferredPresenter, ProgressReporter
from sharedcalling.services.apply.service import ApplyService
from sharedcalling.services.apply.settings import ApplySettings
from sharedcalling.services.apply.store import ApplyStore
from sharedcalling.services.apply.worker import ApplyWorker
from sharedcalling.services.notifier import Notifier
from sharedcalling.services.ports import Clock, TenantGateway
from sharedcalling.services.unit_of_work import UnitOfWorkFactory


def build_apply(
    settings: ApplySettings,
    *,
    tenant_id: TenantId,
    tenant: TenantGateway,
    store: ApplyStore,
    uow: UnitOfWorkFactory,
    clock: Clock,
    notifier: Notifier,
    presenter: DeferredPresenter | None = None,
    worker_id: str | None = None,
) -> ApplyService:
    """One pacer per process and tenant: every job of this process shares its concurrency."""
    budget = RetryBudget(attempts=settings.retry_attempts, wait_seconds=settings.retry_wait_seconds)
    pacer = TenantPacer(settings.concurrency, settings.calls_per_second, budget)
    presenter = presenter or DeferredPresenter()
    reporter = ProgressReporter(
        notifier, presenter, uow, clock, interval=settings.progress_interval_seconds
    )
    deps = ApplyDeps(
        tenant_id=tenant_id,
        tenant=PacedTenant(tenant, tenant, pacer),
        store=store,
        uow=uow,
        clock=clock,
        reporter=reporter,
        gate=FreezeGate(store, tenant_id),
        settings=settings,
    )
    return ApplyService(deps, ApplyWorker(deps, worker_id), presenter)
