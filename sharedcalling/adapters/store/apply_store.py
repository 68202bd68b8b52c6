"""SqlApplyStore: apply jobs, change rows, leases and control flags; each method one transaction.

Leases are taken and checked inside SQL statements: on PostgreSQL the runnable job is selected
`FOR UPDATE SKIP LOCKED`, so replicas polling together each get a different job; on SQLite the
transaction begins IMMEDIATE (one writer at a time) and the lease is a conditional UPDATE whose
row count says who won. Every write of a leased job carries `lease_owner = :owner AND
lease_expires_at > :now`, so a worker whose lease expired records nothing more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sharedcalling.adapters.store.apply_notices import NoticeRows
from sharedcalling.adapters.store.apply_rows import (
    job_of,
    row_of,
    row_params,
    row_update,
    row_values,
    stamp_of,
)
from sharedcalling.adapters.store.dialect import insert_for, upsert
from sharedcalling.adapters.store.engine import SQLITE_BEGIN
from sharedcalling.adapters.store.tables import apply_job_changes, apply_jobs, control_flags
from sharedcalling.domain.apply import ChangeStatus, JobOutcome, JobState
from sharedcalling.domain.ids import RequestId, TenantId
from sharedcalling.domain.planning import Change
from sharedcalling.services.apply.store import (
    ApplyStore,
    ChangeRow,
    Flag,
    JobRecord,
    Lease,
    RowUpdate,
)

_RUNNABLE = (JobState.QUEUED.value, JobState.PAUSED.value, JobState.RUNNING.value)
_REPORTABLE = (JobState.DONE.value, JobState.STALE.value)
_ROW_BATCH = 500
"""Rows per INSERT statement when a job is planned (1,000 users make 4,000 rows)."""


class SqlApplyStore(NoticeRows, ApplyStore):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that will write: IMMEDIATE on SQLite (it reads first, then writes)."""
        async with self._engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                await connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            async with connection.begin():
                yield connection

    # ------------------------------------------------------------------------------ jobs

    async def create_job(self, tenant_id: TenantId, request_id: RequestId, at: datetime) -> bool:
        values = {
            "id": request_id,
            "tenant_id": tenant_id,
            "request_id": request_id,
            "attempt": 1,
            "state": JobState.QUEUED.value,
            "version": 0,
            "created_at": at,
            "planned": False,
        }
        async with self._write() as connection:
            # No conflict target: two inserts racing conflict on the id and on (request_id,
            # attempt) at once, and PostgreSQL raises for a conflict outside the target.
            statement = insert_for(connection, apply_jobs).on_conflict_do_nothing()
            return bool((await connection.execute(statement, values)).rowcount == 1)

    async def get_job(self, request_id: RequestId) -> JobRecord | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(apply_jobs).where(apply_jobs.c.id == request_id))
            ).first()
        return None if row is None else job_of(row)

    async def jobs(
        self, tenant_id: TenantId, *, states: Collection[JobState] = (), limit: int = 100
    ) -> list[JobRecord]:
        query = select(apply_jobs).where(apply_jobs.c.tenant_id == tenant_id)
        if states:
            query = query.where(apply_jobs.c.state.in_([s.value for s in states]))
        query = query.order_by(apply_jobs.c.created_at, apply_jobs.c.id).limit(limit)
        async with self._engine.connect() as connection:
            return [job_of(row) for row in (await connection.execute(query)).all()]

    async def count_by_state(self, tenant_id: TenantId) -> dict[JobState, int]:
        query = (
            select(apply_jobs.c.state, func.count())
            .where(apply_jobs.c.tenant_id == tenant_id)
            .group_by(apply_jobs.c.state)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return {JobState(state): int(count) for state, count in rows}

    async def lease_next(self, tenant_id: TenantId, lease: Lease, at: datetime) -> JobRecord | None:
        runnable = and_(
            apply_jobs.c.tenant_id == tenant_id,
            or_(
                apply_jobs.c.state.in_(_RUNNABLE),
                and_(
                    apply_jobs.c.state == JobState.VERIFYING.value,
                    apply_jobs.c.next_run_at.is_not(None),
                ),
            ),
            or_(apply_jobs.c.next_run_at.is_(None), apply_jobs.c.next_run_at <= at),
        )
        return await self._claim(runnable, lease, at)

    async def claim_report(
        self, tenant_id: TenantId, lease: Lease, at: datetime
    ) -> JobRecord | None:
        reportable = and_(
            apply_jobs.c.tenant_id == tenant_id,
            apply_jobs.c.state.in_(_REPORTABLE),
            apply_jobs.c.notified_at.is_(None),
        )
        return await self._claim(reportable, lease, at)

    async def _claim(
        self, wanted: ColumnElement[bool], lease: Lease, at: datetime
    ) -> JobRecord | None:
        free = or_(apply_jobs.c.lease_owner.is_(None), apply_jobs.c.lease_expires_at <= at)
        query = (
            select(apply_jobs.c.id)
            .where(wanted, free)
            .order_by(apply_jobs.c.created_at, apply_jobs.c.id)
            .limit(1)
        )
        async with self._write() as connection:
            if connection.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            job_id = (await connection.execute(query)).scalar_one_or_none()
            if job_id is None:
                return None
            # Conditional, so that on any dialect only one claimant's UPDATE matches.
            claimed = await connection.execute(
                update(apply_jobs)
                .where(apply_jobs.c.id == job_id, free)
                .values(
                    lease_owner=lease.owner,
                    lease_expires_at=lease.expires_at,
                    heartbeat_at=at,
                    version=apply_jobs.c.version + 1,
                )
                .returning(*apply_jobs.c)
            )
            row = claimed.first()
        return None if row is None else job_of(row)

    @staticmethod
    def _held(job_id: str, owner: str, at: datetime) -> ColumnElement[bool]:
        return and_(
            apply_jobs.c.id == job_id,
            apply_jobs.c.lease_owner == owner,
            apply_jobs.c.lease_expires_at > at,
        )

    async def renew(self, job_id: str, lease: Lease, at: datetime) -> bool:
        statement = (
            update(apply_jobs)
            .where(self._held(job_id, lease.owner, at))
            .values(lease_expires_at=lease.expires_at, heartbeat_at=at)
        )
        async with self._write() as connection:
            return bool((await connection.execute(statement)).rowcount == 1)

    async def release(self, job_id: str, owner: str, at: datetime) -> bool:
        statement = (
            update(apply_jobs)
            .where(self._held(job_id, owner, at))
            .values(lease_owner=None, lease_expires_at=None)
        )
        async with self._write() as connection:
            return bool((await connection.execute(statement)).rowcount == 1)

    async def set_state(
        self,
        job_id: str,
        owner: str,
        at: datetime,
        *,
        state: JobState,
        release: bool,
        next_run_at: datetime | None = None,
        verify_until: datetime | None = None,
        outcome: JobOutcome | None = None,
        report: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> bool:
        values: dict[str, Any] = {"state": state.value, "next_run_at": next_run_at, "error": error}
        if verify_until is not None:
            values["verify_until"] = verify_until
        if outcome is not None:
            values.update(outcome=outcome.value, finished_at=at)
        if report is not None:
            values["report"] = dict(report)
        if release:
            values.update(lease_owner=None, lease_expires_at=None)
        statement = update(apply_jobs).where(self._held(job_id, owner, at)).values(**values)
        async with self._write() as connection:
            return bool((await connection.execute(statement)).rowcount == 1)

    # ------------------------------------------------------------------------------ rows

    async def plan_rows(
        self,
        job_id: str,
        owner: str,
        changes: Sequence[Change],
        at: datetime,
        report: Mapping[str, Any] | None = None,
    ) -> bool:
        values: dict[str, Any] = {"planned": True}
        if report is not None:
            values["report"] = dict(report)
        async with self._write() as connection:
            held = await connection.execute(
                update(apply_jobs)
                .where(self._held(job_id, owner, at), apply_jobs.c.planned.is_(False))
                .values(**values)
            )
            if held.rowcount != 1:
                return False
            rows = [row_values(job_id, seq, change) for seq, change in enumerate(changes)]
            for start in range(0, len(rows), _ROW_BATCH):
                await connection.execute(
                    apply_job_changes.insert(), rows[start : start + _ROW_BATCH]
                )
        return True

    async def rows(self, job_id: str) -> list[ChangeRow]:
        query = (
            select(apply_job_changes)
            .where(apply_job_changes.c.job_id == job_id)
            .order_by(apply_job_changes.c.seq)
        )
        async with self._engine.connect() as connection:
            return [row_of(row) for row in (await connection.execute(query)).all()]

    async def update_rows(
        self, job_id: str, owner: str, updates: Sequence[RowUpdate], at: datetime
    ) -> bool:
        if not updates:
            return True
        async with self._write() as connection:
            held = await connection.execute(
                update(apply_jobs).where(self._held(job_id, owner, at)).values(heartbeat_at=at)
            )
            if held.rowcount != 1:
                return False
            # One executemany per shape of update: the write lock is held for one round trip
            # per shape, not one per row (on SQLite every other writer waits for it).
            groups: dict[tuple[str, bool], list[dict[str, Any]]] = {}
            for item in updates:
                shape = (stamp_of(item.status), item.before is not None)
                groups.setdefault(shape, []).append(row_params(job_id, item))
            for (stamp, with_before), params in groups.items():
                await connection.execute(row_update(stamp, with_before, at), params)
        return True

    async def restart(
        self, job_id: str, seqs: Collection[int], at: datetime, *, expected_attempt: int
    ) -> bool:
        async with self._write() as connection:
            moved = await connection.execute(
                update(apply_jobs)
                .where(
                    apply_jobs.c.id == job_id,
                    apply_jobs.c.state == JobState.DONE.value,
                    apply_jobs.c.attempt == expected_attempt,
                )
                .values(
                    state=JobState.QUEUED.value,
                    attempt=expected_attempt + 1,
                    outcome=None,
                    finished_at=None,
                    notified_at=None,
                    next_run_at=None,
                    error=None,
                )
            )
            if moved.rowcount != 1:
                return False
            if seqs:
                await connection.execute(
                    update(apply_job_changes)
                    .where(
                        apply_job_changes.c.job_id == job_id,
                        apply_job_changes.c.seq.in_(sorted(seqs)),
                    )
                    .values(status=ChangeStatus.PENDING.value, error=None, finished_at=None)
                )
        return True

    async def mark_notified(self, job_id: str, owner: str, at: datetime) -> bool:
        statement = (
            update(apply_jobs)
            .where(self._held(job_id, owner, at))
            .values(notified_at=at, lease_owner=None, lease_expires_at=None)
        )
        async with self._write() as connection:
            return bool((await connection.execute(statement)).rowcount == 1)

    # ------------------------------------------------------------------------------ flags

    async def get_flag(self, tenant_id: TenantId, name: str) -> Flag | None:
        query = select(control_flags).where(
            control_flags.c.tenant_id == tenant_id, control_flags.c.name == name
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            return None
        return Flag(row.name, row.value, row.updated_at, row.updated_by)

    async def set_flag(
        self, tenant_id: TenantId, name: str, value: Mapping[str, Any], by: str, at: datetime
    ) -> None:
        values = {
            "tenant_id": tenant_id,
            "name": name,
            "value": dict(value),
            "updated_at": at,
            "updated_by": by,
        }
        async with self._write() as connection:
            statement = upsert(connection, control_flags, ["value", "updated_at", "updated_by"])
            await connection.execute(statement, values)
