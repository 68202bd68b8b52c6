"""The expiry sweep: one reminder to the approvers who have not decided, then expiry.

Runs in every replica; a lease on the notifications ledger lets one of them sweep per round.
A request never expires sooner than `ApprovalPolicy.notice` after its reminder: when the
reminder goes out late (the bot was down), the deadline moves with it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sharedcalling.domain.requests import Actor, ChangeRequest, RequestEvent, RequestRefused
from sharedcalling.domain.requests import RequestState as S
from sharedcalling.services.approvals import copies, leases
from sharedcalling.services.approvals.decisions import after_change, tell_requester
from sharedcalling.services.approvals.roster import read_roster
from sharedcalling.services.approvals.views import Roster
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.notifier import Unreachable
from sharedcalling.services.requests import apply_event, find_requests
from sharedcalling.services.unit_of_work import ConcurrencyConflict

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

SWEEP_KEY = "approval.sweep"
PAGE = 50
MAX_REQUESTS = 1000


async def sweep(services: Services, *, lease_seconds: float) -> int:
    """Remind or expire what is due; returns how many requests it moved or reminded."""
    if not await leases.claim(services, SWEEP_KEY, remind_after=lease_seconds):
        return 0
    moved = 0
    for offset in range(0, MAX_REQUESTS, PAGE):
        batch = await find_requests(
            services.tenant_id, uow=services.uow, states=[S.PENDING], limit=PAGE, offset=offset
        )
        for request in batch:
            try:
                moved += await _sweep_one(services, request, services.clock.now())
            except Exception:  # one request's trouble must not hold up the others
                logger.warning("Sweeping %s failed", request.id, exc_info=True)
        if len(batch) < PAGE:
            break
    return moved


async def _sweep_one(services: Services, request: ChangeRequest, now: datetime) -> int:
    if request.expires_at is None:
        return 0
    policy = services.approval_policy
    if request.reminded_at is None:
        if now < request.expires_at - policy.effective_reminder_before:
            return 0
        await remind(services, request, now)
        return 1
    if now < request.expires_at:
        return 0
    try:
        result = await apply_event(
            services.tenant_id, request.id, RequestEvent.EXPIRE,
            actor=Actor.system(services.tenant_id), uow=services.uow, clock=services.clock,
            reason="Not enough approvals before the deadline.",
        )  # fmt: skip
    except RequestRefused:
        return 0  # decided meanwhile
    await after_change(services, result.request, Actor.system(services.tenant_id))
    return 1


async def remind(services: Services, request: ChangeRequest, now: datetime) -> None:
    """Record the reminder first (one per request), then send it to undecided approvers."""
    deadline = max(request.expires_at or now, now + services.approval_policy.notice)
    try:
        async with services.uow() as work:
            saved = await work.requests.save(
                replace(request, reminded_at=now, expires_at=deadline),
                expected_version=request.version,
            )
            await work.commit()
    except ConcurrencyConflict:
        return  # it changed meanwhile; the next round looks again
    roster = await read_roster(services)
    text = (
        f"Reminder: request {saved.id} from {saved.requester_name} still needs your decision; "
        f"it expires {deadline:%Y-%m-%d %H:%M} UTC."
    )
    for approver in _undecided(saved, roster):
        await _remind_one(services, saved, roster, approver, text)
    await tell_requester(
        services, saved, f"Request {saved.id} still waits for approvers; it expires "
        f"{deadline:%Y-%m-%d %H:%M} UTC. The approvers were reminded.",
    )  # fmt: skip
    await copies.sync_copies(services, saved.id)


def _undecided(request: ChangeRequest, roster: Roster) -> list[str]:
    return [a for a in roster.eligible(request) if request.decided_by(a) is None]


async def _remind_one(
    services: Services, request: ChangeRequest, roster: Roster, approver: str, text: str
) -> None:
    from sharedcalling.domain.ids import UserId

    viewer = Actor(request.tenant_id, UserId(approver), roster.name_of(approver), is_approver=True)
    view = copies.view_for(services, request, viewer, roster, notice=Notice(text, Tone.WARNING))
    try:
        await copies.send_copy(
            services, view, purpose=copies.APPROVAL, recipient=UserId(approver), text=text
        )
    except Unreachable:
        logger.info("Approver %s of %s not reachable for the reminder", approver, request.id)
