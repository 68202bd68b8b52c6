"""The end of a run: read back and verify, conclude or keep re-verifying, then settle.

Settling moves the request to its final state and sends the report; it runs under the job's
lease and stamps the job notified last, so that a crash in between leaves a job the report
outbox (`ApplyWorker`) settles again: the report is sent at least once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sharedcalling.domain.apply import (
    Finding,
    JobOutcome,
    JobState,
    UserOutcome,
    accounts_to_read,
    job_outcome,
    verify,
)
from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.planning import GrantGroupPolicy
from sharedcalling.domain.requests import (
    Actor,
    ChangeRequest,
    RequestEvent,
    RequestRefused,
    RequestState,
)
from sharedcalling.domain.tenant import TenantSnapshot
from sharedcalling.services.apply.deps import ApplyDeps
from sharedcalling.services.apply.replan import JobPlan, replan
from sharedcalling.services.apply.store import ChangeRow, JobRecord
from sharedcalling.services.apply.tell import (
    BEFORE,
    tell_people,
    telling_takes_long,
    wants_messages,
)
from sharedcalling.services.apply.views import (
    PeopleTold,
    Phase,
    apply_view,
    change_results,
    findings_of,
    findings_to_json,
    summary_line,
)
from sharedcalling.services.ports import SnapshotScope, TenantError
from sharedcalling.services.requests import apply_event, get_request

logger = logging.getLogger(__name__)

RETRY_LATER_SECONDS = 60.0
"""When the tenant cannot be read, the job is tried again after this long."""
EVENT_OF = {
    JobOutcome.APPLIED: RequestEvent.COMPLETE,
    JobOutcome.PARTIALLY_APPLIED: RequestEvent.COMPLETE_PARTIALLY,
    JobOutcome.FAILED: RequestEvent.FAIL,
}


async def finish(
    deps: ApplyDeps, job: JobRecord, owner: str, request: ChangeRequest, rows: list[ChangeRow]
) -> None:
    """Every change is finished: verify by reading back (a fresh plan), then conclude."""
    try:
        plan = await replan(request, deps.tenant)
    except TenantError as error:
        await _verify_later(deps, job, owner, str(error))
        return
    await _conclude(deps, job, owner, request, rows, plan)


async def reverify(deps: ApplyDeps, job: JobRecord, owner: str, request: ChangeRequest) -> None:
    """A scheduled re-check of group assignments Teams had not delivered yet."""
    rows = await deps.store.rows(job.id)
    try:
        plan = await replan(request, deps.tenant)
    except TenantError as error:
        await _verify_later(deps, job, owner, str(error))
        return
    await _conclude(deps, job, owner, request, rows, plan)


async def _conclude(
    deps: ApplyDeps,
    job: JobRecord,
    owner: str,
    request: ChangeRequest,
    rows: list[ChangeRow],
    plan: JobPlan,
) -> None:
    results = change_results(rows)
    try:
        snapshot = await _with_group_members(deps, rows, plan)
    except TenantError as error:
        await _verify_later(deps, job, owner, str(error))
        return
    findings = verify(results, snapshot, plan.changes)
    now, settings = deps.clock.now(), deps.settings
    until = job.verify_until or now + timedelta(hours=settings.group_verify_hours)
    stored = await deps.store.get_job(job.request_id)
    report = {**(stored.report if stored is not None else {}), "findings": []}
    if any(f.outcome is UserOutcome.AWAITING for f in findings) and now < until:
        report["findings"] = findings_to_json(findings)
        await deps.store.set_state(
            job.id,
            owner,
            now,
            state=JobState.VERIFYING,
            release=True,
            next_run_at=now + timedelta(seconds=settings.group_reverify_seconds),
            verify_until=until,
            report=report,
        )
        view = apply_view(request, rows, Phase.VERIFYING, findings=findings, attempt=job.attempt)
        await deps.reporter.progress(request, view)
        return
    findings = tuple(_overdue(f, settings.group_verify_hours) for f in findings)
    report["findings"] = findings_to_json(findings)
    outcome = job_outcome(results, findings)
    await deps.store.set_state(
        job.id, owner, now, state=JobState.DONE, release=False, outcome=outcome, report=report
    )
    await settle(deps, job.id, owner, rows)


async def _with_group_members(
    deps: ApplyDeps, rows: list[ChangeRow], plan: JobPlan
) -> TenantSnapshot:
    """The plan's snapshot, or, when the job granted policies to groups, one that also holds
    every direct member (their effective policies are what verification checks)."""
    groups = [r.change.group_id for r in rows if isinstance(r.change, GrantGroupPolicy)]
    if not groups:
        return plan.snapshot
    members = {m for g in groups if (found := plan.snapshot.group(g)) for m in found.member_ids}
    accounts = set(accounts_to_read([r.change for r in rows])) | members
    return await deps.tenant.snapshot(SnapshotScope(user_ids=[UserId(a) for a in accounts]))


def _overdue(finding: Finding, hours: float) -> Finding:
    if finding.outcome is not UserOutcome.AWAITING:
        return finding
    reason = f"Teams did not deliver the group assignment within {hours:g} hours"
    return Finding(finding.subject_id, UserOutcome.UNVERIFIED, reason)


async def _verify_later(deps: ApplyDeps, job: JobRecord, owner: str, problem: str) -> None:
    now = deps.clock.now()
    await deps.store.set_state(
        job.id,
        owner,
        now,
        state=JobState.VERIFYING,
        release=True,
        next_run_at=now + timedelta(seconds=RETRY_LATER_SECONDS),
        verify_until=job.verify_until,
        error=problem,
    )


async def retry_later(
    deps: ApplyDeps,
    job: JobRecord,
    owner: str,
    request: ChangeRequest,
    problem: str,
    rows: list[ChangeRow] | None = None,
) -> None:
    """The tenant could not be read: queue the job again a little later, and say so."""
    now = deps.clock.now()
    await deps.store.set_state(
        job.id,
        owner,
        now,
        state=JobState.QUEUED,
        release=True,
        next_run_at=now + timedelta(seconds=RETRY_LATER_SECONDS),
        error=problem,
    )
    logger.info("Job %s waits for the tenant: %s", job.id, problem)
    if rows:
        note = f"I'll try again in a minute ({problem})."
        view = apply_view(request, rows, Phase.WAITING, note=note, attempt=job.attempt)
        await deps.reporter.progress(request, view)


async def go_stale(deps: ApplyDeps, job: JobRecord, owner: str, reason: str) -> None:
    """Nothing more is written: the tenant is not what was approved."""
    now = deps.clock.now()
    await deps.store.set_state(
        job.id, owner, now, state=JobState.STALE, release=False, error=reason
    )
    logger.info("Job %s is stale: %s", job.id, reason)
    await settle(deps, job.id, owner)


async def settle(
    deps: ApplyDeps, job_id: str, owner: str, rows: list[ChangeRow] | None = None
) -> None:
    """Move the request to where the job ended, send the report, stamp the job notified.

    `rows` are the job's rows when the caller just had them (the outbox reads them)."""
    job = await deps.store.get_job(RequestId(job_id))
    if job is None:
        return
    request = await get_request(deps.tenant_id, job.request_id, uow=deps.uow)
    if rows is None:
        rows = await deps.store.rows(job_id)
    findings = findings_of(job.report)
    people = None
    if job.state is JobState.DONE and job.outcome is not None:
        phase = Phase.DONE
        view = apply_view(request, rows, phase, findings=findings, outcome=job.outcome)
        if request.state is RequestState.APPLYING:
            request = await _event(deps, request, EVENT_OF[job.outcome], summary_line(view))
        if wants_messages(request) and telling_takes_long(rows, deps.settings.notices_per_second):
            interim = apply_view(
                request, rows, phase, findings=findings, outcome=job.outcome,
                attempt=job.attempt, people=PeopleTold(telling=True),
            )  # fmt: skip
            await deps.reporter.interim(request, interim)
        people = await tell_people(deps, request, rows, job.report.get(BEFORE) or {}, owner)
    else:
        phase = Phase.STALE
        if request.state in (RequestState.APPROVED, RequestState.APPLYING):
            request = await _event(deps, request, RequestEvent.MARK_STALE, job.error or "")
    view = apply_view(
        request,
        rows,
        phase,
        findings=findings,
        outcome=job.outcome,
        note=job.error or "",
        attempt=job.attempt,
        people=people,
    )
    await deps.reporter.report(request, view)
    await deps.store.mark_notified(job_id, owner, deps.clock.now())


async def _event(
    deps: ApplyDeps, request: ChangeRequest, event: RequestEvent, reason: str
) -> ChangeRequest:
    try:
        moved = await apply_event(
            deps.tenant_id,
            request.id,
            event,
            actor=Actor.system(deps.tenant_id),
            uow=deps.uow,
            clock=deps.clock,
            reason=reason,
        )
    except RequestRefused:
        # Someone moved the request meanwhile (it was cancelled): report what it is now.
        return await get_request(deps.tenant_id, request.id, uow=deps.uow)
    return moved.request
