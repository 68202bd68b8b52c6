"""Policy rules SC-P01, SC-P02, SC-P05, SC-P06 (docs/rules.md); SC-P03 and SC-P08 are in
group_rules."""

from __future__ import annotations

from collections.abc import Iterator

from sharedcalling.domain import names
from sharedcalling.domain.rules.context import Context, how
from sharedcalling.domain.rules.model import ChangeKind, Finding, Severity
from sharedcalling.domain.rules.needs import (
    ecrp_from_group,
    ecrp_unsuitable,
    needs_ecrp,
    needs_scp,
    numbers_to_add,
    numbers_to_remove,
    reached_by_group,
)
from sharedcalling.domain.tenant import GLOBAL_POLICY


def check_target_policy(ctx: Context) -> Iterator[Finding]:
    name, subject, policy = ctx.desired.policy_name, ctx.policy_subject, ctx.policy
    if policy is None:
        message = (
            f"Shared Calling policy {name} does not exist; the plan creates it for "
            f"{ctx.ra_subject.display}."
        )
        yield Finding("SC-P01", Severity.FIX, subject, message, (ChangeKind.SCP_CREATE,))
        return
    if not names.same(policy.resource_account_id, ctx.desired.resource_account_id):
        holder = policy.resource_account_id
        account = ctx.snapshot.user(holder)
        shown = account.display_name if account is not None else holder or "no resource account"
        message = f"Policy {name} points to {shown}; choose a new policy name."
        yield Finding("SC-P01", Severity.BLOCK, subject, message)
        return
    added, removed = numbers_to_add(ctx), numbers_to_remove(ctx)
    changes = []
    parts = []
    if removed:
        changes.append(ChangeKind.SCP_REMOVE_NUMBERS)
        parts.append("removes " + ", ".join(removed))
    if added:
        changes.append(ChangeKind.SCP_ADD_NUMBERS)
        parts.append("adds " + ", ".join(added))
    if changes:
        message = f"The plan {' and '.join(parts)} as emergency numbers of policy {name}."
        yield Finding("SC-P01", Severity.FIX, subject, message, tuple(changes))


def check_effective_policy(ctx: Context) -> Iterator[Finding]:
    target = ctx.desired.policy_name
    for facts in ctx.users:
        if facts.user is None:
            continue
        name = facts.subject.display
        if needs_scp(ctx, facts):
            message = (
                f"{name}'s effective Shared Calling policy is {how(facts.scp)}; "
                f"the plan grants {target} directly."
            )
            grant = (ChangeKind.SCP_GRANT_USER,)
        elif reached_by_group(ctx, facts):
            message = (
                f"{name}'s effective Shared Calling policy is {how(facts.scp)}; the plan "
                f"assigns {target} to group {_group_name(ctx)}, of which {name} is a direct member."
            )
            grant = (ChangeKind.SCP_GRANT_GROUP,)
        else:
            continue
        yield Finding("SC-P02", Severity.FIX, facts.subject, message, grant)
        if _gives_a_caller_id(ctx, facts.scp.name):
            moved = f"The plan moves {name} from {facts.scp.name} to {target}."
            yield Finding("SC-P02", Severity.WARN, facts.subject, moved)


def _group_name(ctx: Context) -> str:
    subject = ctx.group_subject
    return subject.display if subject is not None else ""


def _gives_a_caller_id(ctx: Context, current: str) -> bool:
    """Whether leaving `current` changes the user's caller ID: any named policy, and a Global
    policy that names a resource account (SC-P02)."""
    if not names.same(current, GLOBAL_POLICY):
        return True
    policy = ctx.snapshot.shared_calling_policy(current)
    return policy is not None and bool(policy.resource_account_id)


def check_emergency_group_grant(ctx: Context) -> Iterator[Finding]:
    for facts in ctx.users:
        if facts.user is None or ecrp_unsuitable(ctx, facts) or not ecrp_from_group(ctx, facts):
            continue
        message = (
            f"{facts.subject.display} gets emergency call routing policy {facts.ecrp.name} from "
            f"{facts.ecrp.describe()}; group delivery is unsupported, so the plan grants it "
            "directly."
        )
        grant = (ChangeKind.USER_GRANT_ECRP,)
        yield Finding("SC-P05", Severity.FIX, facts.subject, message, grant)
    yield from _emergency_beside_a_group_grant(ctx)


def _emergency_beside_a_group_grant(ctx: Context) -> Iterator[Finding]:
    """A group grant delivers the Shared Calling policy only: the emergency call routing policy
    cannot travel by group (SC-P05), so it is granted to each member directly."""
    subject = ctx.group_subject
    if subject is None or ctx.ecrp is None:
        return
    count = sum(1 for f in ctx.users if f.user is not None and needs_ecrp(ctx, f))
    if count == 0:
        return
    message = (
        f"Group {subject.display} receives the Shared Calling policy by group assignment, but "
        "emergency call routing policies cannot be assigned by group; the plan grants "
        f"{ctx.ecrp.policy.name} directly to the {count} users who need it."
    )
    grant = (ChangeKind.USER_GRANT_ECRP,)
    yield Finding("SC-P05", Severity.FIX, subject, message, grant)


def check_calling_line_identity(ctx: Context) -> Iterator[Finding]:
    for facts in ctx.users:
        policy = ctx.snapshot.caller_id_policy(facts.clid.name)
        if facts.user is None or policy is None or policy.is_default:
            continue
        message = (
            f"How caller-ID policy {policy.name} ({policy.substitute.value}) in force for "
            f"{facts.subject.display} combines with Shared Calling is undocumented; blocking or "
            "substitution may not work."
        )
        yield Finding("SC-P06", Severity.WARN, facts.subject, message)
