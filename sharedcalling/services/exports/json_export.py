"""The plan as versioned JSON: findings with code, severity and subject; changes with their id."""

from __future__ import annotations

from sharedcalling.domain.planning import Change, JsonValue, Plan
from sharedcalling.domain.rules import Finding, Subject

PLAN_FORMAT = "sharedcalling.plan"
PLAN_FORMAT_VERSION = 1


def plan_to_json(plan: Plan) -> dict[str, JsonValue]:
    """A JSON-ready dict; `json.dumps(..., ensure_ascii=False)` it for output."""
    desired = plan.desired
    emergency = desired.emergency_numbers
    group = desired.group_assignment
    return {
        "format": PLAN_FORMAT,
        "version": PLAN_FORMAT_VERSION,
        "fingerprint": plan.fingerprint,
        "desired": {
            "resource_account_id": desired.resource_account_id,
            "policy_name": desired.policy_name,
            # In the admin's order: the first is the one reused when none is free.
            "emergency_numbers": list(emergency) if emergency is not None else None,
            "user_ids": list(sorted(desired.user_ids)),
            "extension_dialing_user_ids": list(sorted(desired.extension_dialing_user_ids)),
            "ra_voice_routing_policy": desired.ra_voice_routing_policy,
            "emergency_location_id": desired.emergency_location_id,
            "group_assignment": (
                None if group is None else {"group_id": group.group_id, "rank": group.rank}
            ),
        },
        "blocked": plan.blocked,
        "counts": {
            "users": plan.requested_count,
            "changing": len(plan.changing_user_ids),
            "compliant": len(plan.compliant_user_ids),
            "blocked": len(plan.blocked_user_ids),
        },
        "blocked_user_ids": [str(u) for u in plan.blocked_user_ids],
        "findings": [_finding(f) for f in plan.findings],
        "changes": [_change(c) for c in plan.changes],
    }


def _subject(subject: Subject) -> dict[str, JsonValue]:
    return {"kind": subject.kind.value, "id": subject.id, "display": subject.display}


def _finding(finding: Finding) -> JsonValue:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "subject": _subject(finding.subject),
        "message": finding.message,
        "changes": [c.value for c in finding.changes],
        "attest": finding.attest,
    }


def _change(change: Change) -> JsonValue:
    fact = change.as_fact()
    fact["subject"] = _subject(change.subject)
    return fact
