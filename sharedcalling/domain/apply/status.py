"""The vocabulary of apply jobs: per-change statuses, job states and outcomes."""

from __future__ import annotations

from enum import StrEnum


class ChangeStatus(StrEnum):
    """Where one change of a job stands."""

    PENDING = "pending"
    RUNNING = "running"
    """Its write was started; after a crash it is read again before anything is written."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Already in place when read just before the write: nothing was written."""


FINISHED_STATUSES = frozenset({ChangeStatus.SUCCEEDED, ChangeStatus.FAILED, ChangeStatus.SKIPPED})
DONE_STATUSES = frozenset({ChangeStatus.SUCCEEDED, ChangeStatus.SKIPPED})
"""The change is in place, written by this job or found so."""


class JobState(StrEnum):
    """Where an apply job stands. Queued, paused and verifying jobs are leased by a worker."""

    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    """Stopped at a change boundary by the change freeze; continues after resume."""
    VERIFYING = "verifying"
    """Every change is written; group assignments are re-verified on a schedule."""
    DONE = "done"
    STALE = "stale"
    """The tenant changed after approval: nothing was written."""


LEASABLE_STATES = frozenset(
    {JobState.QUEUED, JobState.RUNNING, JobState.PAUSED, JobState.VERIFYING}
)


class JobOutcome(StrEnum):
    """How a finished job ended; maps onto the request's final state."""

    APPLIED = "applied"
    PARTIALLY_APPLIED = "partially_applied"
    FAILED = "failed"
