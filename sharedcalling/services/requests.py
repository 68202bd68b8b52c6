"""Use cases of the request lifecycle: submit a plan, move a request on, read requests.

Every state change goes through `apply_event`, which runs the domain's `transition()` inside one
unit of work, saves with optimistic concurrency, releases the users' locks when the request
leaves the locking states, and appends the hash-chained audit entry. A refused attempt changes
nothing but the audit log.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sharedcalling import correlation
from sharedcalling.domain.access import Principal
from sharedcalling.domain.audit import AuditFacts, AuditOutcome
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.requests import (
    DEFAULT_EXPIRY,
    Actor,
    ChangeRequest,
    RequestEvent,
    RequestKind,
    RequestRefused,
    RequestState,
    Transition,
    transition,
)
from sharedcalling.services.ports import Clock
from sharedcalling.services.unit_of_work import (
    ConcurrencyConflict,
    UnitOfWork,
    UnitOfWorkFactory,
    UsersLocked,
)

logger = logging.getLogger(__name__)

CONFLICT_RETRIES = 20
"""How often a decision is re-evaluated on fresh state when another writer got there first.
Two approvers clicking at once both count: the loser re-reads and decides again."""

_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
REQUEST_ID_PREFIX = "SC-"


def new_request_id() -> RequestId:
    """`SC-` and 8 random Crockford base32 characters (40 bits): short enough to type."""
    return RequestId(REQUEST_ID_PREFIX + "".join(secrets.choice(_ID_ALPHABET) for _ in range(8)))


def normalize_request_id(text: str) -> RequestId | None:
    """A request id as people type it (`sc-7k2m 9qf4`), or None when it cannot be one."""
    cleaned = "".join(text.split()).upper()
    if not cleaned.startswith(REQUEST_ID_PREFIX):
        cleaned = REQUEST_ID_PREFIX + cleaned
    body = cleaned[len(REQUEST_ID_PREFIX) :].replace("-", "")
    if len(body) != 8 or any(ch not in _ID_ALPHABET for ch in body):
        return None
    return RequestId(REQUEST_ID_PREFIX + body)


def actor_of(principal: Principal) -> Actor:
    """The request actor behind a turn's principal (roles as the tenant says, never card data)."""
    return Actor(
        tenant_id=principal.tenant_id,
        id=UserId(fold(principal.user_id)),
        name=principal.display_name,
        is_admin=principal.is_admin,
        is_approver=principal.is_approver,
    )


@dataclass(frozen=True, slots=True)
class RequestDraft:
    """What a submitter hands over: the plan as JSON, who it changes, and why."""

    kind: RequestKind
    desired: Mapping[str, Any]
    plan: Mapping[str, Any]
    fingerprint: str
    user_ids: Collection[UserId]
    justification: str
    attested: Collection[str] = ()
    beneficiary_id: UserId | None = None
    parent_id: RequestId | None = None


@dataclass(frozen=True, slots=True)
class RequestPolicy:
    """How requests are decided: approvals needed and how long a request waits."""

    required_approvals: int = 1
    expiry: timedelta = DEFAULT_EXPIRY


async def submit_request(
    draft: RequestDraft,
    *,
    actor: Actor,
    uow: UnitOfWorkFactory,
    clock: Clock,
    policy: RequestPolicy = RequestPolicy(),
    request_id: RequestId | None = None,
) -> ChangeRequest:
    """Store the request as PENDING and lock its users; UsersLocked when another open request
    holds some of them (then nothing is stored but the refusal in the audit log)."""
    now = clock.now()
    draft_request = ChangeRequest(
        id=request_id or new_request_id(),
        tenant_id=actor.tenant_id,
        kind=draft.kind,
        state=RequestState.DRAFT,
        requester_id=actor.id,
        requester_name=actor.name,
        justification=draft.justification.strip(),
        fingerprint=draft.fingerprint,
        created_at=now,
        updated_at=now,
        expires_at=now + policy.expiry,
        required_approvals=max(1, policy.required_approvals),
        user_ids=tuple(sorted({UserId(fold(u)) for u in draft.user_ids})),
        attested=tuple(sorted(set(draft.attested))),
        beneficiary_id=UserId(fold(draft.beneficiary_id)) if draft.beneficiary_id else None,
        parent_id=draft.parent_id,
        desired=dict(draft.desired),
        plan=dict(draft.plan),
    )
    moved = transition(draft_request, RequestEvent.SUBMIT, actor=actor, at=now)
    try:
        async with uow() as work:
            await work.locks.acquire(actor.tenant_id, draft_request.id, draft_request.user_ids)
            await work.requests.add(moved.request)
            await _audit(work, moved, actor)
            await work.commit()
    except UsersLocked as locked:
        await _audit_refusal(uow, draft_request, RequestEvent.SUBMIT, actor, now, str(locked))
        raise
    logger.info("Request %s submitted by %s", draft_request.id, actor.id)
    return moved.request


@dataclass(frozen=True, slots=True)
class EventResult:
    request: ChangeRequest
    changed: bool
    """False when the actor repeated a decision already recorded."""


