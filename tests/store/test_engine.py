from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.engine import make_engine, migrate
from sharedcalling.adapters.store.tables import leases
from sharedcalling.config import DEFAULT_DATABASE_URL

BERLIN_WINTER = timezone(timedelta(hours=1))


async def _pragma(engine: AsyncEngine, name: str) -> object:
    async with engine.connect() as connection:
        return (await connection.execute(text("PRAGMA " + name))).scalar_one()


async def test_sqlite_connections_get_foreign_keys_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine("sqlite+aiosqlite:///" + str(tmp_path / "pragmas.db"))
    try:
        assert await _pragma(engine, "foreign_keys") == 1
        assert await _pragma(engine, "journal_mode") == "wal"
        assert await _pragma(engine, "busy_timeout") == 5000
    finally:
        await engine.dispose()


async def test_the_default_url_creates_var_under_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = make_engine(DEFAULT_DATABASE_URL)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    assert (tmp_path / "var" / "sharedcalling.db").is_file()


async def test_a_nested_sqlite_path_gets_its_directories(tmp_path: Path) -> None:
    database = tmp_path / "a" / "b" / "store.db"
    engine = make_engine("sqlite+aiosqlite:///" + str(database))
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    assert database.is_file()


async def test_timestamps_come_back_as_aware_utc(store_engine: AsyncEngine) -> None:
    written = datetime(2025, 1, 15, 9, 30, tzinfo=BERLIN_WINTER)
    row = {"name": "n", "owner": "o", "expires_at": written}
    async with store_engine.begin() as connection:
        await connection.execute(leases.insert(), row)
        read = (await connection.execute(select(leases.c.expires_at))).scalar_one()
    assert read == written
    assert read.tzinfo is not None
    assert read.utcoffset() == timedelta(0)
    assert read.hour == 8


async def test_naive_timestamps_are_refused(store_engine: AsyncEngine) -> None:
    row = {"name": "n", "owner": "o", "expires_at": datetime(2025, 1, 15)}
    with pytest.raises(StatementError, match="timezone-aware"):
        async with store_engine.begin() as connection:
            await connection.execute(leases.insert(), row)
