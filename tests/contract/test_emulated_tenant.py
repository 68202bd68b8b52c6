"""The tenant contract run against the emulated gateway: in memory, and written through a store."""

from __future__ import annotations

from collections.abc import Collection

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_memory import InMemoryTenantStateStore
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
from sharedcalling.services.ports import SnapshotScope, TenantGateway
from tests.contract.tenant_contract import DirectoryContract, VoicePolicyContract
from tests.contract.tenant_faults import EmulatedTenantFaults


class TestEmulatedDirectory(DirectoryContract):
    @pytest.fixture
    async def gateway(self) -> EmulatedTenantGateway:
        return EmulatedTenantGateway.seeded()

    @pytest.fixture
    def faults(self, gateway: EmulatedTenantGateway) -> EmulatedTenantFaults:
        return EmulatedTenantFaults(gateway.faults)


class TestEmulatedVoicePolicy(VoicePolicyContract):
    @pytest.fixture
    async def gateway(self) -> EmulatedTenantGateway:
        return EmulatedTenantGateway.seeded()

    @pytest.fixture
    def faults(self, gateway: EmulatedTenantGateway) -> EmulatedTenantFaults:
        return EmulatedTenantFaults(gateway.faults)


class ReopeningGateway(TenantGateway):
    """Writes through one gateway; answers every read from a gateway freshly reopened from the
    store, so a read only sees what was persisted."""

    def __init__(self, store: InMemoryTenantStateStore, writer: EmulatedTenantGateway) -> None:
        self.tenant_id = writer.tenant_id
        self._store = store
        self.writer = writer

    async def _reader(self) -> EmulatedTenantGateway:
        return await EmulatedTenantGateway.open(self._store, self.tenant_id)

    async def get_user(self, key: str) -> User:
        return await (await self._reader()).get_user(key)

    async def search_users(self, text: str, *, limit: int = 25) -> list[User]:
        return await (await self._reader()).search_users(text, limit=limit)

    async def list_resource_accounts(self) -> list[User]:
        return await (await self._reader()).list_resource_accounts()

    async def get_group(self, group_id: GroupId) -> Group:
        return await (await self._reader()).get_group(group_id)

    async def list_numbers(self) -> list[PhoneNumber]:
        return await (await self._reader()).list_numbers()

    async def snapshot(self, scope: SnapshotScope) -> TenantSnapshot:
        return await (await self._reader()).snapshot(scope)

    async def set_enterprise_voice(self, user_id: UserId, enabled: bool) -> None:
        await self.writer.set_enterprise_voice(user_id, enabled)

    async def set_number_location(self, telephone_number: str, location_id: str) -> None:
        await self.writer.set_number_location(telephone_number, location_id)

    async def grant_policy(
        self, policy_type: PolicyType, user_id: UserId, policy_name: str | None
    ) -> None:
        await self.writer.grant_policy(policy_type, user_id, policy_name)

    async def grant_group_policy(
        self, policy_type: PolicyType, group_id: GroupId, policy_name: str, rank: int
    ) -> None:
        await self.writer.grant_group_policy(policy_type, group_id, policy_name, rank)

    async def create_voice_routing_policy(self, policy: VoiceRoutingPolicy) -> None:
        await self.writer.create_voice_routing_policy(policy)

    async def create_emergency_call_routing_policy(
        self, policy: EmergencyCallRoutingPolicy
    ) -> None:
        await self.writer.create_emergency_call_routing_policy(policy)

    async def create_calling_line_identity_policy(self, policy: CallingLineIdentityPolicy) -> None:
        await self.writer.create_calling_line_identity_policy(policy)

    async def create_shared_calling_policy(self, policy: SharedCallingPolicy) -> None:
        await self.writer.create_shared_calling_policy(policy)

    async def update_shared_calling_numbers(
        self, policy_name: str, *, add: Collection[str] = (), remove: Collection[str] = ()
    ) -> None:
        await self.writer.update_shared_calling_numbers(policy_name, add=add, remove=remove)


class TestPersistedEmulatedVoicePolicy(VoicePolicyContract):
    """Every write must survive a reopen from the store."""

    @pytest.fixture
    async def gateway(self) -> ReopeningGateway:
        store = InMemoryTenantStateStore()
        return ReopeningGateway(store, await EmulatedTenantGateway.open(store))

    @pytest.fixture
    def faults(self, gateway: ReopeningGateway) -> EmulatedTenantFaults:
        # Reads come from a freshly reopened gateway each time; the contract faults writes only.
        return EmulatedTenantFaults(gateway.writer.faults)


class TestPersistedEmulatedDirectory(DirectoryContract):
    """A tenant seeded into a store and reopened reads exactly like the seed."""

    @pytest.fixture
    async def gateway(self) -> EmulatedTenantGateway:
        store = InMemoryTenantStateStore()
        await EmulatedTenantGateway.open(store)
        return await EmulatedTenantGateway.open(store)

    @pytest.fixture
    def faults(self, gateway: EmulatedTenantGateway) -> EmulatedTenantFaults:
        return EmulatedTenantFaults(gateway.faults)
