"""Announcing a pending request: a card to every eligible approver's personal chat, a copy to
the approvals channel, a status card to the requester, and who could not be reached.

Idempotent and durable: it sends only what no recorded copy covers yet, under a short lease, so
`after_submit` and the background job (which finds what a crash left unannounced) never race.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.requests import Actor, ChangeRequest, RequestKind, RequestState
from sharedcalling.services.approvals import copies, leases
from sharedcalling.services.approvals.roster import read_roster
from sharedcalling.services.approvals.runtime import NoAppInstaller
from sharedcalling.services.approvals.views import Roster
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.notifier import Unreachable
from sharedcalling.services.unit_of_work import CardCopy

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

ANNOUNCE_LEASE_SECONDS = 120.0
"""How long one announcer holds a request; a crashed one's work is taken over after this."""


@dataclass(frozen=True, slots=True)
class Announcement:
    sent_to: tuple[UserId, ...] = ()
    unreachable: tuple[UserId, ...] = ()
    channel: bool = False
    problems: tuple[str, ...] = field(default_factory=tuple)


async def announce(
    services: Services, request: ChangeRequest, *, fresh_roster: bool = True
) -> Announcement | None:
    """Send what is missing for a PENDING request; None when another announcer holds it."""
    if request.state is not RequestState.PENDING:
        return None
    key = f"approval.announce:{request.id}"
    if not await leases.claim(services, key, remind_after=ANNOUNCE_LEASE_SECONDS):
        return None
    try:
        return await _announce(services, request, fresh_roster)
    finally:
        await leases.release(services, key)


async def _announce(services: Services, request: ChangeRequest, fresh: bool) -> Announcement:
    roster = await read_roster(services, fresh=fresh)
    async with services.uow() as work:
        sent = await work.card_copies.of_request(request.id)
    have = {fold(c.recipient_id) for c in sent if c.purpose == copies.APPROVAL and c.recipient_id}
    reached: list[UserId] = []
    unreachable: list[UserId] = []
    for approver in roster.eligible(request):
        if fold(approver) in have:
            continue
        sent_now = await _send_approval(services, request, roster, approver)
        if sent_now is True:
            reached.append(approver)
        elif sent_now is False:
            unreachable.append(approver)
    found = await _channel(services, request, roster, sent)
    if not roster.eligible(request):
        found.append(
            f"Nobody can approve it: {roster.group_name} has no member other than the "
            "requester. Ask an admin to add approvers."
        )
    newly = [u for u in unreachable if await _first_report(services, request, fold(u))]
    problems = [p for p in found if await _first_report(services, request, p[:40])]
    await _requester_card(services, request, roster, sent, newly, problems)
    logger.info(
        "Request %s announced to %d approvers, %d unreachable", request.id, len(reached),
        len(unreachable),
    )  # fmt: skip
    return Announcement(tuple(reached), tuple(unreachable), not found, tuple(found))


async def _send_approval(
    services: Services, request: ChangeRequest, roster: Roster, approver: UserId
) -> bool | None:
    """True sent, False unreachable (no personal chat), None failed for now (the next round
    tries again; nobody is told of a passing failure)."""
    viewer = Actor(
        request.tenant_id, approver, roster.name_of(approver),
        is_admin=roster.is_admin(approver), is_approver=roster.is_approver(approver),
    )  # fmt: skip
    view = copies.view_for(services, request, viewer, roster)
    text = f"Approval needed: request {request.id} from {request.requester_name}."
    if request.kind is RequestKind.SELF_SERVICE:
        text = (
            f"Approval needed: self-service request {request.id} by {request.requester_name} "
            "for themselves."
        )
    try:
        await copies.send_copy(
            services, view, purpose=copies.APPROVAL, recipient=approver, text=text
        )
    except Unreachable:
        return False
    except Exception:  # a connector 5xx for one approver must not hold up the others
        logger.warning("Sending %s to an approver failed; retried later", request.id, exc_info=True)
        return None
    return True


async def _channel(
    services: Services, request: ChangeRequest, roster: Roster, sent: list[CardCopy]
) -> list[str]:
    channel_id = services.approval_policy.channel_id
    if not channel_id or any(c.purpose == copies.CHANNEL for c in sent):
        return []
    async with services.uow() as work:
        ref = await work.conversations.get(services.tenant_id, channel_id)
    unknown = "The approvals channel has not met me yet, so it got no copy: @mention me there once."
    if ref is None:
        return [unknown]
    view = copies.view_for(services, request, Actor(request.tenant_id, UserId(""), ""), roster)
    try:
        await copies.send_copy(services, view, purpose=copies.CHANNEL, conversation=ref)
    except Unreachable:
        return [unknown]
    return []


async def _first_report(services: Services, request: ChangeRequest, what: str) -> bool:
    """True the first time this problem of this request is reported (never again after)."""
    key = f"approval.reported:{request.id}:{what}"
    return await leases.claim(services, key, remind_after=None)


def unreachable_text(services: Services, roster: Roster, user_ids: list[UserId]) -> str:
    names = ", ".join(roster.name_of(u) for u in user_ids)
    text = f"I couldn't reach {names}: the Shared Calling app is not installed for them."
    installer = services.approval.installer
    if isinstance(installer, NoAppInstaller):
        return f"{text} {installer.reason}"
    return f"{text} An admin can install it for them with **Install the app** below."


async def _requester_card(
    services: Services,
    request: ChangeRequest,
    roster: Roster,
    sent: list[CardCopy],
    unreachable: list[UserId],
    problems: list[str],
) -> None:
    """The requester's status card (once), or a fresh one when there is news for them."""
    if any(c.purpose == copies.STATUS for c in sent) and not (unreachable or problems):
        return
    lines = list(problems)
    if unreachable:
        lines.insert(0, unreachable_text(services, roster, unreachable))
    notice = Notice(" ".join(lines), Tone.WARNING) if lines else None
    requester = Actor(request.tenant_id, request.requester_id, request.requester_name)
    view = copies.view_for(services, request, requester, roster, notice=notice)
    if unreachable and not isinstance(services.approval.installer, NoAppInstaller):
        view = replace(view, offer_install=True)
    text = f"Request {request.id} is sent for approval." if not lines else lines[0]
    try:
        await copies.send_copy(
            services, view, purpose=copies.STATUS, recipient=request.requester_id, text=text
        )
    except Unreachable:
        logger.info("Requester of %s is not reachable", request.id)


async def announce_pending(services: Services, *, limit: int = 500) -> int:
    """The background job: announce what is missing for every pending request."""
    from sharedcalling.services.requests import find_requests

    done = 0
    for offset in range(0, limit, 50):
        batch = await find_requests(
            services.tenant_id, uow=services.uow, states=[RequestState.PENDING],
            limit=50, offset=offset,
        )  # fmt: skip
        for request in batch:
            try:
                if await announce(services, request, fresh_roster=False) is not None:
                    done += 1
            except Exception:  # one request's trouble must not hold up the others
                logger.warning("Announcing %s failed", request.id, exc_info=True)
        if len(batch) < 50:
            break
    return done
