"""Fresh, migrated SQLite and PostgreSQL databases for tests (see docs/storage.md, Tests)."""

# PostgreSQL tests read the server from TEST_DATABASE_URL (for example
# postgresql+asyncpg://postgres@127.0.0.1:5432/postgres) and create databases of their own on it,
# so parallel sessions never collide. Without the variable they skip, except under CI=true, where
# they fail. Import the fixtures you use by name: `from tests.db import database_url, store_engine`.

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
import pytest
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.engine import make_engine, migrate
from sharedcalling.adapters.store.tables import metadata

POSTGRES_ENV = "TEST_DATABASE_URL"
Dialect = Literal["sqlite", "postgres"]
DIALECTS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]

# Database names cannot be bound parameters, so CREATE/DROP DATABASE is the one place where SQL
# text is assembled: from a name we generate from a uuid4 and check against this pattern.
_TEST_DATABASE_NAME = re.compile(r"^sc_test_[0-9a-f]{32}$")

T = TypeVar("T")


def postgres_server_url() -> str:
    """TEST_DATABASE_URL; skip when it is unset, fail when it is unset under CI=true."""
    url = os.environ.get(POSTGRES_ENV, "")
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{POSTGRES_ENV} must be set when CI=true: PostgreSQL tests may not skip")
    pytest.skip(f"{POSTGRES_ENV} is not set")


def _asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _quoted_test_database(name: str) -> str:
    if not _TEST_DATABASE_NAME.fullmatch(name):
        raise ValueError(f"refusing to touch database {name!r}: not a test database name")
    return '"' + name + '"'


async def _admin(server: URL, statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(server))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def create_postgres_database() -> str:
    """Create a new, empty PostgreSQL database on the test server and return its URL."""
    server = make_url(postgres_server_url())
    name = "sc_test_" + uuid.uuid4().hex
    await _admin(server, "CREATE DATABASE " + _quoted_test_database(name))
    return server.set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    """Drop a database made by create_postgres_database()."""
    database = make_url(url)
    name = _quoted_test_database(database.database or "")
    server = database.set(database=make_url(postgres_server_url()).database)
    # FORCE ends sessions a test left open, so the drop never hangs.
    await _admin(server, "DROP DATABASE IF EXISTS " + name + " (FORCE)")


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    url = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(url)


@asynccontextmanager
async def fresh_database(dialect: Dialect, directory: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database: a SQLite file in `directory`, or a PostgreSQL one."""
    if dialect == "postgres":
        async with fresh_postgres_database() as url:
            yield url
    else:
        yield "sqlite+aiosqlite:///" + str(directory / ("sc-" + uuid.uuid4().hex + ".db"))


async def migrate_url(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def migrated_database(dialect: Dialect, directory: Path) -> AsyncIterator[str]:
    """The URL of a new database at the newest schema; hand it to the app as DATABASE_URL."""
    async with fresh_database(dialect, directory) as url:
        await migrate_url(url)
        yield url


async def delete_all_rows(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            await connection.execute(table.delete())


def _in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    # A thread of its own: pytest-asyncio owns the event loops of the test thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


_POSTGRES_SESSION_DATABASE = pytest.StashKey[str]()
_SQLITE_TEMPLATE = pytest.StashKey[Path]()


def _session_postgres_url(config: pytest.Config) -> str:
    """One migrated PostgreSQL database per session, dropped when the session ends."""
    if _POSTGRES_SESSION_DATABASE not in config.stash:
        url = _in_own_loop(create_postgres_database())
        config.add_cleanup(lambda: _in_own_loop(drop_postgres_database(url)))
        _in_own_loop(migrate_url(url))
        config.stash[_POSTGRES_SESSION_DATABASE] = url
    return config.stash[_POSTGRES_SESSION_DATABASE]


def _session_sqlite_template(config: pytest.Config, factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file made once per session; tests get copies of it."""
    if _SQLITE_TEMPLATE not in config.stash:
        path = factory.mktemp("sqlite-template") / "template.db"
        # Disposing the engine closes the last connection, which folds the WAL into the file.
        _in_own_loop(migrate_url("sqlite+aiosqlite:///" + str(path)))
        config.stash[_SQLITE_TEMPLATE] = path
    return config.stash[_SQLITE_TEMPLATE]


@pytest.fixture(scope="session")
def postgres_session_database(pytestconfig: pytest.Config) -> str:
    """The session's migrated PostgreSQL database; tests empty what they use."""
    return _session_postgres_url(pytestconfig)


@pytest.fixture(params=DIALECTS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A migrated database on each dialect: a fresh SQLite copy, or the session's PostgreSQL
    one (use `store_engine` to have it emptied first)."""
    if request.param == "postgres":
        return _session_postgres_url(request.config)
    path = tmp_path / "store.db"
    shutil.copyfile(_session_sqlite_template(request.config, tmp_path_factory), path)
    return "sqlite+aiosqlite:///" + str(path)


@pytest.fixture
async def store_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on `database_url` with every table emptied first."""
    engine = make_engine(database_url)
    try:
        await delete_all_rows(engine)
        yield engine
    finally:
        await engine.dispose()
