"""Hazard records to rows of `hazard_findings` and back."""

from __future__ import annotations

from typing import Any

from sharedcalling.domain.hazards import HazardClass, HazardState
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.rules.model import Subject, SubjectKind


def hazard_to_row(hazard: Hazard) -> dict[str, Any]:
    return {
        "id": hazard.id,
        "tenant_id": hazard.tenant_id,
        "key": hazard.key,
        "code": hazard.code,
        "state": hazard.state.value,
        "hazard_class": hazard.hazard_class.value,
        "subject_kind": hazard.subject.kind.value,
        "subject_id": hazard.subject.id,
        "subject_display": hazard.subject.display,
        "message": hazard.message,
        "expected": hazard.expected,
        "observed": hazard.observed,
        "changes": [list(change) for change in hazard.changes],
        "facts": dict(hazard.facts) if hazard.facts is not None else None,
        "policy_names": list(hazard.policy_names),
        "request_ids": list(hazard.request_ids),
        "affected_user_ids": list(hazard.affected_user_ids),
        "affected_count": hazard.affected_count,
        "first_seen": hazard.first_seen,
        "last_seen": hazard.last_seen,
        "closed_at": hazard.closed_at,
        "resolution": hazard.resolution,
        "announced_at": hazard.announced_at,
        "deliveries": [list(d) for d in hazard.deliveries],
        "fix_request_id": hazard.fix_request_id,
        "version": hazard.version,
    }


def hazard_from_row(row: Any) -> Hazard:
    return Hazard(
        id=row.id,
        tenant_id=TenantId(row.tenant_id),
        key=row.key,
        code=row.code,
        state=HazardState(row.state),
        hazard_class=HazardClass(row.hazard_class),
        subject=Subject(SubjectKind(row.subject_kind), row.subject_id, row.subject_display),
        message=row.message,
        expected=row.expected,
        observed=row.observed,
        changes=tuple((str(a), str(b), str(c)) for a, b, c in row.changes),
        facts=dict(row.facts) if row.facts is not None else None,
        policy_names=tuple(row.policy_names),
        request_ids=tuple(RequestId(r) for r in row.request_ids),
        affected_user_ids=tuple(UserId(u) for u in row.affected_user_ids),
        affected_count=row.affected_count,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        closed_at=row.closed_at,
        resolution=row.resolution,
        announced_at=row.announced_at,
        deliveries=tuple((str(c), str(a)) for c, a in row.deliveries),
        fix_request_id=RequestId(row.fix_request_id) if row.fix_request_id else None,
        version=row.version,
    )
