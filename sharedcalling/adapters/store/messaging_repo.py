"""SQL repositories for reaching people: conversation references, card copies, announcements."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from sharedcalling.adapters.store.dialect import insert_for, upsert
from sharedcalling.adapters.store.tables import (
    apply_jobs,
    card_copies,
    change_requests,
    conversation_references,
    notifications,
)
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.requests import RequestState
from sharedcalling.services.unit_of_work import (
    CardCopy,
    CardCopyRepository,
    ConversationRef,
    ConversationRepository,
    NotificationLedger,
)


class SqlConversationRepository(ConversationRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def remember(self, ref: ConversationRef) -> None:
        row = {
            "tenant_id": ref.tenant_id,
            "conversation_id": ref.conversation_id,
            "conversation_type": ref.conversation_type,
            "user_id": fold(ref.user_id) if ref.user_id else None,
            "reference": dict(ref.reference),
            "updated_at": ref.updated_at,
        }
        columns = ["conversation_type", "user_id", "reference", "updated_at"]
        await self._connection.execute(
            upsert(self._connection, conversation_references, columns), row
        )

    async def personal(self, tenant_id: TenantId, user_id: UserId) -> ConversationRef | None:
        table = conversation_references
        query = (
            select(table)
            .where(
                table.c.tenant_id == tenant_id,
                table.c.user_id == fold(user_id),
                table.c.conversation_type == "personal",
            )
            .order_by(table.c.updated_at.desc())
            .limit(1)
        )
        row = (await self._connection.execute(query)).first()
        return None if row is None else _ref(row)

    async def get(self, tenant_id: TenantId, conversation_id: str) -> ConversationRef | None:
        table = conversation_references
        query = select(table).where(
            table.c.tenant_id == tenant_id, table.c.conversation_id == conversation_id
        )
        row = (await self._connection.execute(query)).first()
        return None if row is None else _ref(row)


def _ref(row: Any) -> ConversationRef:
    return ConversationRef(
        tenant_id=TenantId(row.tenant_id),
        conversation_id=row.conversation_id,
        conversation_type=row.conversation_type,
        user_id=UserId(row.user_id) if row.user_id else None,
        reference=row.reference,
        updated_at=row.updated_at,
    )


class SqlCardCopyRepository(CardCopyRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, copy: CardCopy) -> None:
        statement = insert_for(self._connection, card_copies).on_conflict_do_nothing(
            index_elements=["request_id", "conversation_id", "activity_id"]
        )
        await self._connection.execute(
            statement,
            {
                "request_id": copy.request_id,
                "conversation_id": copy.conversation_id,
                "activity_id": copy.activity_id,
                "purpose": copy.purpose,
                "recipient_id": fold(copy.recipient_id) if copy.recipient_id else None,
                "sent_at": copy.sent_at,
                "rendered_version": copy.rendered_version,
                "sync_failures": copy.sync_failures,
            },
        )

    async def of_request(self, request_id: RequestId) -> list[CardCopy]:
        query = (
            select(card_copies)
            .where(card_copies.c.request_id == request_id)
            .order_by(card_copies.c.sent_at, card_copies.c.conversation_id)
        )
        return [_copy(row) for row in (await self._connection.execute(query)).all()]

    async def rendered(self, copy: CardCopy, version: int) -> None:
        column = card_copies.c.rendered_version
        await self._connection.execute(
            update(card_copies)
            .where(_is(copy), or_(column.is_(None), column <= version))
            .values(rendered_version=version, sync_failures=0)
        )

    async def failed(self, copy: CardCopy) -> None:
        await self._connection.execute(
            update(card_copies)
            .where(_is(copy))
            .values(sync_failures=card_copies.c.sync_failures + 1)
        )

    async def behind(
        self,
        tenant_id: TenantId,
        *,
        states: Collection[RequestState],
        since: datetime,
        max_failures: int,
        limit: int,
    ) -> list[tuple[CardCopy, int]]:
        copy, request = card_copies.c, change_requests.c
        # The requests come by their (tenant, state, created_at) index; the copies by their
        # primary key, which starts with the request id.
        owned_by_apply = exists().where(apply_jobs.c.request_id == request.id)
        query = (
            select(card_copies, request.version.label("request_version"))
            .join(change_requests, request.id == copy.request_id)
            .where(
                request.tenant_id == tenant_id,
                request.state.in_([s.value for s in states]),
                request.created_at >= since,
                ~owned_by_apply,
                copy.activity_id != "",
                or_(copy.rendered_version.is_(None), copy.rendered_version < request.version),
                copy.sync_failures < max_failures,
            )
            .order_by(request.updated_at, request.id, copy.sent_at, copy.conversation_id)
            .limit(limit)
        )
        rows = (await self._connection.execute(query)).all()
        return [(_copy(row), row.request_version) for row in rows]


def _is(copy: CardCopy) -> ColumnElement[bool]:
    return and_(
        card_copies.c.request_id == copy.request_id,
        card_copies.c.conversation_id == copy.conversation_id,
        card_copies.c.activity_id == copy.activity_id,
    )


def _copy(row: Any) -> CardCopy:
    return CardCopy(
        request_id=RequestId(row.request_id),
        conversation_id=row.conversation_id,
        activity_id=row.activity_id,
        purpose=row.purpose,
        recipient_id=UserId(row.recipient_id) if row.recipient_id else None,
        sent_at=row.sent_at,
        rendered_version=row.rendered_version,
        sync_failures=row.sync_failures,
    )


class SqlNotificationLedger(NotificationLedger):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def claim(
        self, tenant_id: TenantId, key: str, *, at: datetime, remind_after: float | None
    ) -> bool:
        first = insert_for(self._connection, notifications).on_conflict_do_nothing(
            index_elements=["tenant_id", "key"]
        )
        row = {"tenant_id": tenant_id, "key": key, "first_at": at, "last_at": at, "count": 1}
        if (await self._connection.execute(first, row)).rowcount == 1:
            return True
        if remind_after is None:
            return False
        # A reminder is claimed by moving last_at forward in one conditional statement, so
        # two replicas cannot both send it.
        due = at - timedelta(seconds=remind_after)
        remind = (
            update(notifications)
            .where(
                notifications.c.tenant_id == tenant_id,
                notifications.c.key == key,
                notifications.c.last_at <= due,
            )
            .values(last_at=at, count=notifications.c.count + 1)
        )
        return bool((await self._connection.execute(remind)).rowcount == 1)

    async def forget(self, tenant_id: TenantId, key: str) -> None:
        await self._connection.execute(
            delete(notifications).where(
                notifications.c.tenant_id == tenant_id, notifications.c.key == key
            )
        )
