"""What must change, decided once: the FIX rules name these changes and the planner makes them."""

from __future__ import annotations

from sharedcalling.domain import names
from sharedcalling.domain.policy import AssignmentSource
from sharedcalling.domain.rules.context import Context, UserFacts
from sharedcalling.domain.rules.emergency_routing import is_suitable
from sharedcalling.domain.tenant import (
    GLOBAL_POLICY,
    GroupPolicyAssignment,
    NumberType,
    PolicyType,
)

NO_LOCATION = frozenset({"", "00000000-0000-0000-0000-000000000000"})


def needs_voice(facts: UserFacts) -> bool:
    return facts.user is not None and not facts.user.enterprise_voice_enabled


def needs_vrp(ctx: Context, facts: UserFacts) -> bool:
    """Every Shared Calling user gets an explicit VRP without usages, even when Global looks
    empty today (SC-U07)."""
    if names.same(facts.vrp.name, GLOBAL_POLICY):
        return True
    policy = ctx.snapshot.voice_routing_policy(facts.vrp.name)
    return policy is None or bool(policy.pstn_usages)


def ecrp_unsuitable(ctx: Context, facts: UserFacts) -> bool:
    number = ctx.ra_number
    if ctx.ecrp is None or number is None:
        return False
    return not is_suitable(
        ctx.snapshot.emergency_routing_policy(facts.ecrp.name),
        country=ctx.ra_country,
        direct_routing=number.number_type is NumberType.DIRECT_ROUTING,
    )


def ecrp_from_group(ctx: Context, facts: UserFacts) -> bool:
    """SC-P05: group assignment is unsupported for ECRPs, so a group-delivered one is re-granted."""
    return ctx.ecrp is not None and facts.ecrp.source is AssignmentSource.GROUP


def needs_ecrp(ctx: Context, facts: UserFacts) -> bool:
    return ecrp_unsuitable(ctx, facts) or ecrp_from_group(ctx, facts)


def needs_scp(ctx: Context, facts: UserFacts) -> bool:
    """Whether the user needs a direct grant: the target is not their effective Shared Calling
    policy once the plan's group grant, if any, is made (SC-P02)."""
    return not ctx.policy_is_target(scp_after_group(ctx, facts))


def scp_after_group(ctx: Context, facts: UserFacts) -> str:
    """The user's effective Shared Calling policy once the plan's group grant is made.

    A direct assignment still wins; otherwise the lowest rank among the user's groups does, and
    the new grant is inserted at its rank, so an assignment at that rank or below moves down
    (ranks are renumbered). Only direct members inherit.
    """
    assignment = ctx.desired.group_assignment
    if (
        assignment is None
        or facts.scp.source is AssignmentSource.DIRECT
        or not ctx.is_group_member(facts.id)
    ):
        return facts.scp.name
    member_of = {names.fold(g.id) for g in ctx.snapshot.groups_of(facts.id)}
    ahead = sorted(
        (
            a
            for a in ctx.snapshot.group_assignments
            if a.policy_type is PolicyType.SHARED_CALLING
            and a.rank < assignment.rank
            and names.fold(a.group_id) in member_of
            and not names.same(a.group_id, assignment.group_id)
        ),
        key=lambda a: (a.rank, names.fold(a.group_id)),
    )
    return ahead[0].policy_name if ahead else ctx.desired.policy_name


def reached_by_group(ctx: Context, facts: UserFacts) -> bool:
    """Whether the plan's group grant is what puts the user on the target policy."""
    return (
        ctx.desired.group_assignment is not None
        and facts.user is not None
        and not ctx.policy_is_target(facts.scp.name)
        and not needs_scp(ctx, facts)
    )


def group_grant_needed(ctx: Context) -> bool:
    """Whether the group must be granted the target at the wanted rank (it may hold it already)."""
    assignment = ctx.desired.group_assignment
    if assignment is None or ctx.group is None:
        return False
    current = current_group_assignment(ctx)
    return current is None or not (
        ctx.policy_is_target(current.policy_name) and current.rank == assignment.rank
    )


def current_group_assignment(ctx: Context) -> GroupPolicyAssignment | None:
    """The Shared Calling policy the plan's group holds today, if any."""
    assignment = ctx.desired.group_assignment
    if assignment is None:
        return None
    return next(
        (
            a
            for a in ctx.snapshot.group_assignments
            if a.policy_type is PolicyType.SHARED_CALLING
            and names.same(a.group_id, assignment.group_id)
        ),
        None,
    )


def ra_needs_location(ctx: Context) -> bool:
    number = ctx.ra_number
    return number is not None and (number.location_id or "") in NO_LOCATION


def ra_needs_vrp(ctx: Context) -> bool:
    """A Direct Routing RA whose own effective VRP has no PSTN usages (SC-R08)."""
    number = ctx.ra_number
    if number is None or number.number_type is not NumberType.DIRECT_ROUTING:
        return False
    current = ctx.ra_vrp
    policy = None if current is None else ctx.snapshot.voice_routing_policy(current.name)
    return policy is None or not policy.pstn_usages


def numbers_to_add(ctx: Context) -> tuple[str, ...]:
    """Wanted numbers the policy lacks, in the admin's order (they are appended in this order)."""
    if ctx.policy is None:
        return ()
    current = set(ctx.policy.emergency_numbers)
    return tuple(n for n in ctx.emergency_numbers if n not in current)


def numbers_to_remove(ctx: Context) -> tuple[str, ...]:
    """Policy numbers no longer wanted, in the policy's order."""
    if ctx.policy is None:
        return ()
    wanted = set(ctx.emergency_numbers)
    return tuple(dict.fromkeys(n for n in ctx.policy.emergency_numbers if n not in wanted))