async def apply_event(
    tenant_id: TenantId,
    request_id: RequestId,
    event: RequestEvent,
    *,
    actor: Actor,
    uow: UnitOfWorkFactory,
    clock: Clock,
    fingerprint: str | None = None,
    reason: str = "",
) -> EventResult:
    """Move a request on; raises RequestRefused (audited), RecordNotFound or, after repeated
    lost races, ConcurrencyConflict."""
    for _ in range(CONFLICT_RETRIES):
        try:
            return await _apply_once(
                tenant_id, request_id, event, actor, uow, clock, fingerprint, reason
            )
        except ConcurrencyConflict:
            logger.info("Request %s changed under %s; deciding again", request_id, event.value)
    raise ConcurrencyConflict(f"Request {request_id} kept changing; try again.")


async def _apply_once(
    tenant_id: TenantId,
    request_id: RequestId,
    event: RequestEvent,
    actor: Actor,
    uow: UnitOfWorkFactory,
    clock: Clock,
    fingerprint: str | None,
    reason: str,
) -> EventResult:
    now = clock.now()
    refused: RequestRefused | None = None
    async with uow() as work:
        current = await work.requests.get(tenant_id, request_id)
        try:
            moved = transition(
                current, event, actor=actor, at=now, fingerprint=fingerprint, reason=reason
            )
        except RequestRefused as error:
            refused = error
        else:
            if not moved.changed:
                return EventResult(current, changed=False)
            saved = await work.requests.save(moved.request, expected_version=current.version)
            if current.is_locking and not saved.is_locking:
                await work.locks.release(tenant_id, request_id)
            await _audit(work, moved, actor)
            await work.commit()
            return EventResult(saved, changed=True)
    await _audit_refusal(uow, current, event, actor, now, str(refused), refused, fingerprint)
    raise refused


async def get_request(
    tenant_id: TenantId, request_id: RequestId, *, uow: UnitOfWorkFactory
) -> ChangeRequest:
    async with uow() as work:
        return await work.requests.get(tenant_id, request_id)


async def find_requests(
    tenant_id: TenantId,
    *,
    uow: UnitOfWorkFactory,
    states: Collection[RequestState] = (),
    requester_id: UserId | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ChangeRequest]:
    async with uow() as work:
        return await work.requests.find(
            tenant_id, states=states, requester_id=requester_id, limit=limit, offset=offset
        )


async def request_counts(tenant_id: TenantId, *, uow: UnitOfWorkFactory) -> dict[str, int]:
    """Requests by state, every state present (zero when none), for monitoring."""
    async with uow() as work:
        counts = await work.requests.count_by_state(tenant_id)
    return {state.value: counts.get(state, 0) for state in RequestState}


def _facts(
    request: ChangeRequest,
    event: RequestEvent,
    actor: Actor,
    *,
    outcome: AuditOutcome,
    from_state: RequestState,
    to_state: RequestState | None,
    reason: str,
    details: Mapping[str, Any] | None = None,
) -> AuditFacts:
    return AuditFacts(
        at=request.updated_at,
        actor_id=actor.id,
        actor_name=actor.name,
        event=event.value,
        outcome=outcome,
        request_id=request.id,
        from_state=from_state.value,
        to_state=to_state.value if to_state is not None else None,
        fingerprint=request.fingerprint,
        reason=reason,
        details=dict(details or {}),
        correlation_id=_correlation(),
    )


def _correlation() -> str | None:
    current = correlation.current()
    return None if current == "-" else current


async def _audit(work: UnitOfWork, moved: Transition, actor: Actor) -> None:
    request = moved.request
    outcome = (
        AuditOutcome.TRANSITION if request.state is not moved.from_state else AuditOutcome.RECORDED
    )
    details = {"approvals": len(request.approvals), "required": request.required_approvals}
    facts = _facts(
        request,
        moved.event,
        actor,
        outcome=outcome,
        from_state=moved.from_state,
        to_state=request.state,
        reason=moved.reason,
        details=details,
    )
    await work.audit.append(request.tenant_id, facts)


async def _audit_refusal(
    uow: UnitOfWorkFactory,
    request: ChangeRequest,
    event: RequestEvent,
    actor: Actor,
    at: datetime,
    message: str,
    refused: RequestRefused | None = None,
    card_fingerprint: str | None = None,
) -> None:
    """A refused attempt leaves exactly one trace: its audit entry, in a transaction of its own."""
    code = refused.refusal.value if refused is not None else "users_locked"
    facts = AuditFacts(
        at=at,
        actor_id=actor.id,
        actor_name=actor.name,
        event=event.value,
        outcome=AuditOutcome.REFUSED,
        request_id=request.id,
        from_state=request.state.value,
        fingerprint=request.fingerprint,
        reason=message,
        details={"refusal": code, "card_fingerprint": card_fingerprint},
        correlation_id=_correlation(),
    )
    async with uow() as work:
        await work.audit.append(request.tenant_id, facts)
        await work.commit()
    logger.info("Refused %s on request %s by %s: %s", event.value, request.id, actor.id, code)
