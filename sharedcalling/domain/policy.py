"""Effective policy resolution: direct, then the lowest group rank, then Global."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sharedcalling.domain import names
from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.tenant import GLOBAL_POLICY, PolicyType, TenantSnapshot, User


class AssignmentSource(StrEnum):
    DIRECT = "Direct"
    GROUP = "Group"
    GLOBAL = "Global"


@dataclass(frozen=True, slots=True)
class EffectivePolicy:
    """The policy instance in force for one account and policy type, and how it won."""

    policy_type: PolicyType
    name: str
    source: AssignmentSource
    group_id: GroupId | None = None
    rank: int | None = None

    @property
    def is_global(self) -> bool:
        """Whether no direct or group assignment applies (the Global instance is in force)."""
        return self.source is AssignmentSource.GLOBAL or names.same(self.name, GLOBAL_POLICY)

    def describe(self) -> str:
        """A short, admin-readable reason: 'direct', 'group <id> (rank 1)' or 'Global'."""
        if self.source is AssignmentSource.DIRECT:
            return "direct assignment"
        if self.source is AssignmentSource.GROUP:
            return f"group {self.group_id} (rank {self.rank})"
        return "the Global (tenant default) policy"


def effective_policy(
    user: User | UserId, policy_type: PolicyType, snapshot: TenantSnapshot
) -> EffectivePolicy:
    """Resolve the effective policy of `policy_type` for `user`.

    A direct assignment always wins. Otherwise the group assignment with the lowest rank among the
    groups the user is a *direct* member of wins (ties broken by group id, for determinism).
    Otherwise the Global instance applies.
    """
    account = snapshot.user(user) if isinstance(user, str) else user
    if account is not None:
        direct = account.direct_policy(policy_type)
        if direct is not None:
            return EffectivePolicy(policy_type, direct, AssignmentSource.DIRECT)
    user_id = account.id if account is not None else UserId(str(user))
    member_of = {names.fold(g.id) for g in snapshot.groups_of(user_id)}
    candidates = sorted(
        (
            a
            for a in snapshot.group_assignments
            if a.policy_type is policy_type and names.fold(a.group_id) in member_of
        ),
        key=lambda a: (a.rank, names.fold(a.group_id)),
    )
    if candidates:
        best = candidates[0]
        return EffectivePolicy(
            policy_type, best.policy_name, AssignmentSource.GROUP, best.group_id, best.rank
        )
    return EffectivePolicy(policy_type, GLOBAL_POLICY, AssignmentSource.GLOBAL)
