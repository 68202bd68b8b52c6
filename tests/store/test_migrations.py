from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from sharedcalling.adapters.store.engine import alembic_config, make_engine, migrate
from sharedcalling.adapters.store.tables import metadata
from tests.db import DIALECTS, Dialect, fresh_database

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def _schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_migrate_brings_an_empty_database_to_the_models(
    dialect: Dialect, tmp_path: Path
) -> None:
    async with fresh_database(dialect, tmp_path) as url:
        engine = make_engine(url)
        try:
            await migrate(engine)
            async with engine.connect() as connection:
                tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
                differences = await connection.run_sync(_schema_differences)
                revision = await connection.run_sync(_current_revision)
        finally:
            await engine.dispose()
    assert set(metadata.tables) <= tables
    assert differences == []
    assert revision == HEAD


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_migrating_twice_changes_nothing_and_keeps_the_data(
    dialect: Dialect, tmp_path: Path
) -> None:
    async with fresh_database(dialect, tmp_path) as url:
        engine = make_engine(url)
        try:
            await migrate(engine)
            async with engine.begin() as connection:
                await connection.execute(
                    metadata.tables["emulated_tenant_objects"].insert(),
                    {"tenant_id": "t", "kind": "user", "key": "u1", "document": {"a": 1}},
                )
            await migrate(engine)
            async with engine.connect() as connection:
                revision = await connection.run_sync(_current_revision)
                rows = (
                    await connection.execute(text("SELECT count(*) FROM emulated_tenant_objects"))
                ).scalar_one()
        finally:
            await engine.dispose()
    assert (revision, rows) == (HEAD, 1)


@pytest.mark.postgres
async def test_replicas_starting_together_migrate_once(tmp_path: Path) -> None:
    async with fresh_database("postgres", tmp_path) as url:
        engines = [make_engine(url) for _ in range(4)]
        try:
            await asyncio.gather(*(migrate(engine) for engine in engines))
            async with engines[0].connect() as connection:
                revision = await connection.run_sync(_current_revision)
        finally:
            await asyncio.gather(*(engine.dispose() for engine in engines))
    assert revision == HEAD


def test_the_migrations_ship_inside_the_package() -> None:
    script_location = Path(alembic_config().get_main_option("script_location") or "")
    assert script_location.is_absolute()
    assert (script_location / "env.py").is_file()
    assert Path(__file__).parents[2] / "sharedcalling" in script_location.parents


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_every_revision_downgrades_to_empty_and_upgrades_again(
    dialect: Dialect, tmp_path: Path
) -> None:
    def down_to_base(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")

    async with fresh_database(dialect, tmp_path) as url:
        engine = make_engine(url)
        try:
            await migrate(engine)
            async with engine.begin() as connection:
                await connection.run_sync(down_to_base)
                emptied = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            await migrate(engine)
            async with engine.connect() as connection:
                differences = await connection.run_sync(_schema_differences)
        finally:
            await engine.dispose()
    assert emptied <= {"alembic_version"}
    assert differences == []
