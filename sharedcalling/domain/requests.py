"""Change requests and their lifecycle: states, events and the transition table, as data.

A request carries one approved plan from the person who asked for it to the tenant. Every
state change goes through `transition()`, which checks the table and the named guards and either
returns the new record or raises `RequestRefused`; nothing else changes a request's state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.names import same

DEFAULT_EXPIRY = timedelta(hours=72)
"""How long a request waits for approvers before it expires (issue 11; configurable)."""

SYSTEM_ACTOR_ID = UserId("system")
"""The actor of transitions the bot makes on its own: expiry, staleness, apply progress."""


class RequestState(StrEnum):
    DRAFT = "DRAFT"
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    APPLYING = "APPLYING"
    APPLIED = "APPLIED"
    PARTIALLY_APPLIED = "PARTIALLY_APPLIED"
    FAILED = "FAILED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    STALE = "STALE"


LOCKING_STATES = frozenset({RequestState.PENDING, RequestState.APPROVED, RequestState.APPLYING})
"""While a request is in one of these, its users cannot be put in another request."""

FINAL_STATES = frozenset(
    {
        RequestState.APPLIED,
        RequestState.REJECTED,
        RequestState.EXPIRED,
        RequestState.CANCELLED,
        RequestState.STALE,
    }
)
"""No event leaves these states (PARTIALLY_APPLIED and FAILED can still retry)."""


class RequestEvent(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    EXPIRE = "expire"
    MARK_STALE = "mark_stale"
    START_APPLY = "start_apply"
    COMPLETE = "complete"
    COMPLETE_PARTIALLY = "complete_partially"
    FAIL = "fail"
    RETRY_FAILED = "retry_failed"


class RequestKind(StrEnum):
    SETUP = "setup"
    """An admin's set-up from the dialog or the command line."""
    SELF_SERVICE = "self_service"
    """A user asking for Shared Calling for themselves."""
    REVERT = "revert"
    """A plan built from the before-values of an applied request."""
    FIX = "fix"
    """A plan that fixes a hazard found after set-up."""


S, E = RequestState, RequestEvent

TRANSITIONS: Mapping[tuple[RequestState, RequestEvent], RequestState] = MappingProxyType(
    {
        (S.DRAFT, E.SUBMIT): S.PENDING,
        (S.DRAFT, E.CANCEL): S.CANCELLED,
        # APPROVE reaches APPROVED only with enough distinct approvals; until then it is
        # recorded and the request stays PENDING (see `_approve`).
        (S.PENDING, E.APPROVE): S.APPROVED,
        (S.PENDING, E.REJECT): S.REJECTED,
        (S.PENDING, E.CANCEL): S.CANCELLED,
        (S.PENDING, E.EXPIRE): S.EXPIRED,
        (S.PENDING, E.MARK_STALE): S.STALE,
        (S.APPROVED, E.CANCEL): S.CANCELLED,
        (S.APPROVED, E.MARK_STALE): S.STALE,
        (S.APPROVED, E.START_APPLY): S.APPLYING,
        (S.APPLYING, E.MARK_STALE): S.STALE,
        (S.APPLYING, E.COMPLETE): S.APPLIED,
        (S.APPLYING, E.COMPLETE_PARTIALLY): S.PARTIALLY_APPLIED,
        (S.APPLYING, E.FAIL): S.FAILED,
        (S.PARTIALLY_APPLIED, E.RETRY_FAILED): S.APPLYING,
        (S.FAILED, E.RETRY_FAILED): S.APPLYING,
        (S.PARTIALLY_APPLIED, E.MARK_STALE): S.STALE,
        (S.FAILED, E.MARK_STALE): S.STALE,
    }
)
"""Every allowed (state, event) pair and where it leads; anything else is refused."""

PERSON_EVENTS = frozenset({E.SUBMIT, E.APPROVE, E.REJECT, E.CANCEL, E.RETRY_FAILED})
"""Events a person causes; the others are the bot's own (SYSTEM actor only)."""


class Refusal(StrEnum):
    """Why a transition was refused; stable codes for the audit log and tests."""

    NOT_ALLOWED = "not_allowed_in_state"
    NOT_REQUESTER = "not_the_requester"
    NOT_APPROVER = "not_an_approver"
    OWN_REQUEST = "own_request"
    STALE_CARD = "fingerprint_mismatch"
    EXPIRED = "expired"
    NOT_EXPIRED = "not_expired"
    REASON_REQUIRED = "reason_required"
    SYSTEM_ONLY = "system_only"
    NOT_ADMIN = "not_an_admin"
    OTHER_TENANT = "other_tenant"


