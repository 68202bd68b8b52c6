"""TenantSnapshot: what a use case read from the tenant, with case-insensitive lookups.

Re-exported by `tenant`. The tenant value types are imported for type checking only, so this
module needs nothing of `tenant` at run time and the two import each other safely.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from sharedcalling.domain import names
from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.tenant_codes import PolicyType, base_number

if TYPE_CHECKING:
    from sharedcalling.domain.tenant import (
        AppAssociation,
        CallingLineIdentityPolicy,
        EmergencyCallRoutingPolicy,
        Group,
        GroupPolicyAssignment,
        NetworkSite,
        PhoneNumber,
        SharedCallingPolicy,
        SubscribedSku,
        User,
        VoiceRoutingPolicy,
    )

K = TypeVar("K")
V = TypeVar("V")


def _frozen_map(items: Mapping[K, V] | None) -> Mapping[K, V]:
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True, slots=True)
class TenantSnapshot:
    """What a use case read from the tenant: the accounts it needs, and all numbers and policies.

    Mappings are read-only views. Keys: accounts by object id, numbers by their full
    `telephone_number` (with any `;ext=`), policies by name (without `Tag:`; `Global` included).
    Ids and policy names are case-insensitive in Teams, so look them up with `user()`,
    `policy()`, `numbers_of()` and `groups_of()`, never with `mapping[key]`.
    """

    tenant_id: TenantId
    users: Mapping[UserId, User] = field(default_factory=dict)
    numbers: Mapping[str, PhoneNumber] = field(default_factory=dict)
    groups: Mapping[GroupId, Group] = field(default_factory=dict)
    group_assignments: tuple[GroupPolicyAssignment, ...] = ()
    shared_calling_policies: Mapping[str, SharedCallingPolicy] = field(default_factory=dict)
    voice_routing_policies: Mapping[str, VoiceRoutingPolicy] = field(default_factory=dict)
    emergency_call_routing_policies: Mapping[str, EmergencyCallRoutingPolicy] = field(
        default_factory=dict
    )
    calling_line_identity_policies: Mapping[str, CallingLineIdentityPolicy] = field(
        default_factory=dict
    )
    associations: tuple[AppAssociation, ...] = ()
    subscribed_skus: tuple[SubscribedSku, ...] = ()
    network_sites: tuple[NetworkSite, ...] = ()
    cloud: str = "public"
    """`public`, or the sovereign cloud name (`gcc`, `gcchigh`, `dod`, ...)."""
    _index: dict[str, Mapping[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Folded-key indexes, built on first use (a snapshot may hold over 1,000 accounts)."""

    def __post_init__(self) -> None:
        for name in (
            "users",
            "numbers",
            "groups",
            "shared_calling_policies",
            "voice_routing_policies",
            "emergency_call_routing_policies",
            "calling_line_identity_policies",
        ):
            object.__setattr__(self, name, _frozen_map(getattr(self, name)))

    def _indexed(self, name: str, build: Callable[[], Mapping[str, Any]]) -> Mapping[str, Any]:
        index = self._index.get(name)
        if index is None:
            index = self._index[name] = build()
        return index

    def user(self, user_id: str | None) -> User | None:
        """The account with this object id, compared case-insensitively; None if absent."""
        if not user_id:
            return None
        exact = self.users.get(UserId(user_id))
        if exact is not None:
            return exact
        by_id = self._indexed("users", lambda: {names.fold(u.id): u for u in self.users.values()})
        found: User | None = by_id.get(names.fold(user_id))
        return found

    def policy(self, policy_type: PolicyType, name: str | None) -> Any:
        """The instance `name` of `policy_type` (`Tag:` and case ignored), or None."""
        if not name:
            return None
        return names.find(self._policies(policy_type), name, policy=True)

    def _policies(self, policy_type: PolicyType) -> Mapping[str, Any]:
        if policy_type is PolicyType.SHARED_CALLING:
            return self.shared_calling_policies
        if policy_type is PolicyType.VOICE_ROUTING:
            return self.voice_routing_policies
        if policy_type is PolicyType.EMERGENCY_CALL_ROUTING:
            return self.emergency_call_routing_policies
        return self.calling_line_identity_policies

    def shared_calling_policy(self, name: str | None) -> SharedCallingPolicy | None:
        found: SharedCallingPolicy | None = self.policy(PolicyType.SHARED_CALLING, name)
        return found

    def voice_routing_policy(self, name: str | None) -> VoiceRoutingPolicy | None:
        found: VoiceRoutingPolicy | None = self.policy(PolicyType.VOICE_ROUTING, name)
        return found

    def emergency_routing_policy(self, name: str | None) -> EmergencyCallRoutingPolicy | None:
        found: EmergencyCallRoutingPolicy | None = self.policy(
            PolicyType.EMERGENCY_CALL_ROUTING, name
        )
        return found

    def caller_id_policy(self, name: str | None) -> CallingLineIdentityPolicy | None:
        found: CallingLineIdentityPolicy | None = self.policy(
            PolicyType.CALLING_LINE_IDENTITY, name
        )
        return found

    def numbers_of(self, target_id: str) -> tuple[PhoneNumber, ...]:
        """Numbers assigned to a user, resource account or policy target id, in a stable order."""
        by_target = self._indexed("numbers", self._numbers_by_target)
        found: tuple[PhoneNumber, ...] = by_target.get(names.fold(target_id), ())
        return found

    def _numbers_by_target(self) -> Mapping[str, tuple[PhoneNumber, ...]]:
        grouped: dict[str, list[PhoneNumber]] = {}
        for number in sorted(self.numbers.values(), key=lambda n: n.telephone_number):
            if number.assigned_target_id is not None:
                grouped.setdefault(names.fold(number.assigned_target_id), []).append(number)
        return {key: tuple(numbers) for key, numbers in grouped.items()}

    def number(self, telephone_number: str) -> PhoneNumber | None:
        """Look a number up by its full form, then by its base E.164 form."""
        found = self.numbers.get(telephone_number)
        if found is not None:
            return found
        wanted = base_number(telephone_number)
        for candidate in self.numbers.values():
            if candidate.base == wanted:
                return candidate
        return None

    def group(self, group_id: str | None) -> Group | None:
        """The group with this object id, compared case-insensitively; None if absent."""
        return names.find(self.groups, group_id) if group_id else None

    def associations_of(self, resource_account_id: str) -> tuple[AppAssociation, ...]:
        return tuple(
            a for a in self.associations if names.same(a.resource_account_id, resource_account_id)
        )

    def groups_of(self, user_id: str) -> tuple[Group, ...]:
        """Groups the user is a direct member of."""
        members = self._indexed("members", self._groups_by_member)
        found: tuple[Group, ...] = members.get(names.fold(user_id), ())
        return found

    def _groups_by_member(self) -> Mapping[str, tuple[Group, ...]]:
        grouped: dict[str, list[Group]] = {}
        for group in self.groups.values():
            for member in dict.fromkeys(names.fold(m) for m in group.member_ids):
                grouped.setdefault(member, []).append(group)
        return {key: tuple(groups) for key, groups in grouped.items()}
