"""plan(): turn a desired state and a snapshot into ordered, idempotent changes."""

from __future__ import annotations

from collections.abc import Iterator

from sharedcalling.domain import names
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.planning.changes import (
    Change,
    CreateEmergencyCallRoutingPolicy,
    CreateSharedCallingPolicy,
    CreateVoiceRoutingPolicy,
    EnableVoice,
    GrantGroupPolicy,
    GrantPolicy,
    SetNumberLocation,
    UpdateEmergencyNumbers,
)
from sharedcalling.domain.planning.fingerprint import basis_of, fingerprint
from sharedcalling.domain.planning.model import Plan
from sharedcalling.domain.policy import AssignmentSource, EffectivePolicy
from sharedcalling.domain.rules import needs
from sharedcalling.domain.rules.context import Context, UserFacts, build_context
from sharedcalling.domain.rules.model import ChangeKind, Finding, Severity, SubjectKind
from sharedcalling.domain.rules.registry import run_rules
from sharedcalling.domain.tenant import PolicyType, SharedCallingPolicy, TenantSnapshot

PLAN_SUBJECTS = frozenset(
    {
        SubjectKind.TENANT,
        SubjectKind.RESOURCE_ACCOUNT,
        SubjectKind.NUMBER,
        SubjectKind.POLICY,
        SubjectKind.GROUP,
    }
)


def plan(desired: DesiredState, snapshot: TenantSnapshot) -> Plan:
    """Check `desired`, then plan the changes for every user that is not blocked.

    Nothing is planned when a tenant, resource account, number or policy rule blocks, or when
    every requested user is blocked. Changes come in catalogue order, then by subject id, so the
    order users were given in does not matter.
    """
    ctx = build_context(desired, snapshot)
    findings = run_rules(ctx)
    blocked_users = {
        f.subject.id
        for f in findings
        if f.severity is Severity.BLOCK and f.subject.kind is SubjectKind.USER
    }
    included = tuple(f for f in ctx.users if f.id not in blocked_users)
    plan_blocked = any(
        f.severity is Severity.BLOCK and f.subject.kind in PLAN_SUBJECTS for f in findings
    ) or bool(ctx.users and not included)
    changes = () if plan_blocked else _ordered(_changes(ctx, included))
    return _assemble(ctx, findings, included, blocked_users, plan_blocked, changes)


def _assemble(
    ctx: Context,
    findings: tuple[Finding, ...],
    included: tuple[UserFacts, ...],
    blocked_users: set[str],
    plan_blocked: bool,
    changes: tuple[Change, ...],
) -> Plan:
    touched = {c.subject.id for c in changes if c.subject.kind is SubjectKind.USER}
    if any(isinstance(c, GrantGroupPolicy) for c in changes):
        # Members the group grant moves onto the policy change without a change of their own.
        touched |= {f.id for f in included if needs.reached_by_group(ctx, f)}
    draft = Plan(
        desired=ctx.desired,
        changes=changes,
        findings=findings,
        changing_user_ids=tuple(f.id for f in included if f.id in touched),
        compliant_user_ids=tuple(f.id for f in included if f.id not in touched),
        blocked_user_ids=tuple(f.id for f in ctx.users if f.id in blocked_users),
        blocked=plan_blocked,
        basis=basis_of(ctx, included, sorted(blocked_users)),
        fingerprint="",
    )
    return draft.with_fingerprint(fingerprint(draft))


def _ordered(changes: Iterator[Change]) -> tuple[Change, ...]:
    return tuple(sorted(changes, key=lambda c: (c.kind.order, names.fold(c.subject.id))))


