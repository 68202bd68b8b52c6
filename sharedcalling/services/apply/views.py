"""Read models of an apply for cards and commands: progress while it runs, the final report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sharedcalling.domain.apply import (
    ChangeResult,
    ChangeStatus,
    Finding,
    JobOutcome,
    UserOutcome,
    UserResult,
    counts,
    describe,
    user_results,
)
from sharedcalling.domain.requests import ChangeRequest, RequestKind
from sharedcalling.domain.rules.model import SubjectKind
from sharedcalling.services.apply.store import ChangeRow


class Phase(StrEnum):
    """Where an apply stands, as a person reads it."""

    APPLYING = "applying"
    PAUSED = "paused"
    """Frozen by an admin; continues after resume."""
    WAITING = "waiting"
    """The tenant could not be read; the job tries again shortly."""
    VERIFYING = "verifying"
    """Written; waiting for Teams to deliver group assignments."""
    DONE = "done"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class TenantChange:
    """A change that is not about one user (a policy, the resource account, a group)."""

    text: str
    status: ChangeStatus
    error: str = ""


@dataclass(frozen=True, slots=True)
class PeopleTold:
    """How the personal caller-ID messages of an apply stand (issue 15), for its report."""

    enabled: bool = True
    """False: the admin turned the messages off for this request."""
    told: int = 0
    not_told: tuple[str, ...] = ()
    """`Name (reason)`, by name."""
    problem: str = ""
    """Why nobody could be told (the tenant could not be read)."""
    telling: bool = False
    """The messages are going out now: the report shown meanwhile, updated once they have."""


@dataclass(frozen=True, slots=True)
class ApplyView:
    """Everything a progress or report card shows about one request's apply."""

    request_id: str
    kind: RequestKind
    requester_name: str
    phase: Phase
    total: int
    tally: Mapping[ChangeStatus, int]
    users: tuple[UserResult, ...] = ()
    tenant_changes: tuple[TenantChange, ...] = ()
    outcome: JobOutcome | None = None
    note: str = ""
    """Why it paused, waits or went stale; a freeze's reason."""
    not_revertible: tuple[str, ...] = ()
    attempt: int = 1
    people: PeopleTold | None = None
    """The people told about their new caller ID; None before the report."""

    @property
    def finished(self) -> int:
        t = self.tally
        return t[ChangeStatus.SUCCEEDED] + t[ChangeStatus.SKIPPED] + t[ChangeStatus.FAILED]

    @property
    def failed(self) -> int:
        return self.tally[ChangeStatus.FAILED]

    def users_with(self, *outcomes: UserOutcome) -> tuple[UserResult, ...]:
        return tuple(u for u in self.users if u.outcome in outcomes)

    @property
    def can_retry(self) -> bool:
        return self.phase is Phase.DONE and self.outcome in (
            JobOutcome.PARTIALLY_APPLIED,
            JobOutcome.FAILED,
        )

    @property
    def can_revert(self) -> bool:
        return (
            self.phase is Phase.DONE
            and self.kind is not RequestKind.REVERT
            and self.tally[ChangeStatus.SUCCEEDED] > 0
        )


def change_results(rows: Sequence[ChangeRow]) -> list[ChangeResult]:
    return [ChangeResult(r.change, r.status, r.error) for r in rows]


def findings_of(report: Mapping[str, Any]) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            str(f["subject_id"]),
            UserOutcome(f["outcome"]),
            str(f["reason"]),
            str(f.get("display", "")),
        )
        for f in report.get("findings", ())
    )


def findings_to_json(findings: Sequence[Finding]) -> list[dict[str, str]]:
    return [
        {
            "subject_id": f.subject_id,
            "outcome": f.outcome.value,
            "reason": f.reason,
            "display": f.display,
        }
        for f in findings
    ]


def apply_view(
    request: ChangeRequest,
    rows: Sequence[ChangeRow],
    phase: Phase,
    *,
    findings: Sequence[Finding] = (),
    outcome: JobOutcome | None = None,
    note: str = "",
    attempt: int = 1,
    people: PeopleTold | None = None,
) -> ApplyView:
    results = change_results(rows)
    others = tuple(
        TenantChange(describe(r.change), r.status, r.error or "")
        for r in results
        if r.change.subject.kind is not SubjectKind.USER
    )
    refused = tuple(
        str(item.get("reason", "")) for item in request.desired.get("not_revertible", ())
    )
    return ApplyView(
        request_id=request.id,
        kind=request.kind,
        requester_name=request.requester_name,
        phase=phase,
        total=len(rows),
        tally=counts(results),
        users=user_results(results, findings),
        tenant_changes=others,
        outcome=outcome,
        note=note,
        not_revertible=refused,
        attempt=attempt,
        people=people,
    )


def running_view(
    request: ChangeRequest,
    rows: Mapping[int, ChangeRow],
    status: Mapping[int, ChangeStatus],
    errors: Mapping[int, str],
    phase: Phase,
    *,
    attempt: int = 1,
) -> ApplyView:
    """Progress of a running job from its live statuses, in time linear in the failures only:
    a progress card shows counts and what failed so far, not every person."""
    tally = dict.fromkeys(ChangeStatus, 0)
    for value in status.values():
        tally[value] += 1
    failed = [
        ChangeResult(rows[seq].change, ChangeStatus.FAILED, errors.get(seq))
        for seq, value in status.items()
        if value is ChangeStatus.FAILED
    ]
    others = tuple(
        TenantChange(describe(r.change), r.status, r.error or "")
        for r in failed
        if r.change.subject.kind is not SubjectKind.USER
    )
    return ApplyView(
        request_id=request.id,
        kind=request.kind,
        requester_name=request.requester_name,
        phase=phase,
        total=len(rows),
        tally=tally,
        users=user_results(failed),
        tenant_changes=others,
        attempt=attempt,
    )


def summary_line(view: ApplyView) -> str:
    """`SC-7K2M9QF4: 1,000 of 4,000 changes done, 2 failed.` and its final forms."""
    done = f"{view.finished:,} of {view.total:,} changes done"
    failed = f", {view.failed:,} failed" if view.failed else ""
    if view.phase is Phase.STALE:
        return f"{view.request_id} was not applied: {view.note}"
    if view.phase is Phase.PAUSED:
        return f"{view.request_id} is paused by the change freeze: {done}{failed}."
    if view.phase is Phase.WAITING:
        return f"{view.request_id} waits for Teams: {done}{failed}. {view.note}"
    if view.phase is Phase.VERIFYING:
        waiting = len(view.users_with(UserOutcome.AWAITING))
        return f"{view.request_id} is written; waiting for Teams to reach {waiting:,} users."
    if view.phase is Phase.DONE:
        return _final_line(view)
    return f"Applying {view.request_id}: {done}{failed}."


def _final_line(view: ApplyView) -> str:
    users = view.users
    done = len(view.users_with(UserOutcome.DONE, UserOutcome.COMPLIANT))
    trouble = len(view.users_with(UserOutcome.FAILED, UserOutcome.UNVERIFIED))
    verdict = {
        JobOutcome.APPLIED: "is applied",
        JobOutcome.PARTIALLY_APPLIED: "is partly applied",
        JobOutcome.FAILED: "failed",
    }[view.outcome or JobOutcome.FAILED]
    if not users:
        return f"{view.request_id} {verdict}: {view.finished:,} of {view.total:,} changes done."
    tail = f", {trouble:,} need attention" if trouble else ""
    return f"{view.request_id} {verdict}: {done:,} of {len(users):,} users done{tail}."
