"""Read models for the commands: my requests, pending approvals, show request <id>."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharedcalling.domain.names import same
from sharedcalling.domain.requests import Actor, ChangeRequest, RequestState
from sharedcalling.services.approvals import copies
from sharedcalling.services.approvals.roster import read_roster
from sharedcalling.services.approvals.views import RequestView, may_view
from sharedcalling.services.notices import Notice
from sharedcalling.services.requests import find_requests
from sharedcalling.services.unit_of_work import RecordNotFound

if TYPE_CHECKING:
    from sharedcalling.domain.ids import RequestId
    from sharedcalling.services import Services

LISTED = 20
"""Requests a list shows; the newest first."""


@dataclass(frozen=True, slots=True)
class RequestList:
    title: str
    requests: tuple[ChangeRequest, ...]
    empty_text: str
    more: bool = False


async def my_requests(services: Services, actor: Actor) -> RequestList:
    found = await find_requests(
        services.tenant_id, uow=services.uow, requester_id=actor.id, limit=LISTED + 1
    )
    return RequestList(
        "Your requests", tuple(found[:LISTED]), "You have not submitted any requests.",
        more=len(found) > LISTED,
    )  # fmt: skip


async def pending_approvals(services: Services, actor: Actor) -> RequestList:
    """Pending requests this person may decide now (approver, not theirs, not decided)."""
    roster = await read_roster(services)
    approver = actor.is_approver and roster.is_approver(actor.id)
    if not (approver or (actor.is_admin and roster.is_admin(actor.id))):
        return RequestList("Pending approvals", (), "Only approvers have approvals to give.")
    waiting = []
    for offset in range(0, 500, 100):
        batch = await find_requests(
            services.tenant_id, uow=services.uow, states=[RequestState.PENDING],
            limit=100, offset=offset,
        )  # fmt: skip
        waiting += [r for r in batch if _waits_for(r, actor, roster.eligible(r))]
        if len(batch) < 100 or len(waiting) > LISTED:
            break
    return RequestList(
        "Waiting for your decision", tuple(waiting[:LISTED]),
        "Nothing waits for your decision.", more=len(waiting) > LISTED,
    )  # fmt: skip


def _waits_for(request: ChangeRequest, actor: Actor, eligible: tuple[str, ...]) -> bool:
    return any(same(a, actor.id) for a in eligible) and request.decided_by(actor.id) is None


async def current_request(services: Services, request_id: RequestId) -> ChangeRequest:
    """The stored request, parsed once per version per process: a card refresh reads only the
    version column when the request did not change (RecordNotFound when it does not exist)."""
    runtime = services.approval
    async with services.uow() as work:
        version = await work.requests.version(services.tenant_id, request_id)
        cached = runtime.cached_request(request_id, version)
        if cached is not None:
            return cached
        request = await work.requests.get(services.tenant_id, request_id)
    runtime.keep_request(request)
    return request


async def request_view(
    services: Services,
    actor: Actor,
    request_id: RequestId,
    *,
    page: int = 0,
    notice: Notice | None = None,
) -> RequestView | None:
    """The request as `actor` may see it; None when it does not exist or is not theirs to see
    (the two answers are the same, so nobody learns that an id exists)."""
    try:
        request = await current_request(services, request_id)
    except RecordNotFound:
        return None
    roster = await read_roster(services)
    if not may_view(request, actor, roster):
        return None
    return copies.view_for(services, request, actor, roster, page=page, notice=notice)
