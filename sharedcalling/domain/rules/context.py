"""Facts derived once from a desired state and a snapshot, shared by every rule and the planner."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sharedcalling.domain import names
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.policy import EffectivePolicy, effective_policy
from sharedcalling.domain.rules.emergency_routing import EcrpChoice, choose_ecrp
from sharedcalling.domain.rules.model import Subject, SubjectKind
from sharedcalling.domain.tenant import (
    GLOBAL_POLICY,
    ActivationState,
    Group,
    NumberType,
    PhoneNumber,
    PolicyType,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
)

EMPTY_VRP_NAME = "SC-NoPstn"
"""Name of the voice routing policy without PSTN usages that the plan creates when none exists."""


@dataclass(frozen=True, slots=True)
class UserFacts:
    """One requested account and the effective policies that decide its Shared Calling state."""

    id: UserId
    user: User | None
    numbers: tuple[PhoneNumber, ...]
    vrp: EffectivePolicy
    ecrp: EffectivePolicy
    scp: EffectivePolicy
    clid: EffectivePolicy
    subject: Subject = field(init=False)
    """Computed once: rules and the planner ask for it about 17 times per person."""

    def __post_init__(self) -> None:
        display: str = self.id
        if self.user is not None:
            display = f"{self.user.display_name} ({self.user.user_principal_name})"
        object.__setattr__(self, "subject", Subject(SubjectKind.USER, self.id, display))


@dataclass(frozen=True, slots=True)
class Context:
    """Everything the rules look at, computed once so that 1,000 users check in milliseconds."""

    desired: DesiredState
    snapshot: TenantSnapshot
    ra: User | None
    ra_numbers: tuple[PhoneNumber, ...]
    policy: SharedCallingPolicy | None
    emergency_numbers: tuple[str, ...]
    users: tuple[UserFacts, ...]
    empty_vrp: VoiceRoutingPolicy
    empty_vrp_exists: bool
    ra_vrp: EffectivePolicy | None
    ecrp: EcrpChoice | None = None
    group: Group | None = None
    """The group of `desired.group_assignment`, when it exists in the snapshot."""
    group_members: frozenset[str] = frozenset()
    """Its direct members' ids, folded."""

    @property
    def group_subject(self) -> Subject | None:
        assignment = self.desired.group_assignment
        if assignment is None:
            return None
        shown = self.group.display_name if self.group is not None else assignment.group_id
        return Subject(SubjectKind.GROUP, assignment.group_id, shown)

    def is_group_member(self, user_id: str) -> bool:
        """Whether `user_id` is a direct member of the plan's group (only they inherit it)."""
        return names.fold(user_id) in self.group_members

    @property
    def ra_subject(self) -> Subject:
        ra_id = self.desired.resource_account_id
        if self.ra is None:
            return Subject(SubjectKind.RESOURCE_ACCOUNT, ra_id, ra_id)
        display = f"{self.ra.display_name} ({self.ra.user_principal_name})"
        return Subject(SubjectKind.RESOURCE_ACCOUNT, ra_id, display)

    @property
    def policy_subject(self) -> Subject:
        name = self.desired.policy_name
        return Subject(SubjectKind.POLICY, name, name)

    @property
    def ra_number(self) -> PhoneNumber | None:
        """The resource account's number when it has exactly one, activated (SC-R03)."""
        if len(self.ra_numbers) != 1:
            return None
        number = self.ra_numbers[0]
        return number if number.activation_state is ActivationState.ACTIVATED else None

    @property
    def ra_country(self) -> str | None:
        number = self.ra_number
        return None if number is None else self.country_of(number)

    def country_of(self, number: PhoneNumber) -> str | None:
        """The number's ISO country, or the one derived from its E.164 prefix when blank."""
        if number.iso_country_code:
            return number.iso_country_code.upper()
        derived = self.desired.number_countries.get(number.telephone_number)
        return derived.upper() if derived else None

    def policy_is_target(self, name: str) -> bool:
        return names.policy_key(name) == names.policy_key(self.desired.policy_name)

    def ra_vrp_usages(self) -> tuple[str, ...]:
        """PSTN usages of the resource account's voice routing policy once the plan has run."""
        chosen = self.desired.ra_voice_routing_policy
        current = self.ra_vrp
        candidates = [current.name] if current is not None else []
        if chosen:
            candidates.insert(0, chosen)
        for name in candidates:
            vrp = self.snapshot.voice_routing_policy(name)
            if vrp is not None and vrp.pstn_usages:
                return vrp.pstn_usages
        return ()


def how(policy: EffectivePolicy) -> str:
    """`Global`, or the policy name with how it won (`HelpDesk (direct assignment)`)."""
    if policy.is_global:
        return policy.name
    return f"{policy.name} ({policy.describe()})"


