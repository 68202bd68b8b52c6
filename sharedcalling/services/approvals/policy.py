"""The approval policy as settings: approvers, approvals needed, expiry and its reminder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sharedcalling.domain.requests import DEFAULT_EXPIRY
from sharedcalling.services.requests import RequestPolicy

DEFAULT_REMINDER_BEFORE = timedelta(hours=24)
MIN_NOTICE = timedelta(hours=1)
"""A request never expires sooner than this after its reminder went out (the bot may have
been down when the reminder was due; the reminder then moves the deadline)."""
MAX_REFRESH_USERS = 60
"""Teams refreshes a card automatically for at most 60 listed users (`refresh.userIds`)."""


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    """How requests are approved: N distinct approvals of the approver group, expiry after one
    reminder, and an optional channel that gets a copy of every approval card."""

    required_approvals: int = 1
    expiry: timedelta = DEFAULT_EXPIRY
    reminder_before: timedelta = DEFAULT_REMINDER_BEFORE
    channel_id: str = ""

    @property
    def request_policy(self) -> RequestPolicy:
        return RequestPolicy(required_approvals=self.required_approvals, expiry=self.expiry)

    @property
    def effective_reminder_before(self) -> timedelta:
        """The reminder lead, never more than half the expiry window."""
        return min(self.reminder_before, self.expiry / 2)

    @property
    def notice(self) -> timedelta:
        return min(MIN_NOTICE, self.effective_reminder_before)

    def describe(self, group_name: str) -> str:
        approvals = (
            "1 approval"
            if self.required_approvals == 1
            else (f"{self.required_approvals} approvals")
        )
        return (
            f"{approvals} from {group_name} (never the requester); one rejection ends it; "
            f"expires after {_hours(self.expiry)} with a reminder "
            f"{_hours(self.effective_reminder_before)} before"
        )


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    if hours >= 1 and hours == int(hours):
        return f"{int(hours)} h"
    if hours >= 1:
        return f"{hours:.1f} h"
    return f"{max(1, round(hours * 60))} min"
