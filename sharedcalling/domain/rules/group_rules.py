"""Group policy assignment rules SC-P03 and SC-P08 (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sharedcalling.domain import names
from sharedcalling.domain.rules.context import Context
from sharedcalling.domain.rules.model import Finding, Severity
from sharedcalling.domain.tenant import PolicyType

MAX_GROUP_ASSIGNMENTS = 64
"""Group assignments per policy type, across all its instances (New-CsGroupPolicyAssignment)."""
RECOMMENDED_MAX_MEMBERS = 50_000


def check_group_limit(ctx: Context) -> Iterator[Finding]:
    """SC-P03: a new group assignment must not exceed 64 groups for the Shared Calling type."""
    assignment, subject = ctx.desired.group_assignment, ctx.group_subject
    if assignment is None or subject is None:
        return
    kind = PolicyType.SHARED_CALLING
    groups = {
        names.fold(a.group_id) for a in ctx.snapshot.group_assignments if a.policy_type is kind
    }
    if names.fold(assignment.group_id) in groups or len(groups) < MAX_GROUP_ASSIGNMENTS:
        return
    message = (
        f"Policy type {kind.value} already has {len(groups)} group assignments (limit "
        f"{MAX_GROUP_ASSIGNMENTS}); assign per user instead."
    )
    yield Finding("SC-P03", Severity.BLOCK, subject, message)


def check_group_caveats(ctx: Context) -> Iterator[Finding]:
    """SC-P08: only direct members inherit, large groups, and propagation time. A group the
    tenant does not have cannot be assigned at all."""
    assignment, subject = ctx.desired.group_assignment, ctx.group_subject
    if assignment is None or subject is None:
        return
    group = ctx.group
    if group is None:
        message = f"Group {assignment.group_id} was not found in the tenant; choose another group."
        yield Finding("SC-P08", Severity.BLOCK, subject, message)
        return
    if group.nested_group_ids:
        message = (
            f"{group.display_name} has {len(group.nested_group_ids)} nested groups whose members "
            f"will not receive the policy; only its {len(group.member_ids)} direct members do."
        )
        yield Finding("SC-P08", Severity.WARN, subject, message)
    if len(group.member_ids) > RECOMMENDED_MAX_MEMBERS:
        message = (
            f"{group.display_name} has {len(group.member_ids)} direct members; group policy "
            f"assignment is recommended for at most {RECOMMENDED_MAX_MEMBERS:,}."
        )
        yield Finding("SC-P08", Severity.WARN, subject, message)
    message = (
        f"Propagation of the group assignment to {group.display_name} may take up to 24 h; "
        "the bot re-verifies before reporting success."
    )
    yield Finding("SC-P08", Severity.WARN, subject, message)
