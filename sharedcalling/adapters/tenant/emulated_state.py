"""The emulated tenant's mutable state: the tenant objects by kind and key, and snapshots of it."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sharedcalling.adapters.tenant.emulated_codec import KIND_OF_CLASS, TenantInfo
from sharedcalling.domain import names
from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.tenant import (
    AppAssociation,
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    EmergencyLocation,
    Group,
    GroupPolicyAssignment,
    NetworkSite,
    PhoneNumber,
    PolicyType,
    SharedCallingPolicy,
    SubscribedSku,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
)

_ATTRIBUTE_OF_KIND = {
    "user": "users",
    "number": "numbers",
    "group": "groups",
    "group_assignment": "group_assignments",
    "shared_calling_policy": "shared_calling",
    "voice_routing_policy": "voice_routing",
    "emergency_call_routing_policy": "emergency_routing",
    "calling_line_identity_policy": "caller_id",
    "association": "associations",
    "subscribed_sku": "skus",
    "network_site": "sites",
    "location": "locations",
    "tenant": "info",
}

_ATTRIBUTE_OF_POLICY_TYPE = {
    PolicyType.SHARED_CALLING: "shared_calling",
    PolicyType.VOICE_ROUTING: "voice_routing",
    PolicyType.EMERGENCY_CALL_ROUTING: "emergency_routing",
    PolicyType.CALLING_LINE_IDENTITY: "caller_id",
}


@dataclass
class TenantState:
    """Every object of one emulated tenant, keyed as in the stored documents (see KINDS)."""

    users: dict[str, User] = field(default_factory=dict)
    numbers: dict[str, PhoneNumber] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    group_assignments: dict[str, GroupPolicyAssignment] = field(default_factory=dict)
    shared_calling: dict[str, SharedCallingPolicy] = field(default_factory=dict)
    voice_routing: dict[str, VoiceRoutingPolicy] = field(default_factory=dict)
    emergency_routing: dict[str, EmergencyCallRoutingPolicy] = field(default_factory=dict)
    caller_id: dict[str, CallingLineIdentityPolicy] = field(default_factory=dict)
    associations: dict[str, AppAssociation] = field(default_factory=dict)
    skus: dict[str, SubscribedSku] = field(default_factory=dict)
    sites: dict[str, NetworkSite] = field(default_factory=dict)
    locations: dict[str, EmergencyLocation] = field(default_factory=dict)
    info: dict[str, TenantInfo] = field(default_factory=dict)
    """At most one TenantInfo, under the key `tenant`; absent in states stored before it."""
    _by_upn: dict[str, str] | None = field(default=None, repr=False, compare=False)
    """Folded UPN -> user key, built on first lookup by UPN and dropped by every `put`: a
    pasted list of 5,000 UPNs would otherwise scan every account 5,000 times."""
    _search: list[tuple[tuple[str, ...], User]] | None = field(
        default=None, repr=False, compare=False
    )
    """Accounts in search order with their folded names, built on first search and dropped by
    every `put`: a typeahead asks once per keystroke."""

    @classmethod
    def of(cls, objects: Iterable[Any]) -> TenantState:
        state = cls()
        state.put(objects)
        return state

    def put(self, objects: Iterable[Any]) -> None:
        """Insert or replace objects by their kind and key."""
        for obj in objects:
            kind = KIND_OF_CLASS[type(obj)]
            self._table(kind.name)[kind.key(obj)] = obj
        self._by_upn = None
        self._search = None

    def objects(self) -> list[Any]:
        return [obj for kind in _ATTRIBUTE_OF_KIND for obj in self._table(kind).values()]

    def _table(self, kind: str) -> dict[str, Any]:
        table: dict[str, Any] = getattr(self, _ATTRIBUTE_OF_KIND[kind])
        return table

    def policies(self, policy_type: PolicyType) -> dict[str, Any]:
        """The instances of one policy type by lower-case name."""
        table: dict[str, Any] = getattr(self, _ATTRIBUTE_OF_POLICY_TYPE[policy_type])
        return table

    @property
    def tenant_info(self) -> TenantInfo:
        return self.info.get("tenant") or TenantInfo()

    def user(self, key: str) -> User | None:
        """An account by object id or UPN, case-insensitively."""
        wanted = names.fold(key)
        found = self.users.get(wanted)
        if found is not None:
            return found
        if self._by_upn is None:
            self._by_upn = {names.fold(u.user_principal_name): k for k, u in self.users.items()}
        user_key = self._by_upn.get(wanted)
        return None if user_key is None else self.users.get(user_key)

    def search(self, wanted: str, limit: int) -> list[User]:
        """Accounts whose display name, a word of it, the UPN or the mail nickname starts with
        `wanted` (folded), ordered by display name then UPN, at most `limit`."""
        if self._search is None:
            ordered = sorted(
                self.users.values(),
                key=lambda u: (names.fold(u.display_name), names.fold(u.user_principal_name)),
            )
            self._search = [(_search_keys(u), u) for u in ordered]
        found: list[User] = []
        for keys, user in self._search:
            if len(found) >= limit:
                break
            if any(key.startswith(wanted) for key in keys):
                found.append(user)
        return found

    def number(self, telephone_number: str) -> PhoneNumber | None:
        return self.numbers.get(telephone_number.strip())

    def snapshot(
        self, tenant_id: TenantId, user_ids: Collection[str], *, all_users: bool
    ) -> TenantSnapshot:
        """The accounts asked for (unknown ids left out), every resource account, and the rest."""
        wanted = {names.fold(u) for u in user_ids}
        users = {
            UserId(key): user
            for key, user in self.users.items()
            if all_users or key in wanted or user.is_resource_account
        }
        return TenantSnapshot(
            tenant_id=tenant_id,
            users=users,
            numbers=dict(sorted(self.numbers.items())),
            groups={GroupId(names.fold(g.id)): g for g in self.groups.values()},
            group_assignments=tuple(
                self.group_assignments[k] for k in sorted(self.group_assignments)
            ),
            shared_calling_policies={p.name: p for p in self.shared_calling.values()},
            voice_routing_policies={p.name: p for p in self.voice_routing.values()},
            emergency_call_routing_policies={p.name: p for p in self.emergency_routing.values()},
            calling_line_identity_policies={p.name: p for p in self.caller_id.values()},
            associations=tuple(self.associations[k] for k in sorted(self.associations)),
            subscribed_skus=tuple(self.skus[k] for k in sorted(self.skus)),
            network_sites=tuple(self.sites[k] for k in sorted(self.sites)),
            cloud=self.tenant_info.cloud,
        )


def _search_keys(user: User) -> tuple[str, ...]:
    candidates = (
        user.display_name,
        *user.display_name.split(),
        user.user_principal_name,
        user.mail_nickname,
    )
    return tuple(names.fold(c) for c in candidates)
