"""SqlTenantStateStore: the emulated tenant's objects as JSON documents, one row per object."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sharedcalling.adapters.store.dialect import upsert
from sharedcalling.adapters.store.engine import SQLITE_BEGIN
from sharedcalling.adapters.store.tables import emulated_tenant_objects as table
from sharedcalling.domain.ids import TenantId
from sharedcalling.services.ports import WRITE_LOG_KIND, StoredObject, TenantStateStore


class SqlTenantStateStore(TenantStateStore):
    """TenantStateStore over the `emulated_tenant_objects` table; every call is one transaction."""

    def __init__(self, engine: AsyncEngine):
        self._engine = engine

    async def load(self, tenant_id: TenantId) -> list[StoredObject]:
        query = (
            select(table.c.kind, table.c.key, table.c.document)
            .where(table.c.tenant_id == tenant_id)
            .order_by(table.c.kind, table.c.key)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [StoredObject(kind=row.kind, key=row.key, document=row.document) for row in rows]

    async def upsert(self, tenant_id: TenantId, objects: Collection[StoredObject]) -> None:
        rows = _rows(tenant_id, objects)
        if not rows:
            return
        async with self._engine.begin() as connection:
            await _relaxed_commit(connection)
            # One executemany: a seed of a thousand users is one round trip per batch, not 1,000.
            await connection.execute(upsert(connection, table, ["document"]), rows)

    async def changes_since(self, tenant_id: TenantId, after_key: str) -> list[StoredObject]:
        async with self._engine.connect() as connection:
            return await _changes(connection, tenant_id, after_key)

    async def write_exclusively(
        self,
        tenant_id: TenantId,
        after_key: str,
        decide: Callable[[list[StoredObject]], Collection[StoredObject]],
    ) -> None:
        async with self._engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # IMMEDIATE: the write lock is taken before the changes are read.
                await connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            async with connection.begin():
                if connection.dialect.name == "postgresql":
                    lock = {"key": _lock_key(tenant_id)}
                    await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), lock)
                await _relaxed_commit(connection)
                rows = _rows(tenant_id, decide(await _changes(connection, tenant_id, after_key)))
                if rows:
                    await connection.execute(upsert(connection, table, ["document"]), rows)

    async def remove(self, tenant_id: TenantId, keys: Collection[tuple[str, str]]) -> None:
        params = [{"t": tenant_id, "k": kind, "n": key} for kind, key in dict.fromkeys(keys)]
        if not params:
            return
        statement = delete(table).where(
            table.c.tenant_id == bindparam("t"),
            table.c.kind == bindparam("k"),
            table.c.key == bindparam("n"),
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement, params)

    async def clear(self, tenant_id: TenantId) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(delete(table).where(table.c.tenant_id == tenant_id))


async def _relaxed_commit(connection: AsyncConnection) -> None:
    if connection.dialect.name == "postgresql":
        # The emulated tenant is a demo and test double: its commits need not wait for the WAL
        # flush. A commit still survives the bot process dying (the server has it); only a
        # crash of the PostgreSQL server itself may lose the newest ones, each whole with its
        # write-log record (docs/storage.md).
        await connection.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _lock_key(tenant_id: TenantId) -> int:
    """A stable 63-bit advisory lock key per tenant (never `hash()`: it is salted)."""
    digest = hashlib.sha256(b"sharedcalling:emulated:" + tenant_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


async def _changes(
    connection: AsyncConnection, tenant_id: TenantId, after_key: str
) -> list[StoredObject]:
    records = (
        await connection.execute(
            select(table.c.kind, table.c.key, table.c.document)
            .where(
                table.c.tenant_id == tenant_id,
                table.c.kind == WRITE_LOG_KIND,
                table.c.key > after_key,
            )
            .order_by(table.c.key)
        )
    ).all()
    if not records:
        return []
    named = {(str(k), str(n)) for r in records for k, n in r.document.get("objects", ())}
    objects: Sequence[Any] = ()
    if named:
        objects = (
            await connection.execute(
                select(table.c.kind, table.c.key, table.c.document).where(
                    table.c.tenant_id == tenant_id, tuple_(table.c.kind, table.c.key).in_(named)
                )
            )
        ).all()
    return [StoredObject(r.kind, r.key, r.document) for r in (*records, *objects)]


def _rows(tenant_id: TenantId, stored: Collection[StoredObject]) -> list[dict[str, Any]]:
    # The last object wins for a repeated (kind, key), as if upserted one by one; PostgreSQL
    # refuses to update the same row twice in one statement.
    latest = {(item.kind, item.key): item for item in stored}
    return [
        {"tenant_id": tenant_id, "kind": kind, "key": key, "document": dict(item.document)}
        for (kind, key), item in latest.items()
    ]
