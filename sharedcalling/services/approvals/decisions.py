"""Approve, reject, cancel: authorised on the server, bound to the fingerprint, stale-checked.

Before an approval is recorded the tenant is read again and the stored desired state planned
anew; a different fingerprint turns the request STALE (nothing can approve or apply it) and
its requester is offered a one-click re-plan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharedcalling.domain.requests import (
    Actor,
    ChangeRequest,
    RequestEvent,
    RequestRefused,
    RequestState,
    transition,
)
from sharedcalling.services.approvals import copies
from sharedcalling.services.approvals.drafts import current_fingerprint
from sharedcalling.services.approvals.refusals import audit_refusal
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.notifier import OutboundMessage, Unreachable
from sharedcalling.services.requests import apply_event
from sharedcalling.services.unit_of_work import RecordNotFound

if TYPE_CHECKING:
    from sharedcalling.domain.ids import RequestId
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

DECISION_EVENTS = frozenset({RequestEvent.APPROVE, RequestEvent.REJECT, RequestEvent.CANCEL})


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What became of a click: the request as it now stands (None: unknown) and what to say."""

    request: ChangeRequest | None
    notice: Notice
    changed: bool = False


def unknown_request_text(request_id: str) -> str:
    return f"I can't find request {request_id}. Say \u201cmy requests\u201d to see yours."


async def decide(
    services: Services,
    actor: Actor,
    request_id: RequestId,
    event: RequestEvent,
    *,
    fingerprint: str | None,
    reason: str = "",
) -> ActionResult:
    """Apply a person's decision; refusals answer clearly and leave only their audit entry."""
    if event not in DECISION_EVENTS:
        raise ValueError(f"not a decision: {event}")
    try:
        current = await _read(services, request_id)
    except RecordNotFound:
        text = unknown_request_text(request_id)
        await audit_refusal(
            services, actor, event=event.value, code="unknown_request", message=text,
            request_id=request_id, details={"card_fingerprint": fingerprint},
        )  # fmt: skip
        return ActionResult(None, Notice(text, Tone.ATTENTION))
    if event is RequestEvent.APPROVE:
        early = await _before_approval(services, actor, current, fingerprint)
        if early is not None:
            return early
    try:
        result = await apply_event(
            services.tenant_id, request_id, event, actor=actor, uow=services.uow,
            clock=services.clock, fingerprint=fingerprint, reason=reason,
        )  # fmt: skip
    except RequestRefused as refused:
        return ActionResult(await _read(services, request_id), Notice(str(refused), Tone.ATTENTION))
    if not result.changed:
        return ActionResult(result.request, Notice(_repeat_text(result.request, actor)))
    await after_change(services, result.request, actor)
    return ActionResult(result.request, Notice(_done_text(result.request, event)), changed=True)


async def _read(services: Services, request_id: RequestId) -> ChangeRequest:
    async with services.uow() as work:
        return await work.requests.get(services.tenant_id, request_id)


async def _before_approval(
    services: Services, actor: Actor, current: ChangeRequest, fingerprint: str | None
) -> ActionResult | None:
    """A repeat answers at once; an approval the guards allow first re-plans the tenant."""
    try:
        dry = transition(
            current, RequestEvent.APPROVE, actor=actor, at=services.clock.now(),
            fingerprint=fingerprint,
        )  # fmt: skip
    except RequestRefused:
        return None  # apply_event refuses it again, and audits the refusal
    if not dry.changed:
        return ActionResult(current, Notice(_repeat_text(current, actor)))
    latest = await current_fingerprint(current, tenant=services.tenant)
    if latest == current.fingerprint:
        return None
    return await mark_stale(services, current, latest, noticed_by=actor)


async def mark_stale(
    services: Services, current: ChangeRequest, latest: str, *, noticed_by: Actor
) -> ActionResult:
    """The tenant changed under the plan: the request becomes STALE; the requester is told."""
    reason = (
        "The tenant changed since this plan was made (its fingerprint is now "
        f"{latest[:23]}\u2026); noticed when {noticed_by.name} tried to approve."
    )
    text = (
        "The tenant changed since this plan was made, so it can no longer be approved. "
        f"The request is now stale; {current.requester_name} can re-plan and re-submit it."
    )
    try:
        result = await apply_event(
            services.tenant_id, current.id, RequestEvent.MARK_STALE,
            actor=Actor.system(services.tenant_id), uow=services.uow, clock=services.clock,
            reason=reason,
        )  # fmt: skip
    except RequestRefused:
        # Someone else moved it first (another click marked it stale); show where it stands.
        return ActionResult(await _read(services, current.id), Notice(text, Tone.WARNING))
    await after_change(services, result.request, noticed_by)
    return ActionResult(result.request, Notice(text, Tone.WARNING), changed=True)


async def after_change(services: Services, request: ChangeRequest, actor: Actor) -> None:
    """Every copy updated in place; the requester told of an outcome; an approval handed on."""
    await copies.sync_copies(services, request.id)
    if request.state is RequestState.APPROVED:
        try:
            await services.after_approved(request)
        except Exception:  # the approval is committed; the apply job picks it up (issue 12)
            logger.warning("after_approved failed for %s", request.id, exc_info=True)
    text = _requester_news(request, actor)
    if text:
        await tell_requester(services, request, text)


def _requester_news(request: ChangeRequest, actor: Actor) -> str:
    if request.state is RequestState.APPROVED:
        names = ", ".join(d.actor_name for d in request.approvals)
        return f"Request {request.id} is approved by {names}. Applying it comes next."
    if request.state is RequestState.REJECTED and request.rejection is not None:
        rejection = request.rejection
        return f"Request {request.id} was rejected by {rejection.actor_name}: {rejection.reason}"
    if request.state is RequestState.STALE:
        return (
            f"Request {request.id} is stale: the tenant changed since its plan was made. "
            "Use **Re-plan and re-submit** on its card to send a fresh plan for approval."
        )
    if request.state is RequestState.EXPIRED:
        return f"Request {request.id} expired before enough approvers decided."
    return ""


async def tell_requester(services: Services, request: ChangeRequest, text: str) -> None:
    """A one-line message to the requester's personal chat; unreachable is only logged."""
    try:
        await services.notifier.send_to_user(
            services.tenant_id, request.requester_id, OutboundMessage(text)
        )
    except Unreachable:
        logger.info("Requester of %s is not reachable", request.id)
    except Exception:  # telling is best effort; the request already moved on
        logger.warning("Could not tell the requester of %s", request.id, exc_info=True)


def _repeat_text(request: ChangeRequest, actor: Actor) -> str:
    decision = request.decided_by(actor.id)
    if decision is None:
        return copies.headline(request)
    verb = "approved" if decision.approve else "rejected"
    return f"You already {verb} this request at {decision.at:%Y-%m-%d %H:%M} UTC."


def _done_text(request: ChangeRequest, event: RequestEvent) -> str:
    if event is RequestEvent.APPROVE and request.state is RequestState.PENDING:
        missing = request.approvals_missing
        more = "1 more approval" if missing == 1 else f"{missing} more approvals"
        return f"Your approval is recorded; the request needs {more}."
    if event is RequestEvent.APPROVE:
        return "Your approval is recorded; the request is approved."
    if event is RequestEvent.REJECT:
        return "You rejected the request; its requester is told why."
    return "The request is cancelled."
