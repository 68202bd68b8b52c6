"""SqlBotStateStore: e-tagged JSON documents behind Bot Framework state, concurrency in SQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sharedcalling.adapters.store.dialect import insert_for, upsert
from sharedcalling.adapters.store.tables import bot_state
from sharedcalling.services.ports import BotStateStore, StateConflict, StateDocument

UNCONDITIONAL = "*"
MUST_NOT_EXIST = ""


class UnstorableState(ValueError):
    """A key or document holds a NUL character, which PostgreSQL cannot store (text or JSONB);
    refused on every database alike, before anything is written."""


def _strings(value: Any) -> Iterator[str]:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)


def _storable_keys(keys: Collection[str]) -> list[str]:
    """Distinct keys, without those holding NUL: they cannot have been stored."""
    return [key for key in dict.fromkeys(keys) if "\x00" not in key]


def _check_storable(key: str, data: Mapping[str, Any]) -> None:
    if "\x00" in key:
        raise UnstorableState("a bot state key may not contain NUL characters")
    if any("\x00" in text for text in _strings(data)):
        raise UnstorableState(f"bot state {key!r} holds a NUL character")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SqlBotStateStore(BotStateStore):
    """BotStateStore over the `bot_state` table.

    The e-tag check is part of each write statement (a conditional UPDATE, or an INSERT that
    does nothing on conflict), so two writers holding the same e-tag cannot both win, whether
    they run in one process or on several replicas.
    """

    def __init__(self, engine: AsyncEngine, *, now: Callable[[], datetime] = _utc_now):
        self._engine = engine
        self._now = now

    async def read(self, keys: Collection[str]) -> dict[str, StateDocument]:
        wanted = _storable_keys(keys)
        if not wanted:
            return {}
        query = select(bot_state.c.key, bot_state.c.data, bot_state.c.etag).where(
            bot_state.c.key.in_(wanted)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return {row.key: StateDocument(key=row.key, data=row.data, etag=row.etag) for row in rows}

    async def write(self, key: str, data: Mapping[str, Any], *, expected_etag: str | None) -> str:
        _check_storable(key, data)
        row = {"key": key, "data": dict(data), "etag": uuid.uuid4().hex, "updated_at": self._now()}
        async with self._engine.begin() as connection:
            if expected_etag is None or expected_etag == UNCONDITIONAL:
                await _overwrite(connection, row)
            elif expected_etag == MUST_NOT_EXIST:
                await _insert_if_absent(connection, row)
            else:
                await _replace_if_current(connection, row, expected_etag)
        return str(row["etag"])

    async def delete(self, keys: Collection[str]) -> None:
        wanted = _storable_keys(keys)
        if not wanted:
            return
        async with self._engine.begin() as connection:
            await connection.execute(delete(bot_state).where(bot_state.c.key.in_(wanted)))

    async def delete_untouched(self, prefix: str, *, before: datetime) -> int:
        statement = delete(bot_state).where(
            bot_state.c.key.startswith(prefix, autoescape=True), bot_state.c.updated_at < before
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return int(result.rowcount or 0)


async def _overwrite(connection: AsyncConnection, row: dict[str, Any]) -> None:
    await connection.execute(upsert(connection, bot_state, ["data", "etag", "updated_at"]), row)


async def _insert_if_absent(connection: AsyncConnection, row: dict[str, Any]) -> None:
    statement = insert_for(connection, bot_state).on_conflict_do_nothing(index_elements=["key"])
    result = await connection.execute(statement, row)
    if result.rowcount != 1:
        raise StateConflict(f"Writing bot state {row['key']!r}: it already exists")


async def _replace_if_current(connection: AsyncConnection, row: dict[str, Any], etag: str) -> None:
    statement = (
        update(bot_state)
        .where(bot_state.c.key == row["key"], bot_state.c.etag == etag)
        .values(data=row["data"], etag=row["etag"], updated_at=row["updated_at"])
    )
    result = await connection.execute(statement)
    if result.rowcount != 1:
        raise StateConflict(
            f"Writing bot state {row['key']!r}: it changed or was deleted since it was read"
        )
