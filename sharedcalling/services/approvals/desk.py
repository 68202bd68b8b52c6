"""ApprovalDesk: the approval use cases bound to Services, taking what the edge knows.

The actor always comes from the turn's principal (the activity's object id and tenant, roles
from the tenant); card data contribute only a request id, a fingerprint, a page and a reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharedcalling.domain.access import Principal
from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.requests import Actor, RequestEvent
from sharedcalling.services.approvals import announce, decisions, install, queries, replan
from sharedcalling.services.approvals.background import approval_jobs
from sharedcalling.services.approvals.refusals import audit_refusal, bounded
from sharedcalling.services.approvals.views import RequestView
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.requests import actor_of, normalize_request_id

if TYPE_CHECKING:
    from sharedcalling.domain.requests import ChangeRequest
    from sharedcalling.services import Services
    from sharedcalling.services.background import PeriodicJob

logger = logging.getLogger(__name__)

MAX_REASON = 1000
"""Characters of a rejection reason that are kept."""


def forged_text() -> str:
    return "That card action is not valid. Open the request again with \u201cmy requests\u201d."


@dataclass(frozen=True, slots=True)
class ApprovalDesk:
    services: Services

    async def decide(
        self,
        principal: Principal,
        request_id: object,
        event: RequestEvent,
        *,
        fingerprint: object,
        reason: object = "",
    ) -> decisions.ActionResult:
        actor = actor_of(principal)
        rid = _request_id(request_id)
        card_fingerprint = fingerprint if isinstance(fingerprint, str) else None
        if rid is None:
            return await self._forged(actor, event.value, request_id)
        text = reason.strip()[:MAX_REASON] if isinstance(reason, str) else ""
        return await decisions.decide(
            self.services, actor, rid, event, fingerprint=card_fingerprint, reason=text
        )

    async def replan(self, principal: Principal, request_id: object) -> decisions.ActionResult:
        actor = actor_of(principal)
        rid = _request_id(request_id)
        if rid is None:
            return await self._forged(actor, replan.REPLAN_EVENT, request_id)
        return await replan.replan(self.services, actor, rid)

    async def install(self, principal: Principal, request_id: object) -> decisions.ActionResult:
        actor = actor_of(principal)
        rid = _request_id(request_id)
        if rid is None:
            return await self._forged(actor, install.INSTALL_EVENT, request_id)
        return await install.install_for_unreachable(self.services, actor, rid)

    async def view(
        self,
        principal: Principal,
        request_id: object,
        *,
        page: int = 0,
        notice: Notice | None = None,
    ) -> RequestView | None:
        rid = _request_id(request_id)
        if rid is None:
            return None
        return await queries.request_view(
            self.services, actor_of(principal), rid, page=page, notice=notice
        )

    async def my_requests(self, principal: Principal) -> queries.RequestList:
        return await queries.my_requests(self.services, actor_of(principal))

    async def pending_approvals(self, principal: Principal) -> queries.RequestList:
        return await queries.pending_approvals(self.services, actor_of(principal))

    async def refuse_action(self, principal: Principal, verb: object, data: object) -> str:
        """An action id of ours that no handler knows: forged or from a newer card."""
        request_id = data.get("requestId") if isinstance(data, dict) else None
        await self._forged(actor_of(principal), bounded(verb), request_id)
        return forged_text()

    async def refuse_foreign(self, tenant_id: object, object_id: object, verb: object) -> None:
        """An action from another tenant: refused before anyone is looked up; audited here."""
        actor = Actor(self.services.tenant_id, _user(object_id), "someone in another tenant")
        await audit_refusal(
            self.services, actor, event=bounded(verb), code="other_tenant",
            message="An action from another tenant was refused.",
            details={"tenant_id": bounded(tenant_id)},
        )  # fmt: skip

    async def announce(self, request: ChangeRequest) -> None:
        """Announce at once; a failure is logged only: the request is committed, and the
        `approval.announce` job sends whatever this left out."""
        try:
            await announce.announce(self.services, request)
        except Exception:  # the outbox job retries; the submitter's turn must not fail
            logger.warning(
                "Announcing %s failed; the next round retries", request.id, exc_info=True
            )

    def jobs(self) -> list[PeriodicJob]:
        return approval_jobs(self.services)

    async def _forged(self, actor: Actor, event: str, request_id: object) -> decisions.ActionResult:
        await audit_refusal(
            self.services, actor, event=event, code="forged_action", message=forged_text(),
            request_id=bounded(request_id) if request_id is not None else None,
        )  # fmt: skip
        return decisions.ActionResult(None, Notice(forged_text(), Tone.ATTENTION))


def _request_id(value: object) -> RequestId | None:
    return normalize_request_id(value) if isinstance(value, str) and len(value) < 40 else None


def _user(value: object) -> UserId:
    return UserId(bounded(value) if value else "unknown")