def _changes(ctx: Context, included: tuple[UserFacts, ...]) -> Iterator[Change]:
    yield from _resource_account_changes(ctx)
    yield from _policy_changes(ctx)
    yield from _group_changes(ctx)
    vrp_needed = ecrp_needed = False
    target = ctx.policy.name if ctx.policy is not None else ctx.desired.policy_name
    for facts in included:
        if needs.needs_voice(facts):
            yield EnableVoice(facts.subject)
        if needs.needs_vrp(ctx, facts):
            vrp_needed = True
            yield _grant(ChangeKind.USER_GRANT_VRP, facts, facts.vrp, ctx.empty_vrp.name)
        if ctx.ecrp is not None and needs.needs_ecrp(ctx, facts):
            unsuitable = needs.ecrp_unsuitable(ctx, facts)
            ecrp_needed = ecrp_needed or unsuitable
            name = ctx.ecrp.policy.name if unsuitable else facts.ecrp.name
            yield _grant(ChangeKind.USER_GRANT_ECRP, facts, facts.ecrp, name)
        if needs.needs_scp(ctx, facts):
            yield _grant(ChangeKind.SCP_GRANT_USER, facts, facts.scp, target)
    if vrp_needed and not ctx.empty_vrp_exists:
        yield CreateVoiceRoutingPolicy(ctx.empty_vrp)
    if ecrp_needed and ctx.ecrp is not None and not ctx.ecrp.exists:
        yield CreateEmergencyCallRoutingPolicy(ctx.ecrp.policy)


_POLICY_TYPE_OF = {
    ChangeKind.RA_GRANT_VRP: PolicyType.VOICE_ROUTING,
    ChangeKind.USER_GRANT_VRP: PolicyType.VOICE_ROUTING,
    ChangeKind.USER_GRANT_ECRP: PolicyType.EMERGENCY_CALL_ROUTING,
    ChangeKind.SCP_GRANT_USER: PolicyType.SHARED_CALLING,
}


def _before(current: EffectivePolicy) -> str:
    """`Global`, `HelpDesk (direct)` or `Seattle (group <id>, rank 1)`."""
    if current.source is AssignmentSource.GLOBAL:
        return current.name
    if current.source is AssignmentSource.DIRECT:
        return f"{current.name} (direct)"
    return f"{current.name} (group {current.group_id}, rank {current.rank})"


def _grant(kind: ChangeKind, facts: UserFacts, current: EffectivePolicy, name: str) -> Change:
    before = _before(current)
    return GrantPolicy(kind, facts.subject, _POLICY_TYPE_OF[kind], before, name)


def _resource_account_changes(ctx: Context) -> Iterator[Change]:
    number, location = ctx.ra_number, ctx.desired.emergency_location_id
    if number is not None and location and needs.ra_needs_location(ctx):
        yield SetNumberLocation(
            ctx.ra_subject, number.telephone_number, number.location_id, location
        )
    chosen = ctx.desired.ra_voice_routing_policy
    if chosen and needs.ra_needs_vrp(ctx) and ctx.ra_vrp is not None:
        before = _before(ctx.ra_vrp)
        kind = ChangeKind.RA_GRANT_VRP
        yield GrantPolicy(kind, ctx.ra_subject, PolicyType.VOICE_ROUTING, before, chosen)


def _policy_changes(ctx: Context) -> Iterator[Change]:
    name, policy = ctx.desired.policy_name, ctx.policy
    if policy is None:
        created = SharedCallingPolicy(
            name=name,
            resource_account_id=ctx.desired.resource_account_id,
            emergency_numbers=ctx.emergency_numbers,
            description="Shared Calling policy planned by the Shared Calling bot",
        )
        yield CreateSharedCallingPolicy(created, ctx.ra_subject)
        return
    # The service keeps the list in order and appends what is added; the order matters because
    # the first number is reused when none is free.
    before = tuple(policy.emergency_numbers)
    removed, added = needs.numbers_to_remove(ctx), needs.numbers_to_add(ctx)
    kept = tuple(n for n in before if n not in removed)
    if removed:
        kind = ChangeKind.SCP_REMOVE_NUMBERS
        yield UpdateEmergencyNumbers(kind, policy.name, removed, before, kept)
    if added:
        after = (*kept, *added)
        yield UpdateEmergencyNumbers(ChangeKind.SCP_ADD_NUMBERS, policy.name, added, kept, after)


def _group_changes(ctx: Context) -> Iterator[Change]:
    """`scp.grant_group` when the group does not already hold the target at the wanted rank."""
    assignment, subject = ctx.desired.group_assignment, ctx.group_subject
    if assignment is None or subject is None or not needs.group_grant_needed(ctx):
        return
    current = needs.current_group_assignment(ctx)
    before = None if current is None else f"{current.policy_name} (rank {current.rank})"
    target = ctx.policy.name if ctx.policy is not None else ctx.desired.policy_name
    yield GrantGroupPolicy(subject, PolicyType.SHARED_CALLING, target, assignment.rank, before)
