"""What the caller-ID decision reads about one user, resolved once from a snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sharedcalling.domain.callerid_model import CallerIdCaveat, Reason
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.policy import AssignmentSource, EffectivePolicy, effective_policy
from sharedcalling.domain.rules.user_rules import TeamsPhone, teams_phone_state
from sharedcalling.domain.tenant import (
    PLAN_TEAMS_PHONE,
    AccountType,
    ActivationState,
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    NumberType,
    PhoneNumber,
    PolicyType,
    ProvisioningStatus,
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
    """The user's working (`Activated`) numbers; the others are in `inactive`."""
    inactive: tuple[PhoneNumber, ...]
    vrp: EffectivePolicy
    vrp_usages: tuple[str, ...]
    scp: EffectivePolicy
    scp_policy: SharedCallingPolicy | None
    """The effective Shared Calling policy, only when it names a resource account."""
    clid: CallerIdCaveat | None
    number_countries: Mapping[str, str]
    """Countries of blank-country numbers, derived from the E.164 prefix by the caller."""

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


def gather_facts(
    user: User, snapshot: TenantSnapshot, number_countries: Mapping[str, str] | None = None
) -> Facts:
    """Numbers, effective VRP, Shared Calling and CLID policies of `user`; never raises.

    A number that is not `Activated` (AssignmentFailed, pending, ...) is not a working number:
    the steps treat the user as not having it (step 3 in docs/architecture.md).
    """
    vrp = effective_policy(user, PolicyType.VOICE_ROUTING, snapshot)
    vrp_policy = snapshot.voice_routing_policy(vrp.name)
    scp = effective_policy(user, PolicyType.SHARED_CALLING, snapshot)
    scp_policy = snapshot.shared_calling_policy(scp.name)
    if scp_policy is not None and not scp_policy.resource_account_id:
        scp_policy = None
    numbers = snapshot.numbers_of(user.id)
    return Facts(
        user=user,
        snapshot=snapshot,
        numbers=tuple(n for n in numbers if n.activation_state is ActivationState.ACTIVATED),
        inactive=tuple(n for n in numbers if n.activation_state is not ActivationState.ACTIVATED),
        vrp=vrp,
        vrp_usages=vrp_policy.pstn_usages if vrp_policy is not None else (),
        scp=scp,
        scp_policy=scp_policy,
        clid=_clid_caveat(user, snapshot),
        number_countries=number_countries or {},
    )


def describe_assignment(policy: EffectivePolicy, snapshot: TenantSnapshot) -> str:
    """Like EffectivePolicy.describe(), naming the group when the snapshot knows it."""
    if policy.source is AssignmentSource.GROUP and policy.group_id is not None:
        group = snapshot.group(policy.group_id)
        if group is not None:
            return f"group {group.display_name} (rank {policy.rank})"
    return policy.describe()


def _clid_caveat(user: User, snapshot: TenantSnapshot) -> CallerIdCaveat | None:
    eff = effective_policy(user, PolicyType.CALLING_LINE_IDENTITY, snapshot)
    policy = snapshot.caller_id_policy(eff.name)
    if policy is None or policy.is_default:
        return None
    presented = _clid_number(policy, snapshot)
    substitute = snapshot.user(policy.resource_account_id)
    return CallerIdCaveat(
        policy_name=policy.name,
        assignment=describe_assignment(eff, snapshot),
        substitute=policy.substitute,
        effect=_clid_effect(policy, presented),
        presented_number=presented,
        user_override=policy.enable_user_override,
        company_name=policy.company_name or None,
        resource_account_name=substitute.display_name if substitute is not None else None,
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


def no_pstn_reasons(user: User) -> tuple[Reason, ...]:
    """Step 1, plus the account checks that make Teams Phone moot (SC-U01, SC-U02)."""
    if user.account_type is not AccountType.USER:
        # Resource accounts are sign-in blocked by design: their type says it all.
        return (Reason(f"the account is a {user.account_type.value}, not a user", "SC-U01"),)
    reasons: list[Reason] = []
    if user.soft_deleted:
        reasons.append(Reason("the account is deleted", "SC-U02"))
    elif not user.account_enabled:
        reasons.append(Reason("the account is disabled", "SC-U02"))
    teams_phone = _teams_phone_reason(user.plan_status(PLAN_TEAMS_PHONE))
    if teams_phone is not None:
        reasons.append(teams_phone)
    if not user.enterprise_voice_enabled:
        reasons.append(Reason("enterprise voice is disabled", "SC-U04"))
    return tuple(reasons)


def _teams_phone_reason(status: ProvisioningStatus | None) -> Reason | None:
    """SC-U03 in the answer's words; None when provisioned or when the backend cannot tell
    (that doubt is said apart, as the answer's unknowns)."""
    match teams_phone_state(status):
        case TeamsPhone.READY | TeamsPhone.UNKNOWN:
            return None
        case TeamsPhone.MISSING:
            return Reason("there is no Teams Phone license", "SC-U03")
        case TeamsPhone.PROVISIONING:
            return Reason("the Teams Phone license is still provisioning", "SC-U03")
        case TeamsPhone.SWITCHED_OFF:
            return Reason("Teams Phone is switched off in the license", "SC-U03")
        case TeamsPhone.BROKEN:
            return Reason(f"the Teams Phone license is in state {status}", "SC-U03")
