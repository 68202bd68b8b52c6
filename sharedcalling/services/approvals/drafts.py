"""Turn a desired state into a request draft: plan it on a fresh snapshot, store what cards show.

The stored plan is the versioned plan JSON of `services/exports/json_export.py` plus a
`resource_account` section (name and number as they were at submit) and `notable_findings`
(the first BLOCK and WARN findings and their count), so that approval cards render without
reading the tenant or walking thousands of findings.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.planning import Plan
from sharedcalling.domain.planning.codec import desired_from_json, desired_to_json
from sharedcalling.domain.requests import ChangeRequest, RequestKind
from sharedcalling.services.exports.json_export import plan_to_json
from sharedcalling.services.planning import PlanPreview, preview_plan
from sharedcalling.services.ports import SnapshotScope, TenantGateway
from sharedcalling.services.requests import RequestDraft


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    draft: RequestDraft
    preview: PlanPreview


async def prepare_request(
    desired: DesiredState,
    *,
    tenant: TenantGateway,
    justification: str,
    attested: Collection[str] = (),
    kind: RequestKind = RequestKind.SETUP,
    beneficiary_id: UserId | None = None,
    parent_id: RequestId | None = None,
) -> PreparedRequest:
    """Plan `desired` now; InvalidInput when nothing could be applied (the plan blocks)."""
    preview = await preview_plan(desired, tenant=tenant)
    if preview.plan.blocked:
        codes = ", ".join(sorted(preview.findings_by_code)) or "no users"
        raise InvalidInput(f"This plan is blocked ({codes}); fix that before submitting it.")
    document = await plan_document(preview.plan, tenant=tenant)
    draft = RequestDraft(
        kind=kind,
        desired=desired_to_json(desired),
        plan=document,
        fingerprint=preview.plan.fingerprint,
        user_ids=preview.plan.desired.user_ids,
        justification=justification,
        attested=attested,
        beneficiary_id=beneficiary_id,
        parent_id=parent_id,
    )
    return PreparedRequest(draft, preview)


async def plan_document(plan: Plan, *, tenant: TenantGateway) -> dict[str, Any]:
    """The plan as a request stores it (see the module docstring); every submitter uses it."""
    document: dict[str, Any] = dict(plan_to_json(plan))
    document["resource_account"] = await _resource_account(plan.desired.resource_account_id, tenant)
    document["notable_findings"] = _notable(document)
    return document


async def current_fingerprint(request: ChangeRequest, *, tenant: TenantGateway) -> str:
    """Re-read the tenant and re-plan the request's stored desired state."""
    preview = await preview_plan(desired_from_json(request.desired), tenant=tenant)
    return preview.plan.fingerprint


def open_attestations(prepared: PreparedRequest, attested: Collection[str]) -> list[str]:
    """Keys of WARN findings that need an acknowledgement the requester has not given."""
    given = set(attested)
    wanted = [f"{f.code}:{f.subject.id}" for f in prepared.preview.plan.attestations]
    return [key for key in wanted if key not in given]


NOTABLE_FINDINGS = 8
"""BLOCK and WARN findings a card lists; the stored summary keeps a card from walking them all."""


def _notable(document: dict[str, Any]) -> dict[str, Any]:
    findings = document.get("findings")
    relevant = [
        f
        for f in (findings if isinstance(findings, list) else [])
        if isinstance(f, dict) and f.get("severity") in ("BLOCK", "WARN")
    ]
    return {"shown": relevant[:NOTABLE_FINDINGS], "total": len(relevant)}


async def _resource_account(account_id: str, tenant: TenantGateway) -> dict[str, Any]:
    snapshot = await tenant.snapshot(SnapshotScope(user_ids=[UserId(account_id)]))
    account = snapshot.user(account_id)
    numbers = [n.telephone_number for n in snapshot.numbers_of(account_id)]
    return {
        "id": account_id,
        "display": account.display_name if account is not None else account_id,
        "upn": account.user_principal_name if account is not None else "",
        "number": numbers[0] if numbers else None,
    }
