"""Services: the frozen bundle of ports and bound use cases that the Teams edge holds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sharedcalling.domain.ids import GroupId, RequestId, TenantId
from sharedcalling.services.approvals.policy import ApprovalPolicy
from sharedcalling.services.approvals.runtime import ApprovalRuntime
from sharedcalling.services.hazards.presenter import HazardWatch
from sharedcalling.services.selfservice.offer import SelfServiceOffer

if TYPE_CHECKING:
    from sharedcalling.domain.access import Principal
    from sharedcalling.domain.requests import ChangeRequest
    from sharedcalling.services.apply.commands import RetryResult, RevertResult
    from sharedcalling.services.apply.freeze import FreezeState
    from sharedcalling.services.apply.service import ApplyService
    from sharedcalling.services.approvals.desk import ApprovalDesk
    from sharedcalling.services.background import PeriodicJob
    from sharedcalling.services.callerid import CallerIdResult
    from sharedcalling.services.export_links import ExportLinkStore
    from sharedcalling.services.hazards.check import CheckOutcome, WatchPorts
    from sharedcalling.services.hazards.fix import FixResult
    from sharedcalling.services.hazards.queries import HazardPage
    from sharedcalling.services.notifier import DeferredNotifier
    from sharedcalling.services.ports import BotStateStore, Clock, TenantGateway
    from sharedcalling.services.selfservice.usecases import SelfServiceUseCases
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

    apply: ApplyService
    """The apply engine: jobs, their worker, retry, revert and the change freeze (issue 12)."""

    approval_policy: ApprovalPolicy = field(default_factory=ApprovalPolicy)
    approval: ApprovalRuntime = field(default_factory=ApprovalRuntime)
    """The card renderer the edge binds, the approver roster cache, the app installer."""
    public_url: str = "http://127.0.0.1:3978"
    """Where people reach the bot's own endpoints (download links of exports)."""

    hazards: HazardWatch = field(default_factory=HazardWatch)
    """The hazard watch's settings and presenter (the edge binds one that renders cards)."""

    self_service: SelfServiceOffer = field(default_factory=SelfServiceOffer)
    """What people may request for themselves (issue 15); off by default."""

    @property
    def approvals(self) -> ApprovalDesk:
        """The approval workflow's use cases (issue 11)."""
        from sharedcalling.services.approvals.desk import ApprovalDesk

        return ApprovalDesk(self)

    @property
    def setup(self) -> SetupUseCases:
        """The admin set-up's use cases (issue 10)."""
        from sharedcalling.services.setup import SetupUseCases

        return SetupUseCases(self)

    @property
    def selfservice(self) -> SelfServiceUseCases:
        """Requesting Shared Calling for oneself (issue 15)."""
        from sharedcalling.services.selfservice.usecases import SelfServiceUseCases

        return SelfServiceUseCases(self)

    async def after_submit(self, request: ChangeRequest) -> None:
        """Called right after a request was submitted (PENDING), to announce it at once.

        Announcing does not depend on this call: the `approval.announce` job also finds pending
        requests that were never announced (a process may die between the commit and the call)."""
        await self.approvals.announce(request)

    async def after_approved(self, request: ChangeRequest) -> None:
        """Called right after a request reached APPROVED, to start its apply at once; as with
        after_submit, a background job picks up approved requests this call missed."""
        await self.apply.after_approved(request)

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
            *self.approvals.jobs(),
            *self.apply.background_jobs(),
            self._hazard_job(),
            PeriodicJob("export-link-purge", 3600.0, purge_links, first_delay=60.0),
            PeriodicJob("setup-expiry", 3600.0, forget_setups, first_delay=120.0),
        ]

    async def request_counts(self) -> dict[str, int]:
        """Requests of this tenant by state (every state, zero when none), for /metrics."""
        from sharedcalling.services import requests

        return await requests.request_counts(self.tenant_id, uow=self.uow)

    async def job_counts(self) -> dict[str, int]:
        """Apply jobs of this tenant by state (every state, zero when none), for /metrics."""
        from sharedcalling.domain.apply import JobState

        counts = await self.apply.deps.store.count_by_state(self.tenant_id)
        return {state.value: counts.get(state, 0) for state in JobState}

    def _hazard_job(self) -> PeriodicJob:
        """Every replica polls (at most every minute); the lease and the last check's time
        make one of them check once per HAZARD_CHECK_INTERVAL."""
        from sharedcalling.services.background import PeriodicJob
        from sharedcalling.services.hazards.check import run_scheduled

        interval = self.hazards.settings.interval
        ports = self.hazard_ports()

        async def run() -> None:
            await run_scheduled(ports)

        return PeriodicJob(
            "hazard-check", min(interval, 60.0), run, first_delay=min(interval, 30.0)
        )

    def hazard_ports(self) -> WatchPorts:
        from sharedcalling.services.hazards.check import WatchPorts

        return WatchPorts(
            tenant_id=self.tenant_id,
            tenant=self.tenant,
            uow=self.uow,
            clock=self.clock,
            notifier=self.notifier,
            watch=self.hazards,
            admin_group_id=self.admin_group_id,
            apply_store=self.apply.deps.store,
        )

    async def check_hazards(self, asker: Principal, *, trigger: str = "command") -> CheckOutcome:
        """Run the hazard check now, for "check now": admins only (NotPermitted); `ran` is
        False while another replica checks."""
        from sharedcalling.services.hazards.check import run_check
        from sharedcalling.services.hazards.queries import require_admin

        require_admin(asker, self.tenant_id)
        return await run_check(self.hazard_ports(), trigger=trigger)

    async def hazard_page(self, asker: Principal, page: int = 0) -> HazardPage:
        """The open hazards, for "hazards": severity first, a page at a time; admins only."""
        from sharedcalling.services.hazards.queries import hazard_page

        return await hazard_page(asker, page, tenant_id=self.tenant_id, uow=self.uow)

    async def plan_hazard_fix(self, asker: Principal, hazard_id: str) -> FixResult:
        """For "Plan a fix": a FIX request from the current state, submitted for approval."""
        from sharedcalling.services.hazards.fix import plan_fix

        return await plan_fix(self.hazard_ports(), asker, hazard_id, after_submit=self.after_submit)

    async def retry_failed(self, asker: Principal, request_id: RequestId) -> RetryResult:
        """Re-run a request's failed changes, or send what is still needed for approval."""
        from sharedcalling.services.requests import actor_of

        result = await self.apply.retry_failed(actor_of(asker), request_id)
        if result.new_request is not None:
            await self.after_submit(result.new_request)
        return result

    async def revert_request(self, asker: Principal, request_id: RequestId) -> RevertResult:
        """Submit the revert of an applied request for approval."""
        from sharedcalling.services.requests import actor_of

        result = await self.apply.revert(actor_of(asker), request_id)
        await self.after_submit(result.request)
        return result

    async def freeze_applies(self, asker: Principal, reason: str = "") -> FreezeState:
        """The change freeze: every apply stops at its next change boundary (admins)."""
        from sharedcalling.services.requests import actor_of

        return await self.apply.freeze(actor_of(asker), reason)

    async def resume_applies(self, asker: Principal) -> FreezeState:
        from sharedcalling.services.requests import actor_of

        return await self.apply.resume(actor_of(asker))

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
        from sharedcalling.services import admin_alerts, callerid

        result = await callerid.explain_caller_id(asker, subject_query, tenant=self.tenant)
        return await admin_alerts.with_admins_told(self, result)
