"""SqlTenantStateStore: the emulated tenant's objects as JSON documents, one row per object."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.dialect import upsert
from sharedcalling.adapters.store.tables import emulated_tenant_objects as table
from sharedcalling.domain.ids import TenantId
from sharedcalling.services.ports import StoredObject, TenantStateStore


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
            # One executemany: a seed of a thousand users is one round trip per batch, not 1,000.
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


def _rows(tenant_id: TenantId, stored: Collection[StoredObject]) -> list[dict[str, Any]]:
    # The last object wins for a repeated (kind, key), as if upserted one by one; PostgreSQL
    # refuses to update the same row twice in one statement.
    latest = {(item.kind, item.key): item for item in stored}
    return [
        {"tenant_id": tenant_id, "kind": kind, "key": key, "document": dict(item.document)}
        for (kind, key), item in latest.items()
    ]
