"""Plan a request again, from what it stores, against the tenant as it is now.

A set-up (or self-service, or fix) request stores its DesiredState: it is planned again the way
`services.planning.preview_plan` plans it (one snapshot of its accounts, `plan()` with derived
countries). A revert stores its target changes (the recorded before-values written back): they
are planned again with `plan_revert`. Either way the result carries the fingerprint to compare
with the approved one, and the snapshot it was made from (read-back verification uses it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sharedcalling.domain.apply import accounts_to_read, plan_revert
from sharedcalling.domain.apply.revert import NotRevertible
from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.planning import Change, JsonValue, plan
from sharedcalling.domain.planning.codec import change_from_json, change_to_json, desired_from_json
from sharedcalling.domain.requests import ChangeRequest, RequestKind
from sharedcalling.domain.rules import Severity
from sharedcalling.domain.tenant import TenantSnapshot
from sharedcalling.services.planning import with_derived_countries
from sharedcalling.services.ports import SnapshotScope, TenantReader

REVERT_FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class JobPlan:
    """What the tenant still needs for a request, and the facts it was decided on."""

    changes: tuple[Change, ...]
    fingerprint: str
    snapshot: TenantSnapshot
    attested: frozenset[str] = frozenset()
    """`code:subject id` of the WARN findings an approver must acknowledge."""
    blocked: Mapping[str, str] = field(default_factory=dict)
    """Users the plan leaves out, with the finding that blocks each."""


async def replan(request: ChangeRequest, tenant: TenantReader) -> JobPlan:
    """The request's plan as the tenant needs it now; ValueError for a request whose stored
    form this version cannot read."""
    if request.kind is RequestKind.REVERT:
        targets = revert_targets_from_json(request.desired)
        scope = SnapshotScope(user_ids=[UserId(i) for i in accounts_to_read(targets)])
        snapshot = await tenant.snapshot(scope)
        revert = plan_revert(targets, snapshot)
        return JobPlan(revert.changes, revert.fingerprint, snapshot)
    desired = desired_from_json(request.desired)
    scope = SnapshotScope(user_ids=(*desired.user_ids, desired.resource_account_id))
    snapshot = await tenant.snapshot(scope)
    result = plan(with_derived_countries(desired, snapshot), snapshot)
    blocked_ids = set(result.blocked_user_ids)
    blocked = {
        f.subject.id: f"{f.code}: {f.message}"
        for f in reversed(result.findings)  # reversed: the first blocking finding wins
        if f.subject.id in blocked_ids and f.severity is Severity.BLOCK
    }
    return JobPlan(
        changes=result.changes,
        fingerprint=result.fingerprint,
        snapshot=snapshot,
        attested=frozenset(f"{f.code}:{f.subject.id}" for f in result.attestations),
        blocked=blocked,
    )


def revert_desired_to_json(
    parent_id: RequestId, targets: Sequence[Change], refused: Sequence[NotRevertible]
) -> dict[str, JsonValue]:
    """What a revert request stores as its `desired`: the changes that write the recorded
    before-values back, and what the revert cannot undo (shown to the approvers)."""
    return {
        "v": REVERT_FORMAT_VERSION,
        "kind": "revert",
        "revert_of": parent_id,
        "targets": [change_to_json(c) for c in targets],
        "not_revertible": [
            {"change": change_to_json(r.change), "reason": r.reason} for r in refused
        ],
    }


def revert_targets_from_json(data: Mapping[str, Any]) -> tuple[Change, ...]:
    if data.get("v") != REVERT_FORMAT_VERSION or data.get("kind") != "revert":
        raise ValueError("not a stored revert")
    return tuple(change_from_json(item) for item in data["targets"])
