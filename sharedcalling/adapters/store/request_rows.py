"""Rows of `change_requests` to ChangeRequest and back: the explicit mappers of the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.requests import (
    ChangeRequest,
    Decision,
    RequestKind,
    RequestState,
)


def to_row(request: ChangeRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "tenant_id": request.tenant_id,
        "kind": request.kind.value,
        "state": request.state.value,
        "version": request.version,
        # Object ids are stored folded, so that lookups never depend on the case a backend used.
        "requester_id": fold(request.requester_id),
        "requester_name": request.requester_name,
        "beneficiary_id": fold(request.beneficiary_id) if request.beneficiary_id else None,
        "parent_id": request.parent_id,
        "justification": request.justification,
        "fingerprint": request.fingerprint,
        "required_approvals": request.required_approvals,
        "decisions": [_decision_row(d) for d in request.decisions],
        "user_ids": [fold(u) for u in request.user_ids],
        "attested": list(request.attested),
        "desired": dict(request.desired),
        "plan": dict(request.plan),
        "created_at": request.created_at,
        "updated_at": request.updated_at,
        "expires_at": request.expires_at,
        "reminded_at": request.reminded_at,
    }


def from_row(row: Any) -> ChangeRequest:
    return ChangeRequest(
        id=RequestId(row.id),
        tenant_id=TenantId(row.tenant_id),
        kind=RequestKind(row.kind),
        state=RequestState(row.state),
        requester_id=UserId(row.requester_id),
        requester_name=row.requester_name,
        justification=row.justification,
        fingerprint=row.fingerprint,
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        required_approvals=row.required_approvals,
        decisions=tuple(_decision(d) for d in row.decisions),
        user_ids=tuple(UserId(u) for u in row.user_ids),
        attested=tuple(row.attested),
        beneficiary_id=UserId(row.beneficiary_id) if row.beneficiary_id else None,
        parent_id=RequestId(row.parent_id) if row.parent_id else None,
        desired=row.desired,
        plan=row.plan,
        reminded_at=row.reminded_at,
        version=row.version,
    )


def _decision_row(decision: Decision) -> dict[str, Any]:
    return {
        "actor_id": decision.actor_id,
        "actor_name": decision.actor_name,
        "approve": decision.approve,
        "at": decision.at.isoformat(),
        "fingerprint": decision.fingerprint,
        "reason": decision.reason,
    }


def _decision(data: dict[str, Any]) -> Decision:
    return Decision(
        actor_id=UserId(data["actor_id"]),
        actor_name=data["actor_name"],
        approve=bool(data["approve"]),
        at=datetime.fromisoformat(data["at"]),
        fingerprint=data["fingerprint"],
        reason=data.get("reason", ""),
    )
