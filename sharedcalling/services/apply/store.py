"""The ApplyStore port: durable apply jobs, their change rows, leases and control flags.

Each method is one atomic operation, so that no caller ever holds a transaction open across a
tenant call. Methods that change a leased job take the lease holder and fail (return False) once
the lease has passed to someone else: a worker that lost its lease cannot record anything more.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sharedcalling.domain.apply import ChangeStatus, JobOutcome, JobState
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.planning import Change


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds a job and until when (the fencing token of every write it records)."""

    owner: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class JobRecord:
    id: str
    tenant_id: TenantId
    request_id: RequestId
    state: JobState
    attempt: int
    """How many runs the job had; each retry of failed changes starts another."""
    planned: bool
    """Whether its change rows were written (after the re-plan confirmed the approved plan)."""
    created_at: datetime
    lease: Lease | None = None
    outcome: JobOutcome | None = None
    next_run_at: datetime | None = None
    verify_until: datetime | None = None
    report: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    finished_at: datetime | None = None
    notified_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One change of a job. `before` is the value its write replaced, recorded just before the
    write was started (a revert restores it)."""

    seq: int
    change: Change
    status: ChangeStatus = ChangeStatus.PENDING
    attempts: int = 0
    error: str | None = None
    before: Mapping[str, Any] | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RowUpdate:
    """A status to record for one row; `before` None keeps what was recorded."""

    seq: int
    status: ChangeStatus
    error: str | None = None
    before: Mapping[str, Any] | None = None


class NoticeState(StrEnum):
    """Where one person's caller-ID message stands (issue 15, "tell the people changed")."""

    SENDING = "sending"
    """Claimed: a process is sending it now (or died while sending: never sent again)."""
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PersonNotice:
    """The one message a person gets about a request that changed their caller ID."""

    request_id: RequestId
    user_id: UserId
    display_name: str
    state: NoticeState
    attempts: int
    owner: str
    claimed_at: datetime
    reason: str = ""
    """Why it was not sent (`app not installed`), for the report card."""


@dataclass(frozen=True, slots=True)
class Flag:
    """A switch that survives restarts (the change freeze), with who set it and when."""

    name: str
    value: Mapping[str, Any]
    updated_at: datetime
    updated_by: str


class ApplyStore(abc.ABC):
    # ---- jobs
    @abc.abstractmethod
    async def create_job(self, tenant_id: TenantId, request_id: RequestId, at: datetime) -> bool:
        """Insert the request's job (queued, unplanned) unless it exists; True when inserted."""

    @abc.abstractmethod
    async def get_job(self, request_id: RequestId) -> JobRecord | None: ...

    @abc.abstractmethod
    async def jobs(
        self, tenant_id: TenantId, *, states: Collection[JobState] = (), limit: int = 100
    ) -> list[JobRecord]:
        """Jobs oldest first, filtered by state when given."""

    @abc.abstractmethod
    async def count_by_state(self, tenant_id: TenantId) -> dict[JobState, int]:
        """How many of the tenant's jobs are in each state (states without jobs left out)."""

    @abc.abstractmethod
    async def lease_next(self, tenant_id: TenantId, lease: Lease, at: datetime) -> JobRecord | None:
        """Lease the oldest runnable job: queued, paused, verifying, or running under an expired
        lease (its worker died), and due (`next_run_at` unset or passed). Exactly one caller
        gets each job."""

    @abc.abstractmethod
    async def renew(self, job_id: str, lease: Lease, at: datetime) -> bool:
        """Extend the lease to `lease.expires_at`; False when it is no longer held."""

    @abc.abstractmethod
    async def release(self, job_id: str, owner: str, at: datetime) -> bool:
        """Give the lease up without changing the job (a worker shutting down)."""

    @abc.abstractmethod
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
        """Record the job's state (fenced by the lease); `release` gives the lease up."""

    # ---- rows
    @abc.abstractmethod
    async def plan_rows(
        self,
        job_id: str,
        owner: str,
        changes: Sequence[Change],
        at: datetime,
        report: Mapping[str, Any] | None = None,
    ) -> bool:
        """Write one pending row per change and mark the job planned (fenced), with the facts
        of the approved plan a later run compares with (`report`)."""

    @abc.abstractmethod
    async def rows(self, job_id: str) -> list[ChangeRow]:
        """Every row of the job in sequence order."""

    @abc.abstractmethod
    async def update_rows(
        self, job_id: str, owner: str, updates: Sequence[RowUpdate], at: datetime
    ) -> bool:
        """Record statuses (fenced). RUNNING counts an attempt and stamps the start; finished
        statuses stamp the end."""

    @abc.abstractmethod
    async def restart(
        self, job_id: str, seqs: Collection[int], at: datetime, *, expected_attempt: int
    ) -> bool:
        """Put the rows `seqs` back to pending and the finished job back in the queue for
        another run; False when the job is not finished or another restart won."""

    # ---- the final report's outbox
    @abc.abstractmethod
    async def claim_report(
        self, tenant_id: TenantId, lease: Lease, at: datetime
    ) -> JobRecord | None:
        """Lease a finished or stale job whose report was not sent yet (none leased it, or its
        lease expired: the sender died), so that one process sends it."""

    @abc.abstractmethod
    async def mark_notified(self, job_id: str, owner: str, at: datetime) -> bool:
        """The report was sent: stamp it and give the lease up (fenced)."""

    # ---- the people a request changed (one message each)
    @abc.abstractmethod
    async def claim_notice(
        self,
        tenant_id: TenantId,
        request_id: RequestId,
        user_id: UserId,
        display_name: str,
        owner: str,
        at: datetime,
    ) -> bool:
        """Record that `owner` sends this person's message now; False when a row exists (it was
        sent, failed, or is being sent): exactly one caller ever gets True per request and
        person."""

    @abc.abstractmethod
    async def finish_notice(
        self,
        request_id: RequestId,
        user_id: UserId,
        owner: str,
        at: datetime,
        *,
        sent: bool,
        attempts: int,
        reason: str = "",
    ) -> bool:
        """Record how the claimed message ended; False when `owner` does not hold the claim."""

    @abc.abstractmethod
    async def notices(self, request_id: RequestId) -> list[PersonNotice]:
        """Every person's message of the request, by display name."""

    # ---- control flags
    @abc.abstractmethod
    async def get_flag(self, tenant_id: TenantId, name: str) -> Flag | None: ...

    @abc.abstractmethod
    async def set_flag(
        self, tenant_id: TenantId, name: str, value: Mapping[str, Any], by: str, at: datetime
    ) -> None: ...