class RequestRefused(Exception):
    """A person or the bot tried a transition its guards do not allow. Never changes anything."""

    def __init__(self, refusal: Refusal, message: str):
        super().__init__(message)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, as resolved from the activity (never from card data), with what they hold."""

    tenant_id: TenantId
    id: UserId
    name: str
    is_admin: bool = False
    is_approver: bool = False

    @property
    def is_system(self) -> bool:
        return self.id == SYSTEM_ACTOR_ID

    @classmethod
    def system(cls, tenant_id: TenantId) -> Actor:
        return cls(tenant_id, SYSTEM_ACTOR_ID, "Shared Calling bot")


@dataclass(frozen=True, slots=True)
class Decision:
    """One approver's approval or rejection, bound to the fingerprint their card showed."""

    actor_id: UserId
    actor_name: str
    approve: bool
    at: datetime
    fingerprint: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """A plan on its way to the tenant. `desired` and `plan` are the JSON forms of the
    DesiredState and the Plan as submitted; `user_ids` are the accounts the plan changes."""

    id: RequestId
    tenant_id: TenantId
    kind: RequestKind
    state: RequestState
    requester_id: UserId
    requester_name: str
    justification: str
    fingerprint: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None
    required_approvals: int = 1
    decisions: tuple[Decision, ...] = ()
    user_ids: tuple[UserId, ...] = ()
    attested: tuple[str, ...] = ()
    """Keys of the WARN findings the requester acknowledged (code:subject id)."""
    beneficiary_id: UserId | None = None
    parent_id: RequestId | None = None
    desired: Mapping[str, Any] = field(default_factory=dict)
    plan: Mapping[str, Any] = field(default_factory=dict)
    reminded_at: datetime | None = None
    version: int = 0

    @property
    def approvals(self) -> tuple[Decision, ...]:
        """Distinct approvals of the current fingerprint, first one per approver."""
        seen: set[str] = set()
        found = []
        for decision in self.decisions:
            key = decision.actor_id.casefold()
            if decision.approve and decision.fingerprint == self.fingerprint and key not in seen:
                seen.add(key)
                found.append(decision)
        return tuple(found)

    @property
    def rejection(self) -> Decision | None:
        return next((d for d in self.decisions if not d.approve), None)

    @property
    def approvals_missing(self) -> int:
        return max(0, self.required_approvals - len(self.approvals))

    @property
    def is_locking(self) -> bool:
        return self.state in LOCKING_STATES

    def decided_by(self, actor_id: str) -> Decision | None:
        return next((d for d in self.decisions if same(d.actor_id, actor_id)), None)


@dataclass(frozen=True, slots=True)
class Transition:
    """The outcome of `transition()`: the record to save and what the audit log records.

    `changed` is False when an actor repeated a decision they already made: nothing is saved.
    """

    request: ChangeRequest
    event: RequestEvent
    from_state: RequestState
    changed: bool
    reason: str = ""


def transition(
    request: ChangeRequest,
    event: RequestEvent,
    *,
    actor: Actor,
    at: datetime,
    fingerprint: str | None = None,
    reason: str = "",
) -> Transition:
    """Apply `event` to `request` as `actor` at `at`; raises RequestRefused when not allowed.

    Approvers' events (APPROVE, REJECT) must carry the fingerprint their card showed.
    """
    _check_actor(request, event, actor)
    repeat = _repeated_decision(request, event, actor)
    if repeat is not None:
        return Transition(request, event, request.state, changed=False, reason=repeat.reason)
    target = TRANSITIONS.get((request.state, event))
    if target is None:
        raise RequestRefused(
            Refusal.NOT_ALLOWED, f"Request {request.id} is {request.state.value}; cannot {event}."
        )
    _GUARDS.get(event, _no_guard)(request, actor, at, fingerprint, reason)
    if event is E.APPROVE:
        return _approve(request, actor, at)
    if event is E.REJECT:
        decision = Decision(actor.id, actor.name, False, at, request.fingerprint, reason.strip())
        request = replace(request, decisions=(*request.decisions, decision))
    if event is E.SUBMIT and request.expires_at is None:
        request = replace(request, expires_at=at + DEFAULT_EXPIRY)
    moved = replace(request, state=target, updated_at=at)
    return Transition(moved, event, request.state, changed=True, reason=reason.strip())


