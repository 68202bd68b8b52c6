"""The emulated tenant over the SQL TenantStateStore: seed, write through, reopen, reset."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.tenant_state import SqlTenantStateStore
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.tenant import AssignmentStatus, PolicyType, SharedCallingPolicy
from sharedcalling.services.ports import SnapshotScope
from tests.db import database_url, postgres_session_database, store_engine
from tests.demo_ids import DIEGO, RA_MAINLINE

__all__ = ["database_url", "postgres_session_database", "store_engine"]  # fixtures


async def test_the_seeded_tenant_reopens_from_the_database_unchanged(
    store_engine: AsyncEngine,
) -> None:
    store = SqlTenantStateStore(store_engine)
    seeded = await EmulatedTenantGateway.open(store)
    reopened = await EmulatedTenantGateway.open(store)
    scope = SnapshotScope(all_users=True)
    assert await reopened.snapshot(scope) == await seeded.snapshot(scope)


async def test_writes_survive_a_reopen_and_reset_restores_the_seed(
    store_engine: AsyncEngine,
) -> None:
    store = SqlTenantStateStore(store_engine)
    gateway = await EmulatedTenantGateway.open(store)
    await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
    await gateway.create_shared_calling_policy(
        SharedCallingPolicy("Redmond", RA_MAINLINE, ("+14255550193",))
    )
    reopened = await EmulatedTenantGateway.open(store)
    assert (await reopened.get_user(DIEGO)).direct_policy(PolicyType.VOICE_ROUTING) == "NoPSTN"
    numbers = {n.telephone_number: n for n in await reopened.list_numbers()}
    assert numbers["+14255550193"].assignment_status is AssignmentStatus.POLICY_ASSIGNED

    await reopened.reset()
    again = await EmulatedTenantGateway.open(store)
    assert (await again.get_user(DIEGO)).direct_policy(PolicyType.VOICE_ROUTING) is None
    assert "Redmond" not in (await again.snapshot(SnapshotScope())).shared_calling_policies
