from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.engine import make_engine, migrate
from sharedcalling.adapters.store.tables import audit_log
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
    row = {"at": written, "actor": "a", "event": "e", "subject": "s", "details": {}}
    async with store_engine.begin() as connection:
        await connection.execute(audit_log.insert(), row)
        read = (await connection.execute(select(audit_log.c.at))).scalar_one()
    assert read == written
    assert read.tzinfo is not None
    assert read.utcoffset() == timedelta(0)
    assert read.hour == 8


async def test_naive_timestamps_are_refused(store_engine: AsyncEngine) -> None:
    row = {"at": datetime(2025, 1, 15), "actor": "a", "event": "e", "subject": "s", "details": {}}
    with pytest.raises(StatementError, match="timezone-aware"):
        async with store_engine.begin() as connection:
            await connection.execute(audit_log.insert(), row)


async def test_audit_ids_increase(store_engine: AsyncEngine) -> None:
    now = datetime.now(UTC)
    rows = [
        {"at": now, "actor": "a", "event": "e", "subject": str(n), "details": {"n": n}}
        for n in range(3)
    ]
    async with store_engine.begin() as connection:
        await connection.execute(audit_log.insert(), rows)
        ids = (
            (await connection.execute(select(audit_log.c.id).order_by(audit_log.c.subject)))
            .scalars()
            .all()
        )
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
