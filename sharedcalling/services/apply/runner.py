"""Run one leased job: re-read and re-plan first, then write, then verify and report.

Before any write the request is planned again against the tenant (`replan`):

- on its first run the fresh plan's fingerprint must equal the approved one, else the request
  turns STALE and nothing is written; the job's rows are the fresh plan's changes;
- on a later run (after a crash, a freeze, a retry of failed changes) some changes are already
  written, so the fingerprint moved on; what the tenant still needs must then be among the
  changes the job still has to make (and no new attestation may appear), else STALE.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from sharedcalling.domain.apply import FINISHED_STATUSES, JobState
from sharedcalling.domain.planning import Change
from sharedcalling.domain.requests import Actor, ChangeRequest, RequestEvent, RequestState
from sharedcalling.services.apply.deps import ApplyDeps
from sharedcalling.services.apply.execute import Execution, Executor, Stop
from sharedcalling.services.apply.finish import finish, go_stale, retry_later, reverify
from sharedcalling.services.apply.freeze import freeze_state
from sharedcalling.services.apply.replan import JobPlan, replan
from sharedcalling.services.apply.store import ChangeRow, JobRecord, Lease
from sharedcalling.services.apply.tell import BEFORE, before_facts
from sharedcalling.services.apply.views import ApplyView, Phase, apply_view, running_view
from sharedcalling.services.ports import TenantError
from sharedcalling.services.requests import apply_event, get_request

logger = logging.getLogger(__name__)

RUNNABLE_REQUESTS = frozenset({RequestState.APPROVED, RequestState.APPLYING})
ATTESTATIONS = "attestations"
"""Key of the job report: the attestations the approved plan needed."""


def stale_reason(
    job: JobRecord, request: ChangeRequest, plan: JobPlan, rows: list[ChangeRow]
) -> str:
    """Why the job may not write, or "" when it may."""
    if not job.planned:
        if plan.fingerprint != request.fingerprint:
            return (
                "the tenant changed after approval (the plan's fingerprint is no longer the "
                "approved one); nothing was written"
            )
        return ""
    remaining = {fact_key(r.change) for r in rows if r.status not in FINISHED_STATUSES}
    extra = [c for c in plan.changes if fact_key(c) not in remaining]
    if extra:
        return (
            f"the tenant changed while the request was applied: it now also needs "
            f"{extra[0].kind.value} for {extra[0].subject.display}, which nobody approved"
        )
    new = sorted(plan.attested - set(job.report.get(ATTESTATIONS, ())))
    if new:
        return f"the tenant changed while the request was applied: {new[0]} now needs attesting"
    return ""


def fact_key(change: Change) -> str:
    """A change as its fingerprint sees it (kind, subject, before, after), as one string."""
    return json.dumps(change.as_fact(), sort_keys=True, ensure_ascii=False)


@dataclass
class JobRun:
    deps: ApplyDeps
    job: JobRecord
    owner: str
    """This run's lease token: a run whose lease passed on records nothing more."""
    worker: str = ""
    """The process, as the write log names it."""

    async def run(self) -> None:
        deps = self.deps
        request = await get_request(deps.tenant_id, self.job.request_id, uow=deps.uow)
        if request.state not in RUNNABLE_REQUESTS and self.job.state is not JobState.VERIFYING:
            await self._orphan(request)
            return
        execution = Execution({}, {})
        heartbeat = asyncio.create_task(self._heartbeat(execution))
        try:
            await self._run(request, execution)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _run(self, request: ChangeRequest, execution: Execution) -> None:
        deps, job = self.deps, self.job
        if job.state is JobState.VERIFYING:
            await reverify(deps, job, self.owner, request)
            return
        if await deps.gate.frozen(fresh=True):
            await self._pause(request, await deps.store.rows(job.id))
            return
        try:
            plan = await replan(request, deps.tenant)
        except TenantError as error:
            await retry_later(deps, job, self.owner, request, str(error))
            return
        except ValueError as error:  # a stored request this version cannot read: never guess
            await go_stale(deps, job, self.owner, f"the stored request cannot be read ({error})")
            return
        rows = await deps.store.rows(job.id) if job.planned else []
        reason = stale_reason(job, request, plan, rows)
        if reason:
            await go_stale(deps, job, self.owner, reason)
            return
        if not job.planned:
            # The people's caller IDs before anything is written, to tell them what changed.
            before = await asyncio.to_thread(before_facts, plan.changes, plan.snapshot)
            facts = {ATTESTATIONS: sorted(plan.attested), BEFORE: before}
            await deps.store.plan_rows(job.id, self.owner, plan.changes, deps.clock.now(), facts)
            rows = await deps.store.rows(job.id)
        request = await self._start(request)
        await self._execute(request, rows, execution)

    async def _start(self, request: ChangeRequest) -> ChangeRequest:
        deps = self.deps
        if request.state is RequestState.APPROVED:
            moved = await apply_event(
                deps.tenant_id,
                request.id,
                RequestEvent.START_APPLY,
                actor=Actor.system(deps.tenant_id),
                uow=deps.uow,
                clock=deps.clock,
            )
            request = moved.request
        await deps.store.set_state(
            self.job.id, self.owner, deps.clock.now(), state=JobState.RUNNING, release=False
        )
        return request

    async def _execute(
        self, request: ChangeRequest, rows: list[ChangeRow], execution: Execution
    ) -> None:
        deps = self.deps
        execution.rows = {r.seq: r for r in rows}
        execution.status = {r.seq: r.status for r in rows}
        progress = _Progress(deps, request, execution, self.job.attempt)
        execution.on_progress = progress.maybe
        if not any(r.status in FINISHED_STATUSES for r in rows):
            await deps.reporter.started(request, progress.view(Phase.APPLYING))
        executor = Executor(
            self.job.id,
            request.id,
            self.owner,
            self.worker or self.owner,
            deps.tenant,
            deps.store,
            deps.clock,
            deps.gate,
            chunk_size=deps.settings.chunk_size,
        )
        stop = await executor.run(execution)
        await progress.settled()
        rows = execution.current_rows()  # as recorded: every status went through the store
        if stop is Stop.LEASE_LOST:
            logger.warning("Lost the lease of job %s; another worker continues it", self.job.id)
        elif stop is Stop.FROZEN:
            await self._pause(request, rows)
        elif stop is Stop.UNREADABLE:
            await retry_later(deps, self.job, self.owner, request, execution.problem, rows)
        else:
            await finish(deps, self.job, self.owner, request, rows)

    async def _pause(self, request: ChangeRequest, rows: list[ChangeRow]) -> None:
        deps = self.deps
        await deps.store.set_state(
            self.job.id, self.owner, deps.clock.now(), state=JobState.PAUSED, release=True
        )
        freeze = await freeze_state(deps.store, deps.tenant_id)
        why = f": {freeze.reason}" if freeze.reason else ""
        note = f"Paused by the change freeze ({freeze.by}{why}); it continues after resume."
        if rows:
            view = apply_view(request, rows, Phase.PAUSED, note=note, attempt=self.job.attempt)
            await deps.reporter.progress(request, view)
        logger.info("Job %s paused by the change freeze", self.job.id)

    async def _orphan(self, request: ChangeRequest) -> None:
        """The request left the apply (cancelled, expired) before its job ran: drop the job."""
        deps = self.deps
        now = deps.clock.now()
        await deps.store.set_state(
            self.job.id,
            self.owner,
            now,
            state=JobState.STALE,
            release=False,
            error=f"the request is {request.state.value}",
        )
        await deps.store.mark_notified(self.job.id, self.owner, now)

    async def _heartbeat(self, execution: Execution) -> None:
        deps, every = self.deps, self.deps.settings.lease_seconds / 3
        while True:
            await asyncio.sleep(every)
            now = deps.clock.now()
            lease = Lease(self.owner, now + timedelta(seconds=deps.settings.lease_seconds))
            try:
                kept = await deps.store.renew(self.job.id, lease, now)
            except Exception:  # a database hiccup: try again; the lease outlives two misses
                logger.exception("Could not renew the lease of job %s", self.job.id)
                continue
            if not kept:
                execution.stop = Stop.LEASE_LOST
                return


@dataclass
class _Progress:
    """Rate-bounded progress updates from a running execution, off the write path."""

    deps: ApplyDeps
    request: ChangeRequest
    execution: Execution
    attempt: int
    task: asyncio.Task[None] | None = None

    def view(self, phase: Phase) -> ApplyView:
        execution = self.execution
        return running_view(
            self.request,
            execution.rows,
            execution.status,
            execution.errors,
            phase,
            attempt=self.attempt,
        )

    async def maybe(self) -> None:
        reporter = self.deps.reporter
        if (self.task is not None and not self.task.done()) or not reporter.due(self.request.id):
            return
        view = self.view(Phase.APPLYING)
        self.task = asyncio.create_task(reporter.progress(self.request, view))

    async def settled(self) -> None:
        """Wait for the update in flight, so that it cannot land after the report."""
        if self.task is not None:
            with contextlib.suppress(Exception):
                await self.task