def _check_actor(request: ChangeRequest, event: RequestEvent, actor: Actor) -> None:
    if not same(actor.tenant_id, request.tenant_id):
        raise RequestRefused(Refusal.OTHER_TENANT, "This request belongs to another tenant.")
    if event not in PERSON_EVENTS and not actor.is_system:
        raise RequestRefused(Refusal.SYSTEM_ONLY, f"Only the bot itself may {event} a request.")


def _repeated_decision(
    request: ChangeRequest, event: RequestEvent, actor: Actor
) -> Decision | None:
    """Teams can deliver a click twice: the same actor repeating the same decision is a no-op."""
    if event not in (E.APPROVE, E.REJECT):
        return None
    previous = request.decided_by(actor.id)
    if previous is None or previous.approve != (event is E.APPROVE):
        return None
    if previous.approve and previous.fingerprint != request.fingerprint:
        return None
    return previous


def _approve(request: ChangeRequest, actor: Actor, at: datetime) -> Transition:
    decision = Decision(actor.id, actor.name, True, at, request.fingerprint)
    recorded = replace(request, decisions=(*request.decisions, decision), updated_at=at)
    state = S.APPROVED if recorded.approvals_missing == 0 else S.PENDING
    return Transition(replace(recorded, state=state), E.APPROVE, request.state, changed=True)


Guard = Callable[["ChangeRequest", Actor, datetime, "str | None", str], None]
"""A named precondition of an event: raises RequestRefused, or returns when it holds."""


def _no_guard(
    _request: ChangeRequest, _actor: Actor, _at: datetime, _fp: str | None, _reason: str
) -> None:
    return None


def _requester_or_admin(
    request: ChangeRequest, actor: Actor, _at: datetime, _fp: str | None, _reason: str
) -> None:
    if not (same(actor.id, request.requester_id) or actor.is_admin):
        raise RequestRefused(
            Refusal.NOT_REQUESTER, "Only the requester or an admin can cancel this request."
        )


def _requester(
    request: ChangeRequest, actor: Actor, _at: datetime, _fp: str | None, _reason: str
) -> None:
    if not same(actor.id, request.requester_id):
        raise RequestRefused(Refusal.NOT_REQUESTER, "Only the requester can submit this request.")


def _approver(
    request: ChangeRequest, actor: Actor, at: datetime, fingerprint: str | None, reason: str
) -> None:
    """Named guards, in order: may decide (`may_decide`), is not the requester or the person
    the request is for, the card shows the current plan, the request has not expired."""
    if not may_decide(request, actor):
        raise RequestRefused(Refusal.NOT_APPROVER, "Only approvers can decide on requests.")
    if same(actor.id, request.requester_id) or same(actor.id, request.beneficiary_id):
        raise RequestRefused(Refusal.OWN_REQUEST, "Nobody can decide on their own request.")
    if fingerprint != request.fingerprint:
        raise RequestRefused(
            Refusal.STALE_CARD, "This card shows an older plan; open the request again."
        )
    if request.expires_at is not None and at >= request.expires_at:
        raise RequestRefused(Refusal.EXPIRED, f"Request {request.id} has expired.")


def may_decide(request: ChangeRequest, actor: Actor) -> bool:
    """The role half of the approver guard: approvers decide every request; admins also decide
    self-service requests (a person asking for themselves), never their own (checked after)."""
    return actor.is_approver or (request.kind is RequestKind.SELF_SERVICE and actor.is_admin)


def _rejecter(
    request: ChangeRequest, actor: Actor, at: datetime, fingerprint: str | None, reason: str
) -> None:
    _approver(request, actor, at, fingerprint, reason)
    if not reason.strip():
        raise RequestRefused(Refusal.REASON_REQUIRED, "Give a reason to reject the request.")


def _expiry_reached(
    request: ChangeRequest, _actor: Actor, at: datetime, _fp: str | None, _reason: str
) -> None:
    if request.expires_at is None or at < request.expires_at:
        raise RequestRefused(Refusal.NOT_EXPIRED, f"Request {request.id} has not expired yet.")


def _admin(
    request: ChangeRequest, actor: Actor, _at: datetime, _fp: str | None, _reason: str
) -> None:
    if not actor.is_admin:
        raise RequestRefused(Refusal.NOT_ADMIN, "Only admins can retry failed changes.")


_GUARDS: Mapping[RequestEvent, Guard] = MappingProxyType(
    {
        E.SUBMIT: _requester,
        E.CANCEL: _requester_or_admin,
        E.APPROVE: _approver,
        E.REJECT: _rejecter,
        E.EXPIRE: _expiry_reached,
        E.RETRY_FAILED: _admin,
    }
)
"""The guard of each event (events without one need only the table and the actor check)."""
