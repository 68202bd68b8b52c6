"""The emulated tenant writes through its state store, reopens from it and resets to the seed."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_codec import from_stored, to_stored
from sharedcalling.adapters.tenant.emulated_memory import InMemoryTenantStateStore
from sharedcalling.adapters.tenant.emulated_seed import seed_objects
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.tenant import PolicyType, SharedCallingPolicy
from sharedcalling.services.ports import SnapshotScope, StoredObject, TenantUnavailable
from tests.demo_ids import DIEGO, PRADEEP, RA_MAINLINE

OTHER_TENANT = "11111111-2222-4333-8444-555555555555"


class FailingStore(InMemoryTenantStateStore):
    """A store whose writes fail once `broken` is set, as a lost database connection would."""

    broken = False

    async def upsert(self, tenant_id: TenantId, objects: Collection[StoredObject]) -> None:
        if self.broken:
            raise TenantUnavailable("database unreachable")
        await super().upsert(tenant_id, objects)


async def test_opening_an_empty_store_seeds_it() -> None:
    store = InMemoryTenantStateStore()
    gateway = await EmulatedTenantGateway.open(store)
    stored = await store.load(gateway.tenant_id)
    assert len(stored) == len(seed_objects("contoso"))
    assert {s.kind for s in stored} >= {"user", "number", "shared_calling_policy", "location"}


async def test_a_write_survives_a_reopen() -> None:
    store = InMemoryTenantStateStore()
    gateway = await EmulatedTenantGateway.open(store)
    await gateway.set_enterprise_voice(DIEGO, True)
    await gateway.create_shared_calling_policy(
        SharedCallingPolicy("Redmond", RA_MAINLINE, ("+14255550193",))
    )
    reopened = await EmulatedTenantGateway.open(store)
    assert (await reopened.get_user(DIEGO)).enterprise_voice_enabled
    snapshot = await reopened.snapshot(SnapshotScope())
    assert snapshot.shared_calling_policies["Redmond"].emergency_numbers == ("+14255550193",)


async def test_a_no_op_write_stores_only_its_write_log_record() -> None:
    store = InMemoryTenantStateStore()
    gateway = await EmulatedTenantGateway.open(store)
    seeded = {(s.kind, s.key): s.document for s in await store.load(gateway.tenant_id)}
    await gateway.grant_policy(PolicyType.SHARED_CALLING, PRADEEP, None)
    await gateway.set_enterprise_voice(DIEGO, False)
    after = {(s.kind, s.key): s.document for s in await store.load(gateway.tenant_id)}
    assert {k: v for k, v in after.items() if k[0] != "write"} == seeded
    assert [(r.operation, r.changed) for r in await gateway.write_log()] == [
        ("grant_policy", False),
        ("set_enterprise_voice", False),
    ]


async def test_reset_puts_the_seed_back_in_memory_and_in_the_store() -> None:
    store = InMemoryTenantStateStore()
    gateway = await EmulatedTenantGateway.open(store)
    await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
    await gateway.reset()
    assert (await gateway.get_user(DIEGO)).direct_policy(PolicyType.VOICE_ROUTING) is None
    reopened = await EmulatedTenantGateway.open(store)
    assert (await reopened.get_user(DIEGO)).direct_policy(PolicyType.VOICE_ROUTING) is None


async def test_reset_of_an_in_memory_gateway_restores_the_seed() -> None:
    gateway = EmulatedTenantGateway.seeded()
    await gateway.set_enterprise_voice(DIEGO, True)
    await gateway.reset()
    assert not (await gateway.get_user(DIEGO)).enterprise_voice_enabled


async def test_a_failed_store_write_leaves_the_tenant_unchanged() -> None:
    store = FailingStore()
    gateway = await EmulatedTenantGateway.open(store)
    store.broken = True
    with pytest.raises(TenantUnavailable):
        await gateway.set_enterprise_voice(DIEGO, True)
    assert not (await gateway.get_user(DIEGO)).enterprise_voice_enabled


async def test_tenants_in_one_store_are_separate() -> None:
    store = InMemoryTenantStateStore()
    contoso = await EmulatedTenantGateway.open(store)
    other = await EmulatedTenantGateway.open(store, OTHER_TENANT)
    await other.set_enterprise_voice(DIEGO, True)
    assert other.tenant_id == OTHER_TENANT
    assert not (await contoso.get_user(DIEGO)).enterprise_voice_enabled
    reopened = await EmulatedTenantGateway.open(store, OTHER_TENANT)
    assert (await reopened.get_user(DIEGO)).enterprise_voice_enabled


async def test_stored_objects_of_unknown_kinds_are_ignored() -> None:
    store = InMemoryTenantStateStore()
    gateway = await EmulatedTenantGateway.open(store)
    await store.upsert(gateway.tenant_id, [StoredObject("hologram", "x", {"a": 1})])
    reopened = await EmulatedTenantGateway.open(store)
    assert (await reopened.get_user(DIEGO)).display_name == "Diego Siciliani"


async def test_concurrent_writes_all_land() -> None:
    store = InMemoryTenantStateStore()
    gateway = await EmulatedTenantGateway.open(store)
    employees = [UserId(f"00000000-0000-4000-9000-{n:012d}") for n in range(1, 51)]
    await asyncio.gather(*(gateway.set_enterprise_voice(e, True) for e in employees))
    reopened = await EmulatedTenantGateway.open(store)
    snapshot = await reopened.snapshot(SnapshotScope(user_ids=employees))
    assert all(
        u.enterprise_voice_enabled for u in snapshot.users.values() if not u.is_resource_account
    )


def test_every_seed_object_survives_a_round_trip_through_its_document() -> None:
    for obj in seed_objects("contoso"):
        assert from_stored(to_stored(obj)) == obj


async def test_the_in_memory_store_copies_documents() -> None:
    store = InMemoryTenantStateStore()
    document = {"names": ["a"]}
    await store.upsert(TenantId(OTHER_TENANT), [StoredObject("k", "1", document)])
    document["names"].append("b")
    [stored] = await store.load(TenantId(OTHER_TENANT))
    assert stored.document == {"names": ["a"]}
    await store.remove(TenantId(OTHER_TENANT), [("k", "1"), ("k", "missing")])
    assert await store.load(TenantId(OTHER_TENANT)) == []
