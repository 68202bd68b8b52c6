"""ApplyWorker: the in-process task of each bot process that keeps every apply moving.

Each tick (every APPLY_POLL_SECONDS, and at once after an approval) it
1. persists a job for every approved request that has none (so an approval survives a process
   dying between its commit and the `after_approved` hook),
2. leases runnable jobs up to its share and runs each in a task of its own (nothing while the
   change freeze holds),
3. settles finished jobs whose report was not sent (the outbox: a crash after the end).
Exactly one worker holds a job's lease; when its process dies the lease expires and another
worker's tick takes the job over.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import uuid
from datetime import timedelta

from sharedcalling import correlation
from sharedcalling.domain.apply import JobState
from sharedcalling.domain.requests import RequestState
from sharedcalling.services.apply.deps import ApplyDeps
from sharedcalling.services.apply.finish import RETRY_LATER_SECONDS, settle
from sharedcalling.services.apply.runner import JobRun
from sharedcalling.services.apply.store import JobRecord, Lease
from sharedcalling.services.requests import find_requests

logger = logging.getLogger(__name__)


def worker_id() -> str:
    """Unique per process and start: host, pid and a random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ApplyWorker:
    def __init__(self, deps: ApplyDeps, owner: str | None = None) -> None:
        self.deps = deps
        self.owner = owner or worker_id()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._tick = asyncio.Lock()
        self._stopped = False
        self._runs = itertools.count(1)

    def _lease(self) -> Lease:
        """A fresh lease token per run, `<worker>#<n>`: if this process's own run lost its
        lease (a stalled event loop), a later run of the same job is fenced apart from it."""
        expires = self.deps.clock.now() + timedelta(seconds=self.deps.settings.lease_seconds)
        return Lease(f"{self.owner}#{next(self._runs)}", expires)

    async def tick(self) -> None:
        """One round of the three duties above; a tick already running makes this a no-op."""
        if self._tick.locked() or self._stopped:
            return
        async with self._tick:
            await self._ensure_jobs()
            if not await self.deps.gate.frozen(fresh=True):
                await self._start_jobs()
            await self._send_reports()

    def wake(self) -> None:
        """Run a tick now (after an approval, a retry, a resume) instead of at the next poll."""
        if self._stopped:
            return
        task = asyncio.create_task(self.tick(), name="apply:wake")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def running(self) -> frozenset[str]:
        return frozenset(self._running)

    async def idle(self) -> None:
        """Wait until the jobs and ticks running now have ended (tests, shutdown)."""
        await asyncio.gather(*self._tasks, *self._running.values(), return_exceptions=True)

    async def _ensure_jobs(self) -> None:
        deps = self.deps
        approved = await find_requests(
            deps.tenant_id, uow=deps.uow, states=[RequestState.APPROVED], limit=200
        )
        for request in approved:
            if await deps.store.create_job(deps.tenant_id, request.id, deps.clock.now()):
                logger.info("Queued the apply of %s (found approved without a job)", request.id)

    async def _start_jobs(self) -> None:
        deps = self.deps
        while len(self._running) < deps.settings.max_jobs and not self._stopped:
            lease = self._lease()
            job = await deps.store.lease_next(deps.tenant_id, lease, deps.clock.now())
            if job is None:
                return
            if job.id in self._running:
                # Our own run of it lost its lease and has not noticed yet: let it stop first.
                await deps.store.release(job.id, lease.owner, deps.clock.now())
                return
            task = asyncio.create_task(self._run(job, lease.owner), name=f"apply:{job.id}")
            self._running[job.id] = task

    async def _run(self, job: JobRecord, token: str) -> None:
        correlation.begin_turn(f"apply-{job.id}-{job.attempt}")
        logger.info("Running job %s (%s, attempt %d)", job.id, job.state.value, job.attempt)
        try:
            await JobRun(self.deps, job, token, self.owner).run()
        except asyncio.CancelledError:
            # Shutting down: hand the job over at once instead of after the lease expires.
            with contextlib.suppress(Exception):
                await self.deps.store.release(job.id, token, self.deps.clock.now())
            raise
        except Exception:
            logger.exception("Job %s failed; it is tried again later", job.id)
            await self._back_off(job, token)
        finally:
            self._running.pop(job.id, None)

    async def _back_off(self, job: JobRecord, token: str) -> None:
        now = self.deps.clock.now()
        current = await self.deps.store.get_job(job.request_id)
        state = current.state if current is not None else JobState.QUEUED
        with contextlib.suppress(Exception):
            await self.deps.store.set_state(
                job.id,
                token,
                now,
                state=state,
                release=True,
                next_run_at=now + timedelta(seconds=RETRY_LATER_SECONDS),
                error="an unexpected error; see the bot's log",
            )

    async def _send_reports(self) -> None:
        deps = self.deps
        while not self._stopped:
            lease = self._lease()
            job = await deps.store.claim_report(deps.tenant_id, lease, deps.clock.now())
            if job is None:
                return
            try:
                await settle(deps, job.id, lease.owner)
            except Exception:  # its lease expires and a later tick tries again
                logger.exception("Could not send the report of job %s", job.id)
                return

    async def stop(self) -> None:
        """Cancel every tick and job of this process; leases of running jobs are given up."""
        self._stopped = True
        tasks = [*self._tasks, *self._running.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
