"""The plan fingerprint: SHA-256 over canonical JSON of the changes and the facts they rest on."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sharedcalling.domain.planning.changes import Fact, JsonValue
from sharedcalling.domain.policy import EffectivePolicy
from sharedcalling.domain.rules.context import Context, UserFacts
from sharedcalling.domain.tenant import PhoneNumber, PolicyType

if TYPE_CHECKING:
    from sharedcalling.domain.planning.model import Plan

FINGERPRINT_VERSION = 1


def fingerprint(plan: Plan) -> str:
    """`sha256:<hex>`; never `hash()`, which is salted per process."""
    body = {
        "v": FINGERPRINT_VERSION,
        "changes": [c.as_fact() for c in plan.changes],
        "basis": dict(plan.basis),
    }
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def basis_of(ctx: Context, included: Iterable[UserFacts], blocked: list[str]) -> Fact:
    """Facts of the RA, the policies and numbers involved, and each included user (by id)."""
    snapshot = ctx.snapshot
    # Sorted: the basis lists facts; the admin's order matters only in the changes themselves.
    listed = sorted(ctx.emergency_numbers)
    wanted = [snapshot.number(n) for n in listed]
    vrp_names = sorted({ctx.empty_vrp.name, *([ctx.ra_vrp.name] if ctx.ra_vrp else [])})
    basis: Fact = {
        "tenant": snapshot.tenant_id,
        "resource_account": _ra_fact(ctx),
        "policy": _scp_fact(ctx),
        "emergency_numbers": [
            _number_fact(n) if n is not None else {"missing": wanted_n}
            for n, wanted_n in zip(wanted, listed, strict=True)
        ],
        "voice_routing": {
            name: list(p.pstn_usages) if (p := snapshot.voice_routing_policy(name)) else None
            for name in vrp_names
        },
        "emergency_routing": _ecrp_fact(ctx),
        "users": [_user_fact(f) for f in included],
        "blocked_users": list(blocked),
    }
    if ctx.desired.group_assignment is not None:
        # Only with a group grant, so per-user plans keep the fingerprints they always had.
        basis["group"] = _group_fact(ctx)
    return basis


def _group_fact(ctx: Context) -> JsonValue:
    group = ctx.group
    assignments: list[JsonValue] = [
        [a.group_id, a.policy_name, a.rank]
        for a in sorted(
            ctx.snapshot.group_assignments, key=lambda a: (a.rank, a.group_id.casefold())
        )
        if a.policy_type is PolicyType.SHARED_CALLING
    ]
    if group is None:
        return {"id": None, "assignments": assignments}
    members: list[JsonValue] = [m.casefold() for m in sorted(group.member_ids, key=str.casefold)]
    nested: list[JsonValue] = [g.casefold() for g in sorted(group.nested_group_ids)]
    return {"id": group.id, "members": members, "nested": nested, "assignments": assignments}


def _ra_fact(ctx: Context) -> JsonValue:
    ra = ctx.ra
    if ra is None:
        return None
    return {
        "id": ra.id,
        "account_type": ra.account_type.value,
        "numbers": [_number_fact(n) for n in ctx.ra_numbers],
        "vrp": _effective(ctx.ra_vrp),
    }


def _scp_fact(ctx: Context) -> JsonValue:
    policy = ctx.policy
    if policy is None:
        return None
    return {
        "name": policy.name,
        "resource_account_id": policy.resource_account_id,
        # In the tenant's order: it decides which number is reused when none is free.
        "emergency_numbers": list(policy.emergency_numbers),
    }


def _ecrp_fact(ctx: Context) -> JsonValue:
    choice = ctx.ecrp
    if choice is None:
        return None
    numbers: list[JsonValue] = [
        [n.dial_string, n.dial_mask, n.pstn_usage] for n in choice.policy.emergency_numbers
    ]
    return {"name": choice.policy.name, "exists": choice.exists, "numbers": numbers}


def _number_fact(number: PhoneNumber) -> JsonValue:
    return {
        "number": number.telephone_number,
        "type": number.number_type.value,
        "country": number.iso_country_code,
        "activation": number.activation_state.value,
        "status": number.assignment_status.value,
        "target": number.assigned_target_id,
        "location": number.location_id,
        "source": number.number_source.value,
    }


def _effective(policy: EffectivePolicy | None) -> JsonValue:
    if policy is None:
        return None
    return [policy.name, policy.source.value, policy.group_id, policy.rank]


def _user_fact(facts: UserFacts) -> JsonValue:
    user = facts.user
    return {
        "id": facts.id,
        "voice": user.enterprise_voice_enabled if user is not None else None,
        "usage_location": user.usage_location if user is not None else None,
        "numbers": [n.telephone_number for n in facts.numbers],
        "vrp": _effective(facts.vrp),
        "ecrp": _effective(facts.ecrp),
        "scp": _effective(facts.scp),
        "clid": _effective(facts.clid),
    }
