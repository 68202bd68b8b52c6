"""Alembic environment: runs on a shared connection from migrate(), or from the alembic CLI."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from sharedcalling.adapters.store.tables import metadata

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/sharedcalling.db"


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_with_own_engine(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_on)
    finally:
        await engine.dispose()


def main() -> None:
    shared = context.config.attributes.get("connection")
    if shared is not None:
        run_on(shared)
        return
    # Command-line use (e.g. `alembic revision --autogenerate`): DATABASE_URL or the default.
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get(
        "DATABASE_URL", DEFAULT_DATABASE_URL
    )
    asyncio.run(run_with_own_engine(url))


main()
