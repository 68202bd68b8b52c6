"""The people-notice rows of SqlApplyStore: a claim is an INSERT that only one caller wins."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sharedcalling.adapters.store.dialect import insert_for
from sharedcalling.adapters.store.tables import apply_people_notices as notices
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.services.apply.store import NoticeState, PersonNotice

MAX_REASON = 500


class _Store(Protocol):
    _engine: AsyncEngine

    def _write(self) -> AbstractAsyncContextManager[AsyncConnection]: ...


class NoticeRows:
    """Mixed into SqlApplyStore (it brings `_engine` and `_write`)."""

    async def claim_notice(
        self: _Store,
        tenant_id: TenantId,
        request_id: RequestId,
        user_id: UserId,
        display_name: str,
        owner: str,
        at: datetime,
    ) -> bool:
        values = {
            "request_id": request_id,
            "user_id": fold(user_id),
            "tenant_id": tenant_id,
            "display_name": display_name[:256],
            "state": NoticeState.SENDING.value,
            "attempts": 0,
            "owner": owner[:128],
            "claimed_at": at,
        }
        async with self._write() as connection:
            statement = insert_for(connection, notices).on_conflict_do_nothing(
                index_elements=["request_id", "user_id"]
            )
            return bool((await connection.execute(statement, values)).rowcount == 1)

    async def finish_notice(
        self: _Store,
        request_id: RequestId,
        user_id: UserId,
        owner: str,
        at: datetime,
        *,
        sent: bool,
        attempts: int,
        reason: str = "",
    ) -> bool:
        state = NoticeState.SENT if sent else NoticeState.FAILED
        statement = (
            update(notices)
            .where(
                notices.c.request_id == request_id,
                notices.c.user_id == fold(user_id),
                notices.c.owner == owner[:128],
                notices.c.state == NoticeState.SENDING.value,
            )
            .values(
                state=state.value,
                attempts=attempts,
                reason=reason[:MAX_REASON] or None,
                finished_at=at,
            )
        )
        async with self._write() as connection:
            return bool((await connection.execute(statement)).rowcount == 1)

    async def notices(self: _Store, request_id: RequestId) -> list[PersonNotice]:
        query = (
            select(notices)
            .where(notices.c.request_id == request_id)
            .order_by(notices.c.display_name, notices.c.user_id)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            PersonNotice(
                request_id=RequestId(row.request_id),
                user_id=UserId(row.user_id),
                display_name=row.display_name,
                state=NoticeState(row.state),
                attempts=row.attempts,
                owner=row.owner,
                claimed_at=row.claimed_at,
                reason=row.reason or "",
            )
            for row in rows
        ]


__all__ = ["NoticeRows"]
