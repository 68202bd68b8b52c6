"""make_engine(url) for aiosqlite or asyncpg, and migrate(engine) to the newest schema."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Any fixed 64-bit number: every replica takes the same PostgreSQL advisory lock to migrate.
MIGRATION_LOCK_KEY = 0x5343_4D49_4752_4154  # "SCMIGRAT"

_SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    # WAL makes NORMAL durable across application crashes; only a power cut can lose a commit.
    "PRAGMA synchronous=NORMAL",
    # Wait up to 5 s for another writer instead of failing at once with "database is locked".
    "PRAGMA busy_timeout=5000",
)


SQLITE_BEGIN = "sharedcalling_sqlite_begin"
"""Execution option: `IMMEDIATE` makes a SQLite transaction take the write lock at BEGIN."""

# Literal statements, chosen by name: SQL is never assembled from strings.
_SQLITE_BEGIN_STATEMENTS = {"DEFERRED": "BEGIN", "IMMEDIATE": "BEGIN IMMEDIATE"}


def is_sqlite(url: str | URL) -> bool:
    """Whether a database URL names SQLite (any driver)."""
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **engine_options: Any) -> AsyncEngine:
    """An async engine for `sqlite+aiosqlite://` or `postgresql+asyncpg://` URLs.

    For a SQLite file the parent directory is created (the default `var/` is relative to the
    working directory) and every connection gets foreign keys, WAL and a busy timeout.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _create_parent_directory(parsed)
        engine = create_async_engine(parsed, **engine_options)
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_sqlite_transaction)
        return engine
    engine_options.setdefault("pool_pre_ping", True)
    return create_async_engine(parsed, **engine_options)


def _create_parent_directory(url: URL) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is switched off; `_begin_sqlite_transaction` emits it, so
    # that a unit of work can ask for BEGIN IMMEDIATE (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    """BEGIN, or BEGIN IMMEDIATE for connections that will write after reading.

    A deferred SQLite transaction that reads and then writes fails at once with "database is
    locked" when another connection committed in between (WAL snapshots cannot be upgraded, and
    the busy timeout does not apply); IMMEDIATE waits for the write lock up front instead.
    """
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    connection.exec_driver_sql(_SQLITE_BEGIN_STATEMENTS[mode])


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migrations (works when installed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Upgrade the database to the newest revision; a no-op when it is already there.

    Safe at every start. On PostgreSQL a transaction-scoped advisory lock serialises replicas
    that start together: the first upgrades, the others wait and then find nothing to do.
    """
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        await connection.run_sync(_upgrade_to_head)
        await connection.commit()
    logger.info("Database schema is at the newest revision (%s)", engine.dialect.name)


def _upgrade_to_head(connection: Connection) -> None:
    config = alembic_config()
    # env.py runs on this connection instead of opening its own (Alembic's connection sharing).
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
