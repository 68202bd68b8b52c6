"""What a check saw of each watched subject, in words, and what changed between two checks.

A drift says "from what to what": the facts of its subject at the previous check beside the
facts now. Facts are display strings, kept small (a handful per subject).
"""

from __future__ import annotations

from collections.abc import Iterable

from sharedcalling.domain.callerid_model import CallerIdAnswer
from sharedcalling.domain.hazards.model import Facts
from sharedcalling.domain.policy import effective_policy
from sharedcalling.domain.tenant import (
    PLAN_PAYG_PREFIX,
    PLAN_RESOURCE_ACCOUNT,
    PLAN_TEAMS_PHONE,
    EmergencyCallRoutingPolicy,
    PhoneNumber,
    PolicyType,
    ProvisioningStatus,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
)

NONE = "none"


def _status(status: ProvisioningStatus | None) -> str:
    return "not assigned" if status is None else status.value


def _numbers(numbers: Iterable[PhoneNumber]) -> str:
    shown = [
        f"{n.telephone_number} ({n.number_type.value}, {n.activation_state.value})" for n in numbers
    ]
    return ", ".join(shown) or NONE


def account_name(account_id: str | None, snapshot: TenantSnapshot) -> str:
    """`Display Name (upn)` of an account the snapshot holds, else its id (or `none`)."""
    if not account_id:
        return NONE
    account = snapshot.user(account_id)
    if account is None:
        return account_id
    return f"{account.display_name} ({account.user_principal_name})"


def _vrp_text(name: str, snapshot: TenantSnapshot) -> str:
    policy = snapshot.voice_routing_policy(name)
    if policy is None:
        return f"{name} (not found)"
    usages = ", ".join(policy.pstn_usages) or "no PSTN usages"
    return f"{policy.name} ({usages})"


def resource_account_facts(account_id: str, snapshot: TenantSnapshot) -> Facts:
    account = snapshot.user(account_id)
    if account is None:
        return {"account": "not found in the tenant"}
    numbers = snapshot.numbers_of(account.id)
    apps = snapshot.associations_of(account.id)
    vrp = effective_policy(account, PolicyType.VOICE_ROUTING, snapshot)
    return {
        "account type": account.account_type.value,
        "numbers": _numbers(numbers),
        "emergency location": ", ".join(n.location_id or NONE for n in numbers) or NONE,
        "Teams Phone Resource Account license": _status(account.plan_status(PLAN_RESOURCE_ACCOUNT)),
        "Teams Phone Standard license": _status(account.plan_status(PLAN_TEAMS_PHONE)),
        "Pay-As-You-Go Calling Plan": _status(account.plan_prefix_status(PLAN_PAYG_PREFIX)),
        "voice routing policy": _vrp_text(vrp.name, snapshot),
        "associated with": ", ".join(
            f"{a.configuration_type.value} {a.configuration_name}" for a in apps
        )
        or NONE,
    }


def policy_facts(policy: SharedCallingPolicy | None, snapshot: TenantSnapshot) -> Facts:
    if policy is None:
        return {"policy": "does not exist"}
    return {
        "resource account": account_name(policy.resource_account_id, snapshot),
        "emergency callback numbers": ", ".join(policy.emergency_numbers) or NONE,
    }


def number_facts(telephone_number: str, snapshot: TenantSnapshot) -> Facts:
    number = snapshot.number(telephone_number)
    if number is None:
        return {"inventory": "not listed"}
    target = number.assigned_target_id
    holder = f" to {account_name(target, snapshot)}" if target else ""
    return {
        "type": number.number_type.value,
        "activation": number.activation_state.value,
        "assignment": f"{number.assignment_status.value}{holder}",
    }


def voice_routing_facts(policy: VoiceRoutingPolicy | None) -> Facts:
    if policy is None:
        return {"policy": "does not exist"}
    return {"PSTN usages": ", ".join(policy.pstn_usages) or NONE}


def emergency_routing_facts(policy: EmergencyCallRoutingPolicy | None) -> Facts:
    if policy is None:
        return {"policy": "does not exist"}
    shown = [
        f"{n.dial_string} via {n.pstn_usage}" if n.pstn_usage else n.dial_string
        for n in policy.emergency_numbers
    ]
    return {"emergency numbers": ", ".join(shown) or NONE}


def user_facts(user: User, answer: CallerIdAnswer, snapshot: TenantSnapshot) -> Facts:
    """The caller-ID outcome and the configuration behind it."""
    scp = effective_policy(user, PolicyType.SHARED_CALLING, snapshot)
    vrp = effective_policy(user, PolicyType.VOICE_ROUTING, snapshot)
    ecrp = effective_policy(user, PolicyType.EMERGENCY_CALL_ROUTING, snapshot)
    account = "deleted" if user.soft_deleted else "enabled" if user.account_enabled else "disabled"
    return {
        "caller ID": f"{answer.outcome.value}, {answer.outbound_number or 'no number'}",
        "Shared Calling policy": scp.name,
        "phone numbers": _numbers(snapshot.numbers_of(user.id)),
        "voice routing policy": _vrp_text(vrp.name, snapshot),
        "emergency call routing policy": ecrp.name,
        "enterprise voice": "on" if user.enterprise_voice_enabled else "off",
        "Teams Phone license": _status(user.plan_status(PLAN_TEAMS_PHONE)),
        "account": account,
    }


def missing_account_facts() -> Facts:
    return {"account": "not found in the tenant"}


Change = tuple[str, str, str]
"""(fact, before, after)."""


def changed_facts(before: Facts | None, after: Facts) -> tuple[Change, ...]:
    """The facts that differ, in order; nothing when there is no earlier record to compare."""
    if before is None:
        return ()
    names = list(dict.fromkeys([*before, *after]))
    return tuple(
        (name, before.get(name, NONE), after.get(name, NONE))
        for name in names
        if before.get(name) != after.get(name)
    )
