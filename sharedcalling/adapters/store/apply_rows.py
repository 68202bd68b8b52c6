"""Rows of `apply_jobs` and `apply_job_changes` to and from the ApplyStore's records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update

from sharedcalling.adapters.store.tables import apply_job_changes
from sharedcalling.domain.apply import FINISHED_STATUSES, ChangeStatus, JobOutcome, JobState
from sharedcalling.domain.ids import RequestId, TenantId
from sharedcalling.domain.planning import Change
from sharedcalling.domain.planning.codec import change_from_json, change_to_json
from sharedcalling.services.apply.store import ChangeRow, JobRecord, Lease, RowUpdate


def job_of(row: Any) -> JobRecord:
    lease = None
    if row.lease_owner is not None and row.lease_expires_at is not None:
        lease = Lease(row.lease_owner, row.lease_expires_at)
    return JobRecord(
        id=row.id,
        tenant_id=TenantId(row.tenant_id),
        request_id=RequestId(row.request_id),
        state=JobState(row.state),
        attempt=row.attempt,
        planned=bool(row.planned),
        created_at=row.created_at,
        lease=lease,
        outcome=JobOutcome(row.outcome) if row.outcome else None,
        next_run_at=row.next_run_at,
        verify_until=row.verify_until,
        report=row.report or {},
        error=row.error,
        finished_at=row.finished_at,
        notified_at=row.notified_at,
    )


def row_values(job_id: str, seq: int, change: Change) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "seq": seq,
        "kind": change.kind.value,
        "subject_id": change.subject.id,
        "change": change_to_json(change),
        "status": ChangeStatus.PENDING.value,
        "attempts": 0,
    }


def row_of(row: Any) -> ChangeRow:
    result = row.result or {}
    before = result.get("before")
    return ChangeRow(
        seq=row.seq,
        change=change_from_json(row.change),
        status=ChangeStatus(row.status),
        attempts=row.attempts,
        error=row.error,
        before=before if isinstance(before, dict) else None,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def stamp_of(status: ChangeStatus) -> str:
    if status is ChangeStatus.RUNNING:
        return "start"
    return "finish" if status in FINISHED_STATUSES else "none"


def row_params(job_id: str, item: RowUpdate) -> dict[str, Any]:
    params: dict[str, Any] = {
        "p_job": job_id,
        "p_seq": item.seq,
        "p_status": item.status.value,
        "p_error": item.error,
    }
    if item.before is not None:
        params["p_result"] = {"before": dict(item.before)}
    return params


def row_update(stamp: str, with_before: bool, at: datetime) -> Any:
    """RUNNING counts an attempt and stamps the start; finished statuses stamp the end."""
    table = apply_job_changes
    values: dict[str, Any] = {"status": bindparam("p_status"), "error": bindparam("p_error")}
    if stamp == "start":
        values.update(attempts=table.c.attempts + 1, started_at=at, finished_at=None)
    elif stamp == "finish":
        values["finished_at"] = at
    if with_before:
        values["result"] = bindparam("p_result", type_=table.c.result.type)
    return (
        update(table)
        .where(table.c.job_id == bindparam("p_job"), table.c.seq == bindparam("p_seq"))
        .values(**values)
    )
