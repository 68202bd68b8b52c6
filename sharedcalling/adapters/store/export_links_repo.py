"""SqlExportLinkStore: plan export links in the `export_links` table, redeemed atomically."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.tables import export_links
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.services.export_links import ExportLink, ExportLinkStore


def _link(row: Any) -> ExportLink:
    return ExportLink(
        token_hash=row.token_hash,
        tenant_id=TenantId(row.tenant_id),
        user_id=UserId(row.user_id),
        filename=row.filename,
        media_type=row.media_type,
        content=row.content,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


class SqlExportLinkStore(ExportLinkStore):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, link: ExportLink) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                export_links.insert(),
                {
                    "token_hash": link.token_hash,
                    "tenant_id": link.tenant_id,
                    "user_id": link.user_id,
                    "filename": link.filename,
                    "media_type": link.media_type,
                    "content": link.content,
                    "created_at": link.created_at,
                    "expires_at": link.expires_at,
                    "used_at": link.used_at,
                },
            )

    async def redeem(self, token_hash: str, *, at: datetime) -> ExportLink | None:
        table = export_links
        async with self._engine.begin() as connection:
            # The UPDATE decides: only the redeemer whose statement marks the row gets it.
            claimed = await connection.execute(
                update(table)
                .where(
                    table.c.token_hash == token_hash,
                    table.c.used_at.is_(None),
                    table.c.expires_at > at,
                )
                .values(used_at=at)
            )
            if claimed.rowcount != 1:
                return None
            row = (
                await connection.execute(select(table).where(table.c.token_hash == token_hash))
            ).one()
            return _link(row)

    async def purge(self, *, before: datetime) -> int:
        async with self._engine.begin() as connection:
            done = await connection.execute(
                delete(export_links).where(export_links.c.expires_at < before)
            )
            return int(done.rowcount or 0)
