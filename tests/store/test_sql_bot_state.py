from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.bot_state import SqlBotStateStore
from sharedcalling.adapters.store.engine import make_engine
from sharedcalling.adapters.store.tables import bot_state
from sharedcalling.services.ports import BotStateStore
from tests.contract.bot_state_contract import BotStateStoreContract
from tests.db import delete_all_rows

NOON = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class TestSqlBotStateStore(BotStateStoreContract):
    @pytest.fixture
    def store(self, store_engine: AsyncEngine) -> BotStateStore:
        return SqlBotStateStore(store_engine)


async def test_each_write_stamps_the_row_with_an_aware_utc_time(store_engine: AsyncEngine) -> None:
    store = SqlBotStateStore(store_engine, now=lambda: NOON)
    await store.write("k", {"v": 1}, expected_etag=None)
    async with store_engine.connect() as connection:
        stamped = (await connection.execute(select(bot_state.c.updated_at))).scalar_one()
    assert stamped == NOON
    assert stamped.utcoffset() is not None


async def test_two_replicas_with_the_same_etag_exactly_one_wins(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        await delete_all_rows(engines[0])
        first, second = (SqlBotStateStore(engine) for engine in engines)
        etag = await first.write("conversation", {"turn": 0}, expected_etag="")
        outcomes = await asyncio.gather(
            first.write("conversation", {"turn": 1}, expected_etag=etag),
            second.write("conversation", {"turn": 2}, expected_etag=etag),
            return_exceptions=True,
        )
    finally:
        await asyncio.gather(*(engine.dispose() for engine in engines))
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["StateConflict", "str"]
