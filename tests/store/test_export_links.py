"""Plan export links in SQL, on SQLite and PostgreSQL: one download each, never after expiry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.export_links_repo import SqlExportLinkStore
from sharedcalling.adapters.store.tables import export_links
from sharedcalling.domain.access import Principal, Role
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.services.export_links import (
    create_export_link,
    purge_export_links,
    redeem_export_link,
)
from sharedcalling.services.ports import Clock
from tests.db import database_url, store_engine  # noqa: F401  (fixtures)

MEGAN = Principal(
    TenantId("t"), UserId("00000000-0000-4000-8000-000000000001"), "Megan", frozenset({Role.ADMIN})
)


class FixedClock(Clock):
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


async def _link(store: SqlExportLinkStore, clock: FixedClock, content: str = "Grant-Cs...") -> str:
    return await create_export_link(
        principal=MEGAN, filename="plan.ps1", media_type="text/plain", content=content,
        store=store, clock=clock, lifetime=timedelta(minutes=10),
    )  # fmt: skip


async def test_a_link_downloads_once(store_engine: AsyncEngine) -> None:  # noqa: F811
    store, clock = SqlExportLinkStore(store_engine), FixedClock()
    token = await _link(store, clock)
    link = await redeem_export_link(token, store=store, clock=clock)
    assert link is not None
    assert (link.content, link.filename, link.user_id) == ("Grant-Cs...", "plan.ps1", MEGAN.user_id)
    assert link.used_at == clock.at
    assert await redeem_export_link(token, store=store, clock=clock) is None


async def test_an_expired_or_unknown_link_gives_nothing(store_engine: AsyncEngine) -> None:  # noqa: F811
    store, clock = SqlExportLinkStore(store_engine), FixedClock()
    token = await _link(store, clock)
    clock.at += timedelta(minutes=10)
    assert await redeem_export_link(token, store=store, clock=clock) is None
    assert await redeem_export_link("A" * 43, store=store, clock=clock) is None
    assert await redeem_export_link("", store=store, clock=clock) is None


async def test_only_the_tokens_hash_is_stored(store_engine: AsyncEngine) -> None:  # noqa: F811
    store = SqlExportLinkStore(store_engine)
    token = await _link(store, FixedClock())
    async with store_engine.connect() as connection:
        rows = (await connection.execute(select(export_links))).all()
    assert len(rows) == 1
    assert token not in str(rows[0])
    assert len(rows[0].token_hash) == 64


async def test_of_simultaneous_downloads_exactly_one_gets_the_file(
    store_engine: AsyncEngine,  # noqa: F811
) -> None:
    store, clock = SqlExportLinkStore(store_engine), FixedClock()
    token = await _link(store, clock)
    results = await asyncio.gather(
        *(redeem_export_link(token, store=store, clock=clock) for _ in range(8))
    )
    assert sum(r is not None for r in results) == 1


async def test_purging_deletes_expired_links_only(store_engine: AsyncEngine) -> None:  # noqa: F811
    store, clock = SqlExportLinkStore(store_engine), FixedClock()
    old = await _link(store, clock, "old")
    clock.at += timedelta(minutes=8)
    fresh = await _link(store, clock, "fresh")
    clock.at += timedelta(minutes=3)
    assert await purge_export_links(store=store, clock=clock) == 1
    assert await redeem_export_link(old, store=store, clock=clock) is None
    fresh_link = await redeem_export_link(fresh, store=store, clock=clock)
    assert fresh_link is not None
    assert fresh_link.content == "fresh"
