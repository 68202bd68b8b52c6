"""Sending request cards and keeping every sent copy up to date in place."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.requests import Actor, ChangeRequest, RequestState
from sharedcalling.services.approvals.roster import read_roster
from sharedcalling.services.approvals.views import Audience, RequestView, Roster, audience_for
from sharedcalling.services.notices import Notice
from sharedcalling.services.notifier import Delivery, OutboundMessage, Unreachable
from sharedcalling.services.ports import TenantError
from sharedcalling.services.unit_of_work import CardCopy, ConversationRef, RecordNotFound

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

APPROVAL, STATUS, CHANNEL = "approval", "status", "channel"
"""Purposes of card copies: an approver's personal card, the requester's, the channel's."""
SYNC_ROUNDS = 3
"""A sync that rendered an older version than the stored one renders again (bounded)."""

STATE_WORDS = {
    RequestState.PENDING: "is waiting for approval",
    RequestState.APPROVED: "is approved",
    RequestState.APPLYING: "is being applied",
    RequestState.APPLIED: "is applied",
    RequestState.PARTIALLY_APPLIED: "is partly applied",
    RequestState.FAILED: "failed",
    RequestState.REJECTED: "was rejected",
    RequestState.EXPIRED: "expired",
    RequestState.CANCELLED: "was cancelled",
    RequestState.STALE: "is stale: the tenant changed",
}


def headline(request: ChangeRequest) -> str:
    """One line: what the request is and where it stands."""
    return f"Request {request.id} from {request.requester_name} {STATE_WORDS[request.state]}."


def viewer_of_copy(request: ChangeRequest, copy: CardCopy, roster: Roster) -> Actor:
    """Whom a stored copy is for; a channel copy is for nobody in particular (status view)."""
    if copy.purpose == STATUS:
        return Actor(request.tenant_id, request.requester_id, request.requester_name)
    if copy.purpose == APPROVAL and copy.recipient_id is not None:
        return Actor(
            request.tenant_id,
            copy.recipient_id,
            roster.name_of(copy.recipient_id),
            is_approver=roster.is_approver(copy.recipient_id),
        )
    return Actor(request.tenant_id, UserId(""), "")


def view_for(
    services: Services,
    request: ChangeRequest,
    viewer: Actor,
    roster: Roster,
    *,
    page: int = 0,
    notice: Notice | None = None,
) -> RequestView:
    audience = audience_for(request, viewer, roster) if viewer.id else Audience.STATUS
    return RequestView(request, audience, roster, services.approval_policy, page, notice)


def message_of(services: Services, view: RequestView, text: str | None = None) -> OutboundMessage:
    """The one-line text and, once the edge bound a renderer, the card."""
    render = services.approval.render
    card = render(view) if render is not None else None
    return OutboundMessage(text or headline(view.request), card)


async def send_copy(
    services: Services,
    view: RequestView,
    *,
    purpose: str,
    recipient: UserId | None = None,
    conversation: ConversationRef | None = None,
    text: str | None = None,
) -> Delivery:
    """Send the card to a person's personal chat or a conversation and record the copy.

    Raises Unreachable when there is no way to that person or conversation."""
    message = message_of(services, view, text)
    if conversation is not None:
        delivery = await services.notifier.send_to_conversation(conversation, message)
    elif recipient is not None:
        delivery = await services.notifier.send_to_user(services.tenant_id, recipient, message)
    else:
        raise ValueError("send_copy needs a recipient or a conversation")
    copy = CardCopy(
        view.request.id,
        delivery.conversation_id,
        delivery.activity_id,
        purpose,
        recipient,
        services.clock.now(),
        rendered_version=view.request.version,
    )
    async with services.uow() as work:
        await work.card_copies.add(copy)
        await work.commit()
    return delivery


async def sync_copies(services: Services, request_id: RequestId) -> int:
    """Update every copy of the request's card in place with its current state; returns how
    many updates went out. A copy that cannot be reached any more is skipped (and logged)."""
    updated = 0
    rendered_version = -1
    for _ in range(SYNC_ROUNDS):
        try:
            async with services.uow() as work:
                request = await work.requests.get(services.tenant_id, request_id)
                copies = await work.card_copies.of_request(request_id)
        except RecordNotFound:
            return updated
        if request.version == rendered_version:
            return updated
        rendered_version = request.version
        try:
            roster = await read_roster(services)
        except TenantError:
            roster = Roster("the approver group", known=False)
        for copy in copies:
            if copy.updatable:
                updated += await update_copy(services, request, copy, roster)
    return updated


async def update_copy(
    services: Services, request: ChangeRequest, copy: CardCopy, roster: Roster
) -> int:
    """Update one copy in place with the request's current view; 1 when it went out.

    The version shown, or the failure, is recorded on the copy: what a dying process or a
    connector error leaves behind, the `approval.resync` job finds and updates later."""
    view = view_for(services, request, viewer_of_copy(request, copy, roster), roster)
    try:
        await services.notifier.update(
            services.tenant_id,
            Delivery(copy.conversation_id, copy.activity_id),
            message_of(services, view),
        )
    except Unreachable as gone:
        logger.info("Card copy of %s in %s not updated: %s", request.id, copy.conversation_id, gone)
        await _record(services, copy, None)
        return 0
    except Exception:  # one copy's failure (a connector 5xx) must not stop the others
        logger.warning("Card copy of %s could not be updated", request.id, exc_info=True)
        await _record(services, copy, None)
        return 0
    await _record(services, copy, request.version)
    return 1


async def _record(services: Services, copy: CardCopy, version: int | None) -> None:
    """Best effort: a copy recorded as behind is only updated once more, which is harmless."""
    try:
        async with services.uow() as work:
            if version is None:
                await work.card_copies.failed(copy)
            else:
                await work.card_copies.rendered(copy, version)
            await work.commit()
    except Exception:  # the card itself went out (or not); the bookkeeping may lag
        logger.warning("Could not record the card copy of %s", copy.request_id, exc_info=True)
