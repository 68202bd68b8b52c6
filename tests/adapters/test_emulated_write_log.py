"""The emulated tenant's write log: accepted writes only, tagged, durable, in order."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.tenant_state import SqlTenantStateStore
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_writes import write_log_of
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.tenant import PolicyType
from sharedcalling.services.ports import TenantNotFound, TenantThrottled
from sharedcalling.services.write_tags import WriteTag, tagged
from tests.db import database_url, store_engine
from tests.demo_ids import DIEGO

__all__ = ["database_url", "store_engine"]

UNKNOWN = UserId("00000000-0000-4000-8000-000000000099")
TAG = WriteTag("SC-00000001", "SC-00000001", 7, "user.enable_voice", DIEGO, "worker-a")


async def test_accepted_writes_are_logged_with_their_change_and_refused_ones_are_not(
    store_engine: AsyncEngine,
) -> None:
    store = SqlTenantStateStore(store_engine)
    gateway = await EmulatedTenantGateway.open(store)
    gateway.faults.throttle("grant_policy")
    with pytest.raises(TenantThrottled):
        await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
    with pytest.raises(TenantNotFound):
        await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "No such policy")
    with tagged(TAG):
        await gateway.set_enterprise_voice(DIEGO, True)
    await gateway.set_enterprise_voice(DIEGO, True)
    log = await gateway.write_log()
    assert [(r.seq, r.operation, r.changed) for r in log] == [
        (0, "set_enterprise_voice", True),
        (1, "set_enterprise_voice", False),
    ]
    assert log[0].arguments == {"user_id": DIEGO, "enabled": True}
    assert log[0].tag == TAG.as_json()
    assert log[1].tag is None
    assert log[0].at <= log[1].at


async def test_the_log_survives_a_reopen_and_continues_its_sequence(
    store_engine: AsyncEngine,
) -> None:
    store = SqlTenantStateStore(store_engine)
    gateway = await EmulatedTenantGateway.open(store)
    await gateway.set_enterprise_voice(DIEGO, True)
    reopened = await EmulatedTenantGateway.open(store)
    await reopened.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
    log = write_log_of(await store.load(reopened.tenant_id))
    assert [(r.seq, r.operation) for r in log] == [(0, "set_enterprise_voice"), (1, "grant_policy")]
    await reopened.reset()
    assert await reopened.write_log() == []


async def test_an_in_memory_tenant_logs_in_memory() -> None:
    gateway = EmulatedTenantGateway.seeded()
    with pytest.raises(TenantNotFound):
        await gateway.set_enterprise_voice(UNKNOWN, True)
    await gateway.set_enterprise_voice(DIEGO, True)
    assert [r.arguments["user_id"] for r in await gateway.write_log()] == [DIEGO]
