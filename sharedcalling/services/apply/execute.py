"""Carry out a job's changes: level by level, test-then-set in chunks, each write recorded.

For each level (a run of one kind, see `domain.apply.order`) the changes not yet finished are
taken in chunks. A chunk is read once (one snapshot of its accounts); a change already in place
is skipped (or, if a crash interrupted its write, recorded as succeeded); a change whose needed
change failed is not attempted; the rest are marked running (with the value they replace) in one
transaction, then written, paced by the TenantPacer, and their results recorded together. A crash
anywhere leaves rows pending or running, and both are read again before anything is written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from sharedcalling import correlation
from sharedcalling.domain.apply import (
    FINISHED_STATUSES,
    ChangeStatus,
    accounts_to_read,
    current_value,
    describe,
    in_place,
    levels,
    needs,
)
from sharedcalling.domain.ids import UserId
from sharedcalling.services.apply.freeze import FreezeGate
from sharedcalling.services.apply.store import ApplyStore, ChangeRow, RowUpdate
from sharedcalling.services.changes import apply_change
from sharedcalling.services.ports import Clock, SnapshotScope, TenantError, TenantGateway
from sharedcalling.services.write_tags import WriteTag, tagged

logger = logging.getLogger(__name__)


class Stop(StrEnum):
    """Why an execution ended before every change was finished."""

    FROZEN = "frozen"
    LEASE_LOST = "lease_lost"
    BROKEN = "broken"
    """An unexpected error (a bug): the failure is recorded and the run stops."""
    UNREADABLE = "unreadable"
    """The tenant could not be read to test changes (after retries): try again later."""


@dataclass
class Execution:
    """The running state of one job's rows; `stop` set ends it at the next change boundary."""

    rows: dict[int, ChangeRow]
    status: dict[int, ChangeStatus]
    stop: Stop | None = None
    on_progress: Callable[[], Awaitable[None]] | None = None
    errors: dict[int, str] = field(default_factory=dict)
    problem: str = ""
    """What stopped the run, for the job's error and the progress card."""

    @classmethod
    def of(cls, rows: Sequence[ChangeRow]) -> Execution:
        return cls({r.seq: r for r in rows}, {r.seq: r.status for r in rows})

    def current_rows(self) -> list[ChangeRow]:
        """The rows with the statuses and errors recorded during this execution."""
        return [
            replace(row, status=self.status[seq], error=self.errors.get(seq, row.error))
            for seq, row in sorted(self.rows.items())
        ]


@dataclass(frozen=True)
class Executor:
    job_id: str
    request_id: str
    owner: str
    """The lease token of this run (fences every record it makes)."""
    worker: str
    """The process running it, as the write log names it."""
    tenant: TenantGateway
    store: ApplyStore
    clock: Clock
    gate: FreezeGate
    chunk_size: int = 50
    parallel_chunks: int = 3

    async def run(self, execution: Execution) -> Stop | None:
        """Carry out every unfinished row; returns why it stopped early, or None."""
        seqs = sorted(execution.rows)
        changes = [execution.rows[s].change for s in seqs]
        needed = {
            seqs[i]: tuple(seqs[n] for n in wanted) for i, wanted in enumerate(needs(changes))
        }
        for level in levels(changes):
            if execution.stop is not None:
                break
            todo = [seqs[i] for i in level if execution.status[seqs[i]] not in FINISHED_STATUSES]
            blocked = await self._not_attempted(execution, todo, needed)
            ready = [s for s in todo if s not in blocked]
            await self._chunks(execution, ready)
        return execution.stop

    async def _not_attempted(
        self, execution: Execution, todo: list[int], needed: dict[int, tuple[int, ...]]
    ) -> set[int]:
        updates = []
        for seq in todo:
            failed = [n for n in needed[seq] if execution.status[n] is ChangeStatus.FAILED]
            if failed:
                reason = f"not attempted: {describe(execution.rows[failed[0]].change)} failed"
                updates.append(RowUpdate(seq, ChangeStatus.FAILED, reason))
        await self._record(execution, updates)
        return {u.seq for u in updates}

    async def _chunks(self, execution: Execution, ready: list[int]) -> None:
        slots = asyncio.Semaphore(self.parallel_chunks)

        async def one(chunk: list[int]) -> None:
            async with slots:
                if execution.stop is None:
                    await self._chunk(execution, chunk)

        size = max(1, self.chunk_size)
        chunks = [ready[i : i + size] for i in range(0, len(ready), size)]
        await asyncio.gather(*(one(c) for c in chunks))

    async def _chunk(self, execution: Execution, seqs: list[int]) -> None:
        changes = [execution.rows[s].change for s in seqs]
        scope = SnapshotScope(user_ids=[UserId(i) for i in accounts_to_read(changes)])
        try:
            snapshot = await self.tenant.snapshot(scope)
        except TenantError as error:
            execution.stop, execution.problem = Stop.UNREADABLE, _error_text(error)
            return
        found, starting = [], []
        for seq, change in zip(seqs, changes, strict=True):
            if in_place(change, snapshot):
                # A running row was interrupted by a crash after its write reached the tenant.
                was_running = execution.status[seq] is ChangeStatus.RUNNING
                status = ChangeStatus.SUCCEEDED if was_running else ChangeStatus.SKIPPED
                found.append(RowUpdate(seq, status))
            else:
                recorded = execution.rows[seq].before
                before = recorded if recorded is not None else current_value(change, snapshot)
                starting.append(RowUpdate(seq, ChangeStatus.RUNNING, before=before))
        if not await self._record(execution, [*found, *starting]):
            return
        results = await asyncio.gather(*(self._write(execution, u.seq) for u in starting))
        await self._record(execution, list(results))

    async def _write(self, execution: Execution, seq: int) -> RowUpdate:
        """One change: stop at this boundary when frozen or the lease is gone, else write."""
        if execution.stop is None and await self.gate.frozen():
            execution.stop = Stop.FROZEN
        if execution.stop is not None:
            return RowUpdate(seq, ChangeStatus.PENDING)  # never started: nothing to re-check
        change = execution.rows[seq].change
        tag = WriteTag(
            self.request_id, self.job_id, seq, change.kind.value, change.subject.id, self.worker
        )
        try:
            with tagged(tag):
                await apply_change(change, tenant=self.tenant)
        except TenantError as error:
            return RowUpdate(seq, ChangeStatus.FAILED, _error_text(error))
        except Exception:  # the per-change boundary: record the failure, stop the run
            logger.exception("Unexpected error applying %s of job %s", change.kind, self.job_id)
            execution.stop, execution.problem = Stop.BROKEN, "an unexpected error"
            text = f"unexpected error; see the bot's log (correlation id {correlation.current()})"
            return RowUpdate(seq, ChangeStatus.FAILED, text)
        return RowUpdate(seq, ChangeStatus.SUCCEEDED)

    async def _record(self, execution: Execution, updates: list[RowUpdate]) -> bool:
        """Store the updates (fenced by the lease); False and stop when the lease is lost."""
        if not updates:
            return True
        if not await self.store.update_rows(self.job_id, self.owner, updates, self.clock.now()):
            execution.stop = Stop.LEASE_LOST
            return False
        for update in updates:
            execution.status[update.seq] = update.status
            if update.error:
                execution.errors[update.seq] = update.error
        if execution.on_progress is not None:
            await execution.on_progress()
        return True


def _error_text(error: TenantError) -> str:
    text = str(error) or type(error).__name__
    return f"{text} (Graph request id {error.request_id})" if error.request_id else text
