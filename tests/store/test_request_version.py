"""The version of a stored request, read alone (what card refreshes check their cache with)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.domain.ids import RequestId
from sharedcalling.domain.requests import RequestState
from sharedcalling.services.unit_of_work import RecordNotFound
from tests.db import database_url, store_engine
from tests.store.test_uow import OTHER_TENANT, TENANT, request

__all__ = ["database_url", "store_engine"]


async def test_the_version_follows_every_save_and_unknown_ids_are_not_found(
    store_engine: AsyncEngine,
) -> None:
    uow = SqlUnitOfWorkFactory(store_engine)
    async with uow() as work:
        await work.requests.add(request())
        await work.commit()
    async with uow() as work:
        assert await work.requests.version(TENANT, RequestId("SC-00000001")) == 0
        stored = await work.requests.get(TENANT, RequestId("SC-00000001"))
        await work.requests.save(replace(stored, state=RequestState.CANCELLED), expected_version=0)
        await work.commit()
    async with uow() as work:
        assert await work.requests.version(TENANT, RequestId("SC-00000001")) == 1
        with pytest.raises(RecordNotFound):
            await work.requests.version(OTHER_TENANT, RequestId("SC-00000001"))
        with pytest.raises(RecordNotFound):
            await work.requests.version(TENANT, RequestId("SC-99999999"))
