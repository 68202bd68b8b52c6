"""ApplyDeps: the ports and settings every part of the apply engine shares."""

from __future__ import annotations

from dataclasses import dataclass

from sharedcalling.domain.ids import TenantId
from sharedcalling.services.apply.freeze import FreezeGate
from sharedcalling.services.apply.progress import ProgressReporter
from sharedcalling.services.apply.settings import ApplySettings
from sharedcalling.services.apply.store import ApplyStore
from sharedcalling.services.ports import Clock, TenantGateway
from sharedcalling.services.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True)
class ApplyDeps:
    tenant_id: TenantId
    tenant: TenantGateway
    """The tenant as the engine sees it: paced and retried (PacedTenant)."""
    store: ApplyStore
    uow: UnitOfWorkFactory
    clock: Clock
    reporter: ProgressReporter
    gate: FreezeGate
    settings: ApplySettings
