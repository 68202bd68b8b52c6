"""Use cases an admin starts after an apply: retry the failed changes, revert a request.

Retry runs only the changes that failed (or that read-back found missing) and needs no new
approval as long as a fresh plan asks for exactly those changes, with the same before- and
after-values (their fingerprint is unchanged); otherwise what the tenant now needs goes to the
approvers as a new request. A revert is always a new request (kind REVERT, `parent_id` the
reverted one), approved like any plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sharedcalling.domain.apply import (
    DONE_STATUSES,
    AppliedChange,
    ChangeStatus,
    NotRevertible,
    UserOutcome,
    accounts_to_read,
    plan_revert,
    revert_targets,
)
from sharedcalling.domain.errors import InvalidInput, NotPermitted
from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.planning import Change, JsonValue
from sharedcalling.domain.planning.codec import change_to_json
from sharedcalling.domain.requests import (
    Actor,
    ChangeRequest,
    RequestEvent,
    RequestKind,
    RequestState,
)
from sharedcalling.domain.rules.model import SubjectKind
from sharedcalling.services.apply.deps import ApplyDeps
from sharedcalling.services.apply.replan import JobPlan, replan, revert_desired_to_json
from sharedcalling.services.apply.runner import ATTESTATIONS, fact_key
from sharedcalling.services.apply.store import ChangeRow, JobRecord
from sharedcalling.services.apply.views import findings_of
from sharedcalling.services.ports import SnapshotScope
from sharedcalling.services.requests import RequestDraft, apply_event, get_request, submit_request

RETRYABLE_STATES = frozenset({RequestState.PARTIALLY_APPLIED, RequestState.FAILED})
REVERTIBLE_STATES = frozenset(
    {RequestState.APPLIED, RequestState.PARTIALLY_APPLIED, RequestState.FAILED}
)


@dataclass(frozen=True, slots=True)
class RetryResult:
    request: ChangeRequest
    retried: int
    """Changes put back in the queue (0 when a new request went to approval instead)."""
    new_request: ChangeRequest | None = None
    reason: str = ""
    """Why a new approval is needed."""


@dataclass(frozen=True, slots=True)
class RevertResult:
    request: ChangeRequest
    """The new REVERT request, pending approval."""
    changes: int
    not_revertible: tuple[NotRevertible, ...]


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise NotPermitted(f"Only admins can {what}.")


async def _job_of(deps: ApplyDeps, request: ChangeRequest) -> tuple[JobRecord, list[ChangeRow]]:
    job = await deps.store.get_job(request.id)
    if job is None or not job.planned:
        raise InvalidInput(f"Request {request.id} was never applied.")
    return job, await deps.store.rows(job.id)


def retry_rows(job: JobRecord, rows: Sequence[ChangeRow]) -> list[ChangeRow]:
    """Failed changes, and done changes of subjects read-back found unverified."""
    unverified = {
        fold(f.subject_id) for f in findings_of(job.report) if f.outcome is UserOutcome.UNVERIFIED
    }
    return [
        r
        for r in rows
        if r.status is ChangeStatus.FAILED
        or (r.status in DONE_STATUSES and fold(r.change.subject.id) in unverified)
    ]


async def retry_failed(deps: ApplyDeps, actor: Actor, request_id: RequestId) -> RetryResult:
    """Re-run the failed changes of a partly applied or failed request (see module doc)."""
    _require_admin(actor, "retry failed changes")
    request = await get_request(deps.tenant_id, request_id, uow=deps.uow)
    if request.state not in RETRYABLE_STATES:
        raise InvalidInput(
            f"Request {request.id} is {request.state.value}; only a partly applied or failed "
            "request can be retried."
        )
    job, rows = await _job_of(deps, request)
    chosen = retry_rows(job, rows)
    if not chosen:
        raise InvalidInput(f"Request {request.id} has no failed changes to retry.")
    plan = await replan(request, deps.tenant)
    wanted = sorted(fact_key(r.change) for r in chosen)
    new_attestations = plan.attested - set(job.report.get(ATTESTATIONS, ()))
    if sorted(fact_key(c) for c in plan.changes) == wanted and not new_attestations:
        moved = await apply_event(
            deps.tenant_id,
            request.id,
            RequestEvent.RETRY_FAILED,
            actor=actor,
            uow=deps.uow,
            clock=deps.clock,
            reason=f"retry {len(chosen)} failed changes",
        )
        seqs = [r.seq for r in chosen]
        await deps.store.restart(job.id, seqs, deps.clock.now(), expected_attempt=job.attempt)
        return RetryResult(moved.request, len(chosen))
    reason = _why_new_approval(plan, wanted, bool(new_attestations))
    if not plan.changes:
        raise InvalidInput(
            f"Nothing of request {request.id} is left to do: the tenant already holds it "
            f"({reason})."
        )
    new = await _submit(deps, actor, request, plan, request.desired, f"Retry of {request.id}")
    return RetryResult(request, 0, new, reason)


def _why_new_approval(plan: JobPlan, wanted: list[str], attest: bool) -> str:
    if attest:
        return "a new warning needs attesting"
    fresh = {fact_key(c) for c in plan.changes}
    if fresh - set(wanted):
        return "the tenant changed: the changes still needed are not the ones that failed"
    return "the tenant changed: some failed changes are no longer needed or differ"


async def revert_request(deps: ApplyDeps, actor: Actor, request_id: RequestId) -> RevertResult:
    """Plan the revert of an applied request from its recorded before-values and submit it."""
    _require_admin(actor, "revert a request")
    parent = await get_request(deps.tenant_id, request_id, uow=deps.uow)
    if parent.state not in REVERTIBLE_STATES:
        raise InvalidInput(
            f"Request {parent.id} is {parent.state.value}; only an applied, partly applied or "
            "failed request can be reverted."
        )
    _job, rows = await _job_of(deps, parent)
    applied = [
        AppliedChange(r.change, r.before)
        for r in rows
        if r.status is ChangeStatus.SUCCEEDED and r.before is not None
    ]
    targets, refused = revert_targets(applied)
    scope = SnapshotScope(user_ids=[UserId(i) for i in accounts_to_read(targets)])
    snapshot = await deps.tenant.snapshot(scope)
    revert = plan_revert(targets, snapshot)
    if not revert.changes:
        raise InvalidInput(f"Nothing to revert: what request {parent.id} changed is already back.")
    plan = JobPlan(revert.changes, revert.fingerprint, snapshot)
    desired = revert_desired_to_json(parent.id, targets, refused)
    new = await _submit(
        deps, actor, parent, plan, desired, f"Revert of {parent.id}", kind=RequestKind.REVERT
    )
    return RevertResult(new, len(revert.changes), refused)


async def _submit(
    deps: ApplyDeps,
    actor: Actor,
    origin: ChangeRequest,
    plan: JobPlan,
    desired: Mapping[str, Any],
    justification: str,
    *,
    kind: RequestKind | None = None,
) -> ChangeRequest:
    users = sorted({c.subject.id for c in plan.changes if c.subject.kind is SubjectKind.USER})
    draft = RequestDraft(
        kind=kind or origin.kind,
        desired=desired,
        plan=plan_document(plan.changes, plan.fingerprint),
        fingerprint=plan.fingerprint,
        user_ids=[UserId(u) for u in users],
        justification=justification,
        attested=tuple(a for a in origin.attested if a in plan.attested),
        beneficiary_id=origin.beneficiary_id,
        parent_id=origin.id,
    )
    return await submit_request(draft, actor=actor, uow=deps.uow, clock=deps.clock)


def plan_document(changes: Sequence[Change], fingerprint: str) -> dict[str, JsonValue]:
    """What a request made by the apply engine stores as its plan: the changes, in order."""
    return {
        "format": "sharedcalling.apply_plan",
        "version": 1,
        "fingerprint": fingerprint,
        "changes": [change_to_json(c) for c in changes],
    }
