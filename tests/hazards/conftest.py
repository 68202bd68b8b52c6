"""Fixtures of the hazard tests: the demo tenant with a request of ours applied to it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.apply_store import SqlApplyStore
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.requests import ChangeRequest
from sharedcalling.services.hazards.check import WatchPorts
from tests.db import database_url, store_engine
from tests.demo_ids import DIEGO, MEGAN
from tests.hazards.support import (
    RecordingNotifier,
    SteppingClock,
    applied_setup,
    generated,
    make_ports,
    remember_chat,
)

__all__ = ["database_url", "store_engine"]

USERS = (DIEGO, generated(1), generated(2))


@dataclass
class World:
    tenant: EmulatedTenantGateway
    uow: SqlUnitOfWorkFactory
    clock: SteppingClock
    notifier: RecordingNotifier
    ports: WatchPorts
    request: ChangeRequest


@pytest.fixture
async def world(store_engine: AsyncEngine) -> World:
    tenant = EmulatedTenantGateway.seeded()
    uow = SqlUnitOfWorkFactory(store_engine)
    clock = SteppingClock()
    notifier = RecordingNotifier(reachable={MEGAN, DIEGO})
    await remember_chat(uow, MEGAN, clock.now())
    await remember_chat(uow, DIEGO, clock.now())
    request = await applied_setup(tenant, uow, clock, USERS)
    ports = make_ports(tenant, uow, clock, notifier, apply_store=SqlApplyStore(store_engine))
    return World(tenant, uow, clock, notifier, ports, request)
