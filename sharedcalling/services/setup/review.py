"""Set-up step 6: the plan as the admin reviews it, per user and per finding, and submitting it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.planning import Change, ChangeKind, GrantGroupPolicy, GrantPolicy
from sharedcalling.domain.planning import plan as make_plan
from sharedcalling.domain.rules import Finding, Severity, SubjectKind
from sharedcalling.domain.tenant import TenantSnapshot
from sharedcalling.services.planning import PlanPreview, with_derived_countries
from sharedcalling.services.ports import SnapshotScope, TenantGateway
from sharedcalling.services.setup.draft import SetupDraft
from sharedcalling.services.unit_of_work import UnitOfWorkFactory

PLAN_LEVEL = frozenset(
    {
        SubjectKind.TENANT,
        SubjectKind.RESOURCE_ACCOUNT,
        SubjectKind.NUMBER,
        SubjectKind.POLICY,
        SubjectKind.GROUP,
    }
)


class RowState(StrEnum):
    CHANGES = "changes"
    COMPLIANT = "compliant"
    BLOCKED = "blocked"
    LOCKED = "locked"
    """In another open request: submitting would be refused for this person."""


@dataclass(frozen=True, slots=True)
class UserRow:
    user_id: UserId
    display: str
    state: RowState
    details: tuple[str, ...]
    """What changes for the person, or why they are blocked (with rule codes)."""


@dataclass(frozen=True, slots=True)
class FindingGroup:
    """The findings of one rule and severity: how many, one example, and their keys."""

    code: str
    severity: Severity
    count: int
    example: str
    keys: tuple[str, ...]
    """`code:subject id` of each finding: what an attestation records."""
    about_people: bool = False

    @property
    def id(self) -> str:
        """Stable while the findings are: what a card's tick names, checked again at submit."""
        digest = hashlib.sha256("\n".join(self.keys).encode()).hexdigest()[:10]
        return f"{self.code}.{digest}"


@dataclass(frozen=True, slots=True)
class SetupReview:
    preview: PlanPreview
    rows: tuple[UserRow, ...]
    plan_blocks: tuple[Finding, ...]
    attestations: tuple[FindingGroup, ...]
    warnings: tuple[FindingGroup, ...]
    changes: tuple[tuple[ChangeKind, int], ...]
    locked: Mapping[UserId, RequestId]

    @property
    def can_submit(self) -> bool:
        return not self.preview.plan.blocked and not self.preview.plan.is_empty and not self.locked

    @property
    def fingerprint(self) -> str:
        return self.preview.plan.fingerprint


def finding_key(finding: Finding) -> str:
    return f"{finding.code}:{finding.subject.id}"


async def review_setup(
    draft: SetupDraft, *, tenant_id: TenantId, tenant: TenantGateway, uow: UnitOfWorkFactory
) -> SetupReview:
    """Plan the draft against a fresh snapshot, and find users held by other open requests."""
    desired = draft.desired()
    scope = SnapshotScope(user_ids=(*desired.user_ids, desired.resource_account_id))
    snapshot = await tenant.snapshot(scope)
    plan = make_plan(with_derived_countries(desired, snapshot), snapshot)
    grouped: dict[str, list[Finding]] = {}
    for finding in plan.findings:
        grouped.setdefault(finding.code, []).append(finding)
    preview = PlanPreview(plan, {code: tuple(items) for code, items in sorted(grouped.items())})
    async with uow() as work:
        locked = await work.locks.holders(tenant_id, plan.changing_user_ids)
    return SetupReview(
        preview=preview,
        rows=_rows(preview, snapshot, locked),
        plan_blocks=tuple(
            f
            for f in plan.findings
            if f.severity is Severity.BLOCK and f.subject.kind in PLAN_LEVEL
        ),
        attestations=_groups(f for f in plan.findings if f.attest),
        warnings=_groups(f for f in plan.findings if f.severity is Severity.WARN and not f.attest),
        changes=_change_counts(plan.changes),
        locked=dict(locked),
    )


def _groups(findings: Iterable[Finding]) -> tuple[FindingGroup, ...]:
    """People's findings of one rule together (there may be thousands), with one example;
    every other finding (the account, a number, the policy, the group) on its own."""
    grouped: dict[tuple[str, Severity, str], list[Finding]] = {}
    for finding in findings:
        detail = "" if finding.subject.kind is SubjectKind.USER else finding.message
        grouped.setdefault((finding.code, finding.severity, detail), []).append(finding)
    return tuple(
        FindingGroup(
            code,
            severity,
            len(items),
            items[0].message,
            tuple(map(finding_key, items)),
            about_people=not detail,
        )
        for (code, severity, detail), items in sorted(grouped.items())
    )


def _change_counts(changes: tuple[Change, ...]) -> tuple[tuple[ChangeKind, int], ...]:
    counts: dict[ChangeKind, int] = {}
    for change in changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    return tuple(sorted(counts.items(), key=lambda item: item[0].order))


_CHANGE_WORDS = {
    ChangeKind.ENABLE_VOICE: "enable enterprise voice",
    ChangeKind.USER_GRANT_VRP: "grant voice routing policy {policy}",
    ChangeKind.USER_GRANT_ECRP: "grant emergency call routing policy {policy}",
    ChangeKind.SCP_GRANT_USER: "grant Shared Calling policy {policy}",
}


def _rows(
    preview: PlanPreview, snapshot: TenantSnapshot, locked: Mapping[UserId, RequestId]
) -> tuple[UserRow, ...]:
    """One row per requested person: changing first, then blocked, then already compliant."""
    plan = preview.plan
    details: dict[str, list[str]] = {}
    for change in plan.changes:
        if change.subject.kind is SubjectKind.USER:
            details.setdefault(change.subject.id, []).append(_describe(change))
    group = next((c for c in plan.changes if isinstance(c, GrantGroupPolicy)), None)
    for finding in plan.findings:
        if finding.subject.kind is not SubjectKind.USER:
            continue
        if finding.severity is Severity.BLOCK:
            details.setdefault(finding.subject.id, []).append(f"{finding.code}: {finding.message}")
        elif group is not None and ChangeKind.SCP_GRANT_GROUP in finding.changes:
            via = f"receives {group.policy_name} through group {group.subject.display}"
            details.setdefault(finding.subject.id, []).append(via)
    rows = []
    for state, ids in (
        (RowState.CHANGES, plan.changing_user_ids),
        (RowState.BLOCKED, plan.blocked_user_ids),
        (RowState.COMPLIANT, plan.compliant_user_ids),
    ):
        for user_id in ids:
            held = locked.get(user_id)
            extra = (f"already in open request {held}",) if held else ()
            rows.append(
                UserRow(
                    user_id,
                    _display(snapshot, user_id),
                    RowState.LOCKED if held else state,
                    (*extra, *details.get(user_id, ())),
                )
            )
    return tuple(rows)


def _display(snapshot: TenantSnapshot, user_id: str) -> str:
    user = snapshot.user(user_id)
    return user_id if user is None else f"{user.display_name} ({user.user_principal_name})"


def _describe(change: Change) -> str:
    template = _CHANGE_WORDS.get(change.kind, change.kind.value)
    policy = change.policy_name if isinstance(change, GrantPolicy) else ""
    return template.format(policy=policy)
