"""What the caller-ID decision reads about one user, resolved once from a snapshot."""

from __future__ import annotations

from dataclasses import dataclass

from sharedcalling.domain.callerid_model import CallerIdCaveat
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.policy import AssignmentSource, EffectivePolicy, effective_policy
from sharedcalling.domain.tenant import (
    ActivationState,
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    NumberType,
    PhoneNumber,
    PolicyType,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the decision steps read, resolved once."""

    user: User
    snapshot: TenantSnapshot
    numbers: tuple[PhoneNumber, ...]
    vrp: EffectivePolicy
    vrp_usages: tuple[str, ...]
    scp: EffectivePolicy
    scp_policy: SharedCallingPolicy | None
    """The effective Shared Calling policy, only when it names a resource account."""
    clid: CallerIdCaveat | None

    def of_type(self, number_type: NumberType) -> tuple[PhoneNumber, ...]:
        return tuple(n for n in self.numbers if n.number_type is number_type)

    @property
    def extension_pattern(self) -> PhoneNumber | None:
        """The SC-U06 pattern: the only number is a Direct Routing number with `;ext=`."""
        if len(self.numbers) == 1:
            only = self.numbers[0]
            if only.number_type is NumberType.DIRECT_ROUTING and only.has_extension:
                return only
        return None


def gather_facts(user: User, snapshot: TenantSnapshot) -> Facts:
    """Numbers, effective VRP, Shared Calling and CLID policies of `user`; never raises."""
    vrp = effective_policy(user, PolicyType.VOICE_ROUTING, snapshot)
    vrp_policy = snapshot.voice_routing_policies.get(vrp.name)
    scp = effective_policy(user, PolicyType.SHARED_CALLING, snapshot)
    scp_policy = snapshot.shared_calling_policies.get(scp.name)
    if scp_policy is not None and not scp_policy.resource_account_id:
        scp_policy = None
    return Facts(
        user=user,
        snapshot=snapshot,
        numbers=snapshot.numbers_of(user.id),
        vrp=vrp,
        vrp_usages=vrp_policy.pstn_usages if vrp_policy is not None else (),
        scp=scp,
        scp_policy=scp_policy,
        clid=_clid_caveat(user, snapshot),
    )


def describe_assignment(policy: EffectivePolicy, snapshot: TenantSnapshot) -> str:
    """Like EffectivePolicy.describe(), naming the group when the snapshot knows it."""
    if policy.source is AssignmentSource.GROUP and policy.group_id is not None:
        group = snapshot.groups.get(policy.group_id)
        if group is not None:
            return f"group {group.display_name} (rank {policy.rank})"
    return policy.describe()


def _clid_caveat(user: User, snapshot: TenantSnapshot) -> CallerIdCaveat | None:
    eff = effective_policy(user, PolicyType.CALLING_LINE_IDENTITY, snapshot)
    policy = snapshot.calling_line_identity_policies.get(eff.name)
    if policy is None or policy.is_default:
        return None
    presented = _clid_number(policy, snapshot)
    return CallerIdCaveat(
        policy_name=policy.name,
        assignment=describe_assignment(eff, snapshot),
        substitute=policy.substitute,
        effect=_clid_effect(policy, presented),
        presented_number=presented,
        user_override=policy.enable_user_override,
        company_name=policy.company_name or None,
    )


def _clid_number(policy: CallingLineIdentityPolicy, snapshot: TenantSnapshot) -> str | None:
    if policy.substitute is not CallingIdSubstitute.RESOURCE or not policy.resource_account_id:
        return None
    numbers = active_numbers(policy.resource_account_id, snapshot)
    return numbers[0].base if numbers else None


def _clid_effect(policy: CallingLineIdentityPolicy, presented: str | None) -> str:
    parts: list[str] = []
    if policy.substitute is CallingIdSubstitute.ANONYMOUS:
        parts.append("withheld (anonymous)")
    elif policy.substitute is CallingIdSubstitute.RESOURCE:
        parts.append(f"the resource account number {presented or '(none assigned)'}")
    if policy.enable_user_override:
        parts.append("the caller may choose to hide it")
    if policy.company_name:
        parts.append(f"with the name {policy.company_name}")
    return "; ".join(parts) or "unchanged"


def active_numbers(account_id: UserId, snapshot: TenantSnapshot) -> tuple[PhoneNumber, ...]:
    return tuple(
        n
        for n in snapshot.numbers_of(account_id)
        if n.activation_state is ActivationState.ACTIVATED
    )
