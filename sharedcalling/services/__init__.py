"""Services: the frozen bundle of ports and bound use cases that the Teams edge holds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sharedcalling.domain.ids import GroupId, TenantId

if TYPE_CHECKING:
    from sharedcalling.domain.access import Principal
    from sharedcalling.domain.requests import ChangeRequest
    from sharedcalling.services.background import PeriodicJob
    from sharedcalling.services.callerid import CallerIdResult
    from sharedcalling.services.export_links import ExportLinkStore
    from sharedcalling.services.notifier import DeferredNotifier
    from sharedcalling.services.ports import BotStateStore, Clock, TenantGateway
    from sharedcalling.services.setup import SetupUseCases
    from sharedcalling.services.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a handler or dialog may call. Built by `sharedcalling.bootstrap` only.

    Use cases are bound here to the ports and settings-derived ids, so that the edge passes
    only what a person said or clicked.
    """

    tenant_id: TenantId
    """The one tenant this bot serves; activities from any other tenant are refused."""
    admin_group_id: GroupId
    approver_group_id: GroupId
    tenant: TenantGateway
    bot_state: BotStateStore
    clock: Clock
    ping: Callable[[], Awaitable[None]]
    """Checks that the database answers; raises when it does not (for /healthz)."""
    uow: UnitOfWorkFactory
    """Opens a unit of work over requests, locks, the audit log and conversation references."""
    notifier: DeferredNotifier
    """Proactive messages; the Teams edge binds it when it starts (unbound: Unreachable)."""
    export_links: ExportLinkStore
    """Single-use download links for plan exports (issue 10)."""
    setup_expiry: timedelta
    """A set-up nobody touched for this long is forgotten (SETUP_EXPIRY_HOURS)."""
    export_link_lifetime: timedelta
    """How long a plan export download link works (EXPORT_LINK_MINUTES)."""

    @property
    def setup(self) -> SetupUseCases:
        """The admin set-up's use cases (issue 10)."""
        from sharedcalling.services.setup import SetupUseCases

        return SetupUseCases(self)

    async def after_submit(self, request: ChangeRequest) -> None:
        """Called right after a request was submitted (PENDING), to announce it at once.

        Announcing must not depend on this call: a background job also finds pending requests
        that were never announced (a process may die between the commit and the call)."""
        return None

    async def after_approved(self, request: ChangeRequest) -> None:
        """Called right after a request reached APPROVED, to start its apply at once; as with
        after_submit, a background job picks up approved requests this call missed."""
        return None

    def background_jobs(self) -> list[PeriodicJob]:
        """What each bot process runs on its own (apply worker, expiry sweep, hazard check)."""
        from sharedcalling.services.background import PeriodicJob
        from sharedcalling.services.export_links import purge_export_links
        from sharedcalling.services.setup.expiry import forget_abandoned_setups

        async def purge_links() -> None:
            await purge_export_links(store=self.export_links, clock=self.clock)

        async def forget_setups() -> None:
            await forget_abandoned_setups(
                store=self.bot_state, clock=self.clock, expiry=self.setup_expiry
            )

        return [
            PeriodicJob("export-link-purge", 3600.0, purge_links, first_delay=60.0),
            PeriodicJob("setup-expiry", 3600.0, forget_setups, first_delay=120.0),
        ]

    async def resolve_principal(self, tenant_id: str, aad_object_id: str) -> Principal:
        """Who is asking, with their roles; NotPermitted for a foreign tenant."""
        # Imported here: the use-case modules import this package's ports, so a top-level import
        # would make every `import sharedcalling.services.ports` load every use case first.
        from sharedcalling.services import identity

        return await identity.resolve_principal(
            TenantId(tenant_id),
            aad_object_id,
            tenant=self.tenant,
            admin_group_id=self.admin_group_id,
            approver_group_id=self.approver_group_id,
        )

    async def explain_caller_id(
        self, asker: Principal, subject_query: str | None = None
    ) -> CallerIdResult:
        """Which number `asker` (or the person `subject_query` names) calls out as."""
        from sharedcalling.services import callerid

        return await callerid.explain_caller_id(asker, subject_query, tenant=self.tenant)
