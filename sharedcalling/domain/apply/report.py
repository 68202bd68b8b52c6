"""Results of an apply: per change, per user, and the job's outcome; read-back verification."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sharedcalling.domain.apply.readback import in_place, shown_text
from sharedcalling.domain.apply.status import DONE_STATUSES, ChangeStatus, JobOutcome
from sharedcalling.domain.names import fold, policy_key
from sharedcalling.domain.planning.changes import Change, GrantGroupPolicy
from sharedcalling.domain.policy import effective_policy
from sharedcalling.domain.rules.model import SubjectKind
from sharedcalling.domain.tenant import TenantSnapshot


class UserOutcome(StrEnum):
    DONE = "done"
    """Changed, and the tenant shows it."""
    COMPLIANT = "compliant"
    """Nothing had to change: every change was already in place."""
    FAILED = "failed"
    UNVERIFIED = "unverified"
    """Written, but the tenant does not show the configuration the plan wants."""
    AWAITING = "awaiting"
    """Delivered by a group assignment that Teams has not propagated to the user yet."""
    PENDING = "pending"
    """Not finished yet (the job is running or paused)."""


_PRECEDENCE = (
    UserOutcome.FAILED,
    UserOutcome.UNVERIFIED,
    UserOutcome.PENDING,
    UserOutcome.AWAITING,
    UserOutcome.DONE,
    UserOutcome.COMPLIANT,
)


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """One change of a job as it stands, with the reason when it failed or is unverified."""

    change: Change
    status: ChangeStatus
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """What verification found about one subject (a user, or a group for propagation)."""

    subject_id: str
    outcome: UserOutcome
    reason: str
    display: str = ""


@dataclass(frozen=True, slots=True)
class UserResult:
    user_id: str
    display: str
    outcome: UserOutcome
    reason: str = ""


def _status_outcome(result: ChangeResult) -> tuple[UserOutcome, str]:
    if result.status is ChangeStatus.FAILED:
        return UserOutcome.FAILED, result.error or "failed"
    if result.status is ChangeStatus.SUCCEEDED:
        return UserOutcome.DONE, ""
    if result.status is ChangeStatus.SKIPPED:
        return UserOutcome.COMPLIANT, ""
    return UserOutcome.PENDING, ""


def user_results(
    results: Sequence[ChangeResult], findings: Iterable[Finding] = ()
) -> tuple[UserResult, ...]:
    """One result per user the changes touch, worst outcome first wins, in change order."""
    order: dict[str, UserResult] = {}
    found = {fold(f.subject_id): f for f in findings}
    for result in results:
        subject = result.change.subject
        if subject.kind is not SubjectKind.USER:
            continue
        outcome, reason = _status_outcome(result)
        key = fold(subject.id)
        if outcome in (UserOutcome.DONE, UserOutcome.COMPLIANT) and key in found:
            outcome, reason = found[key].outcome, found[key].reason
        known = order.get(key)
        if known is None or _PRECEDENCE.index(outcome) < _PRECEDENCE.index(known.outcome):
            order[key] = UserResult(subject.id, subject.display, outcome, reason)
    # Members reached through a group grant have no change of their own.
    for key, finding in found.items():
        if key not in order and finding.outcome in (UserOutcome.AWAITING, UserOutcome.UNVERIFIED):
            display = finding.display or finding.subject_id
            order[key] = UserResult(finding.subject_id, display, finding.outcome, finding.reason)
    return tuple(order.values())


def job_outcome(results: Sequence[ChangeResult], findings: Iterable[Finding] = ()) -> JobOutcome:
    """APPLIED when every change is in place and verified; FAILED when no change could be made
    and some failed; PARTIALLY_APPLIED otherwise."""
    failed = [r for r in results if r.status is ChangeStatus.FAILED]
    unverified = [f for f in findings if f.outcome is UserOutcome.UNVERIFIED]
    if not failed and not unverified:
        return JobOutcome.APPLIED
    if failed and not any(r.status is ChangeStatus.SUCCEEDED for r in results):
        return JobOutcome.FAILED
    return JobOutcome.PARTIALLY_APPLIED


def verify(
    results: Sequence[ChangeResult], snapshot: TenantSnapshot, still_needed: Sequence[Change]
) -> tuple[Finding, ...]:
    """Read-back after apply. A change reported done that the tenant does not show, or a change
    a fresh plan still asks for, makes its subject unverified; a group grant whose members do
    not yet resolve to the policy makes them awaiting (Teams propagates group assignments
    slowly, SC-P08)."""
    findings: dict[str, Finding] = {}
    for result in results:
        change = result.change
        if result.status not in DONE_STATUSES:
            continue
        if not in_place(change, snapshot):
            shown = shown_text(change, snapshot)
            reason = f"{change.kind.value} was written, but Teams shows {shown}"
            findings.setdefault(fold(change.subject.id), _unverified(change, reason))
        elif isinstance(change, GrantGroupPolicy):
            for member in _members_without(change, snapshot):
                reason = f'waiting for Teams to deliver "{change.policy_name}" from the group'
                user = snapshot.user(member)
                display = user.display_name if user is not None else member
                found = Finding(member, UserOutcome.AWAITING, reason, display)
                findings.setdefault(fold(member), found)
    for change in still_needed:
        reason = f"a fresh plan still needs {change.kind.value} ({_fact_text(change)})"
        findings.setdefault(fold(change.subject.id), _unverified(change, reason))
    return tuple(findings.values())


def _unverified(change: Change, reason: str) -> Finding:
    return Finding(change.subject.id, UserOutcome.UNVERIFIED, reason)


def _members_without(change: GrantGroupPolicy, snapshot: TenantSnapshot) -> list[str]:
    group = snapshot.group(change.group_id)
    members = group.member_ids if group is not None else ()
    wanted = policy_key(change.policy_name)
    return [
        member
        for member in members
        if policy_key(effective_policy(member, change.policy_type, snapshot).name) != wanted
    ]


def _fact_text(change: Change) -> str:
    fact = change.as_fact()
    return f"{fact.get('before')} \u2192 {fact.get('after')}"


def counts(results: Sequence[ChangeResult]) -> Mapping[ChangeStatus, int]:
    """How many changes stand at each status (every status present, zero included)."""
    tally = dict.fromkeys(ChangeStatus, 0)
    for result in results:
        tally[result.status] += 1
    return tally
