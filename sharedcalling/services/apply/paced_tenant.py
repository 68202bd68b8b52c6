"""PacedTenant: the tenant port with every call paced and retried by a TenantPacer."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.tenant import (
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    Group,
    PhoneNumber,
    PolicyType,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
)
from sharedcalling.services.apply.pacing import TenantPacer
from sharedcalling.services.ports import (
    SnapshotScope,
    TenantGateway,
    TenantReader,
    TenantWriter,
)


class PacedTenant(TenantGateway):
    """Reads through `reader`, writes through `writer` (one backend may be both), each call
    admitted by the pacer; what the apply engine and its re-plans use."""

    def __init__(self, reader: TenantReader, writer: TenantWriter, pacer: TenantPacer) -> None:
        self.tenant_id = reader.tenant_id
        self.reader, self.writer, self.pacer = reader, writer, pacer

    async def get_user(self, key: str) -> User:
        return await self.pacer.call("get_user", lambda: self.reader.get_user(key))

    async def search_users(self, text: str, *, limit: int = 25) -> list[User]:
        return await self.pacer.call(
            "search_users", lambda: self.reader.search_users(text, limit=limit)
        )

    async def list_resource_accounts(self) -> list[User]:
        return await self.pacer.call("list_resource_accounts", self.reader.list_resource_accounts)

    async def get_group(self, group_id: GroupId) -> Group:
        return await self.pacer.call("get_group", lambda: self.reader.get_group(group_id))

    async def list_numbers(self) -> list[PhoneNumber]:
        return await self.pacer.call("list_numbers", self.reader.list_numbers)

    async def find_users(self, keys: Sequence[str]) -> dict[str, User | None]:
        return await self.pacer.call("find_users", lambda: self.reader.find_users(keys))

    async def list_teams_admins(self) -> list[UserId] | None:
        return await self.pacer.call("list_teams_admins", self.reader.list_teams_admins)

    async def snapshot(self, scope: SnapshotScope) -> TenantSnapshot:
        return await self.pacer.call("snapshot", lambda: self.reader.snapshot(scope))

    async def set_enterprise_voice(self, user_id: UserId, enabled: bool) -> None:
        await self.pacer.call(
            "set_enterprise_voice", lambda: self.writer.set_enterprise_voice(user_id, enabled)
        )

    async def set_number_location(self, telephone_number: str, location_id: str) -> None:
        await self.pacer.call(
            "set_number_location",
            lambda: self.writer.set_number_location(telephone_number, location_id),
        )

    async def grant_policy(
        self, policy_type: PolicyType, user_id: UserId, policy_name: str | None
    ) -> None:
        await self.pacer.call(
            "grant_policy", lambda: self.writer.grant_policy(policy_type, user_id, policy_name)
        )

    async def grant_group_policy(
        self, policy_type: PolicyType, group_id: GroupId, policy_name: str, rank: int
    ) -> None:
        await self.pacer.call(
            "grant_group_policy",
            lambda: self.writer.grant_group_policy(policy_type, group_id, policy_name, rank),
        )

    async def create_voice_routing_policy(self, policy: VoiceRoutingPolicy) -> None:
        await self.pacer.call(
            "create_voice_routing_policy", lambda: self.writer.create_voice_routing_policy(policy)
        )

    async def create_emergency_call_routing_policy(
        self, policy: EmergencyCallRoutingPolicy
    ) -> None:
        await self.pacer.call(
            "create_emergency_call_routing_policy",
            lambda: self.writer.create_emergency_call_routing_policy(policy),
        )

    async def create_calling_line_identity_policy(self, policy: CallingLineIdentityPolicy) -> None:
        await self.pacer.call(
            "create_calling_line_identity_policy",
            lambda: self.writer.create_calling_line_identity_policy(policy),
        )

    async def create_shared_calling_policy(self, policy: SharedCallingPolicy) -> None:
        await self.pacer.call(
            "create_shared_calling_policy",
            lambda: self.writer.create_shared_calling_policy(policy),
        )

    async def update_shared_calling_numbers(
        self, policy_name: str, *, add: Collection[str] = (), remove: Collection[str] = ()
    ) -> None:
        await self.pacer.call(
            "update_shared_calling_numbers",
            lambda: self.writer.update_shared_calling_numbers(policy_name, add=add, remove=remove),
        )
