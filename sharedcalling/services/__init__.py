"""Services: the frozen bundle of ports and bound use cases that the Teams edge holds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharedcalling.domain.ids import GroupId, RequestId, TenantId

if TYPE_CHECKING:
    from sharedcalling.domain.access import Principal
    from sharedcalling.domain.requests import ChangeRequest
    from sharedcalling.services.apply.commands import RetryResult, RevertResult
    from sharedcalling.services.apply.freeze import FreezeState
    from sharedcalling.services.apply.service import ApplyService
    from sharedcalling.services.background import PeriodicJob
    from sharedcalling.services.callerid import CallerIdResult
    from sharedcalling.services.notifier import DeferredNotifier
    from sharedcalling.services.ports import BotStateStore, Clock, TenantGateway
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
    apply: ApplyService
    """The apply engine: jobs, their worker, retry, revert and the change freeze (issue 12)."""

    async def after_submit(self, request: ChangeRequest) -> None:
        """Called right after a request was submitted (PENDING), to announce it at once.

        Announcing must not depend on this call: a background job also finds pending requests
        that were never announced (a process may die between the commit and the call)."""
        return None

    async def after_approved(self, request: ChangeRequest) -> None:
        """Called right after a request reached APPROVED, to start its apply at once; as with
        after_submit, a background job picks up approved requests this call missed."""
        await self.apply.after_approved(request)

    def background_jobs(self) -> list[PeriodicJob]:
        """What each bot process runs on its own (apply worker, expiry sweep, hazard check)."""
        return [*self.apply.background_jobs()]

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
        from sharedcalling.services import callerid

        return await callerid.explain_caller_id(asker, subject_query, tenant=self.tenant)
