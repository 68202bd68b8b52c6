"""Apply jobs, pure: statuses, apply order, test-then-set read-back, reverts and results."""

from sharedcalling.domain.apply.order import describe, levels, needs
from sharedcalling.domain.apply.readback import accounts_to_read, current_value, in_place
from sharedcalling.domain.apply.report import (
    ChangeResult,
    Finding,
    UserOutcome,
    UserResult,
    counts,
    job_outcome,
    user_results,
    verify,
)
from sharedcalling.domain.apply.revert import (
    AppliedChange,
    NotRevertible,
    RevertPlan,
    plan_revert,
    revert_targets,
)
from sharedcalling.domain.apply.status import (
    DONE_STATUSES,
    FINISHED_STATUSES,
    LEASABLE_STATES,
    ChangeStatus,
    JobOutcome,
    JobState,
)

__all__ = [
    "DONE_STATUSES",
    "FINISHED_STATUSES",
    "LEASABLE_STATES",
    "AppliedChange",
    "ChangeResult",
    "ChangeStatus",
    "Finding",
    "JobOutcome",
    "JobState",
    "NotRevertible",
    "RevertPlan",
    "UserOutcome",
    "UserResult",
    "accounts_to_read",
    "counts",
    "current_value",
    "describe",
    "in_place",
    "job_outcome",
    "levels",
    "needs",
    "plan_revert",
    "revert_targets",
    "user_results",
    "verify",
]
