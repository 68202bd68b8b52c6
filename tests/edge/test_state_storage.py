from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import StoreItem
from botbuilder.dialogs import DialogInstance, DialogState

from bot.state_storage import BotStateStorage, UnsafeStateDocument
from sharedcalling.adapters.store.bot_state import SqlBotStateStore
from sharedcalling.adapters.store.engine import make_engine
from sharedcalling.services.ports import StateConflict
from tests.db import DIALECTS, Dialect, migrated_database


@pytest.fixture(params=DIALECTS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BotStateStorage]:
    dialect: Dialect = request.param
    async with migrated_database(dialect, tmp_path) as url:
        engine = make_engine(url)
        try:
            yield BotStateStorage(SqlBotStateStore(engine))
        finally:
            await engine.dispose()


async def test_reading_an_unknown_key_gives_nothing(storage: BotStateStorage) -> None:
    assert await storage.read(["nobody/conversation"]) == {}


async def test_a_written_dict_reads_back_with_an_etag(storage: BotStateStorage) -> None:
    await storage.write({"k": {"count": 1, "name": "Zoë"}})
    item = (await storage.read(["k"]))["k"]
    assert item["count"] == 1
    assert item["name"] == "Zoë"
    assert item["e_tag"]


async def test_a_stale_etag_raises(storage: BotStateStorage) -> None:
    await storage.write({"k": {"count": 1}})
    first = (await storage.read(["k"]))["k"]
    second = (await storage.read(["k"]))["k"]
    first["count"] = 2
    await storage.write({"k": first})
    second["count"] = 3
    with pytest.raises(StateConflict):
        await storage.write({"k": second})
    assert (await storage.read(["k"]))["k"]["count"] == 2


async def test_star_etag_overwrites(storage: BotStateStorage) -> None:
    await storage.write({"k": {"count": 1}})
    await storage.write({"k": {"count": 5, "e_tag": "*"}})
    assert (await storage.read(["k"]))["k"]["count"] == 5


async def test_saving_twice_in_one_turn_is_not_stale(storage: BotStateStorage) -> None:
    await storage.write({"k": {"count": 1}})
    item = (await storage.read(["k"]))["k"]
    item["count"] = 2
    await storage.write({"k": item})
    item["count"] = 3
    await storage.write({"k": item})
    assert (await storage.read(["k"]))["k"]["count"] == 3


async def test_deleting_an_unknown_key_succeeds(storage: BotStateStorage) -> None:
    await storage.delete(["never-written"])
    await storage.write({"k": {"a": 1}})
    await storage.delete(["k"])
    assert await storage.read(["k"]) == {}


async def test_store_items_round_trip_as_objects(storage: BotStateStorage) -> None:
    await storage.write({"item": StoreItem(counter=7)})
    item = (await storage.read(["item"]))["item"]
    assert isinstance(item, StoreItem)
    assert item.counter == 7
    assert item.e_tag


async def test_dialog_state_survives_the_round_trip(storage: BotStateStorage) -> None:
    stack = [DialogInstance(id="setup", state={"step": 2})]
    await storage.write({"conv": {"DialogState": DialogState(stack)}})
    restored = (await storage.read(["conv"]))["conv"]["DialogState"]
    assert isinstance(restored, DialogState)
    assert restored.dialog_stack[0].id == "setup"
    assert restored.dialog_stack[0].state == {"step": 2}


async def test_a_document_naming_a_foreign_type_is_refused(storage: BotStateStorage) -> None:
    tampered: dict[str, Any] = {"x": {"py/object": "os._wrap_close"}}
    await storage._store.write("bad", tampered, expected_etag=None)
    with pytest.raises(UnsafeStateDocument):
        await storage.read(["bad"])