def build_context(desired: DesiredState, snapshot: TenantSnapshot) -> Context:
    """Derive the facts every rule needs; requested users are de-duplicated and sorted by id.

    Ids are compared case-insensitively; a found account is named by the tenant's own id.
    """
    by_target: dict[str, list[PhoneNumber]] = defaultdict(list)
    for number in snapshot.numbers.values():
        if number.assigned_target_id:
            by_target[names.fold(number.assigned_target_id)].append(number)
    ra = snapshot.user(desired.resource_account_id)
    ra_numbers = _sorted_numbers(by_target.get(names.fold(desired.resource_account_id), []))
    policy = snapshot.shared_calling_policy(desired.policy_name)
    group = _plan_group(desired, snapshot)
    wanted = _distinct(desired, snapshot, group)
    users = tuple(_user_facts(uid, snapshot, by_target) for uid in wanted)
    empty_vrp, exists = _choose_empty_vrp(snapshot)
    ra_vrp = effective_policy(ra, PolicyType.VOICE_ROUTING, snapshot) if ra is not None else None
    ctx = Context(
        desired=desired,
        snapshot=snapshot,
        ra=ra,
        ra_numbers=ra_numbers,
        policy=policy,
        emergency_numbers=_target_emergency_numbers(desired, policy),
        users=users,
        empty_vrp=empty_vrp,
        empty_vrp_exists=exists,
        ra_vrp=ra_vrp,
        group=group,
        group_members=frozenset(names.fold(m) for m in group.member_ids) if group else frozenset(),
    )
    ra_number = ctx.ra_number
    if ra_number is not None:
        # Frozen, but the choice needs the other derived facts: set once, before anyone sees it.
        choice = choose_ecrp(
            snapshot.emergency_call_routing_policies,
            country=ctx.ra_country,
            direct_routing=ra_number.number_type is NumberType.DIRECT_ROUTING,
            usages=ctx.ra_vrp_usages(),
        )
        object.__setattr__(ctx, "ecrp", choice)
    return ctx


def _sorted_numbers(numbers: list[PhoneNumber]) -> tuple[PhoneNumber, ...]:
    return tuple(sorted(numbers, key=lambda n: n.telephone_number))


def _plan_group(desired: DesiredState, snapshot: TenantSnapshot) -> Group | None:
    assignment = desired.group_assignment
    return None if assignment is None else snapshot.group(assignment.group_id)


def _distinct(desired: DesiredState, snapshot: TenantSnapshot, group: Group | None) -> list[UserId]:
    """Requested ids, one per account whatever their case, in the tenant's spelling, sorted.

    A group assignment reaches every direct member of the group, so they are all checked,
    listed or not."""
    chosen: dict[str, UserId] = {}
    members = group.member_ids if group is not None else ()
    for given in (*desired.user_ids, *members):
        account = snapshot.user(given)
        chosen.setdefault(names.fold(given), account.id if account is not None else given)
    return sorted(chosen.values())


def _target_emergency_numbers(
    desired: DesiredState, policy: SharedCallingPolicy | None
) -> tuple[str, ...]:
    """The admin's numbers in the admin's order (the first is reused when none is free),
    else the policy's; repeats dropped."""
    if desired.emergency_numbers is not None:
        return tuple(dict.fromkeys(desired.emergency_numbers))
    return tuple(dict.fromkeys(policy.emergency_numbers)) if policy is not None else ()


def _user_facts(
    user_id: UserId, snapshot: TenantSnapshot, by_target: dict[str, list[PhoneNumber]]
) -> UserFacts:
    user = snapshot.user(user_id)
    subject: User | UserId = user if user is not None else user_id
    return UserFacts(
        id=user_id,
        user=user,
        numbers=_sorted_numbers(by_target.get(names.fold(user_id), [])),
        vrp=effective_policy(subject, PolicyType.VOICE_ROUTING, snapshot),
        ecrp=effective_policy(subject, PolicyType.EMERGENCY_CALL_ROUTING, snapshot),
        scp=effective_policy(subject, PolicyType.SHARED_CALLING, snapshot),
        clid=effective_policy(subject, PolicyType.CALLING_LINE_IDENTITY, snapshot),
    )


def _choose_empty_vrp(snapshot: TenantSnapshot) -> tuple[VoiceRoutingPolicy, bool]:
    """Reuse `SC-NoPstn`, else any other non-Global VRP without usages; else plan to create one."""
    policies = snapshot.voice_routing_policies
    preferred = snapshot.voice_routing_policy(EMPTY_VRP_NAME)
    if preferred is not None and not preferred.pstn_usages:
        return preferred, True
    for name in sorted(policies):
        if not names.same(name, GLOBAL_POLICY) and not policies[name].pstn_usages:
            return policies[name], True
    name, suffix = EMPTY_VRP_NAME, 2
    while snapshot.voice_routing_policy(name) is not None:
        name, suffix = f"{EMPTY_VRP_NAME}-{suffix}", suffix + 1
    description = "Shared Calling: no PSTN usages, so calls go out through the resource account"
    return VoiceRoutingPolicy(name=name, description=description), False
