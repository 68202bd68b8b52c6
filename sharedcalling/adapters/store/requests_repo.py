"""SQL repositories for change requests and the per-user locks that keep requests apart."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from sharedcalling.adapters.store.dialect import insert_for
from sharedcalling.adapters.store.request_rows import from_row, to_row
from sharedcalling.adapters.store.tables import change_requests, request_locks
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
from sharedcalling.services.unit_of_work import (
    ConcurrencyConflict,
    LockRepository,
    RecordNotFound,
    RequestRepository,
    UsersLocked,
)

MAX_PAGE = 200
_CHUNK = 500
"""Rows or ids per statement: SQLite limits the bound parameters of one statement."""


class SqlRequestRepository(RequestRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, request: ChangeRequest) -> None:
        if request.version != 0:
            raise ValueError("a new request starts at version 0")
        await self._connection.execute(change_requests.insert(), to_row(request))

    async def get(self, tenant_id: TenantId, request_id: RequestId) -> ChangeRequest:
        query = select(change_requests).where(
            change_requests.c.id == request_id, change_requests.c.tenant_id == tenant_id
        )
        row = (await self._connection.execute(query)).first()
        if row is None:
            raise RecordNotFound(f"No request {request_id} in this tenant.")
        return from_row(row)

    async def version(self, tenant_id: TenantId, request_id: RequestId) -> int:
        query = select(change_requests.c.version).where(
            change_requests.c.id == request_id, change_requests.c.tenant_id == tenant_id
        )
        found = (await self._connection.execute(query)).scalar()
        if found is None:
            raise RecordNotFound(f"No request {request_id} in this tenant.")
        return int(found)

    async def save(self, request: ChangeRequest, *, expected_version: int) -> ChangeRequest:
        stored = replace(request, version=expected_version + 1)
        values = to_row(stored)
        del values["id"]
        statement = (
            update(change_requests)
            .where(
                change_requests.c.id == request.id,
                change_requests.c.tenant_id == request.tenant_id,
                change_requests.c.version == expected_version,
            )
            .values(**values)
        )
        result = await self._connection.execute(statement)
        if result.rowcount != 1:
            raise ConcurrencyConflict(
                f"Request {request.id} changed since it was read (expected version "
                f"{expected_version})."
            )
        return stored

    async def find(
        self,
        tenant_id: TenantId,
        *,
        states: Collection[RequestState] = (),
        requester_id: UserId | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[ChangeRequest]:
        query = select(change_requests).where(change_requests.c.tenant_id == tenant_id)
        if states:
            query = query.where(change_requests.c.state.in_([s.value for s in states]))
        if requester_id is not None:
            query = query.where(change_requests.c.requester_id == fold(requester_id))
        query = (
            query.order_by(change_requests.c.created_at.desc(), change_requests.c.id)
            .limit(max(1, min(limit, MAX_PAGE)))
            .offset(max(0, offset))
        )
        rows = (await self._connection.execute(query)).all()
        return [from_row(row) for row in rows]

    async def count_since(
        self, tenant_id: TenantId, *, requester_id: UserId, kind: RequestKind, since: datetime
    ) -> int:
        query = select(func.count()).where(
            change_requests.c.tenant_id == tenant_id,
            change_requests.c.requester_id == fold(requester_id),
            change_requests.c.kind == kind.value,
            change_requests.c.created_at >= since,
        )
        return int((await self._connection.execute(query)).scalar_one())

    async def count_by_state(self, tenant_id: TenantId) -> dict[RequestState, int]:
        query = (
            select(change_requests.c.state, func.count())
            .where(change_requests.c.tenant_id == tenant_id)
            .group_by(change_requests.c.state)
        )
        rows = (await self._connection.execute(query)).all()
        return {RequestState(state): int(count) for state, count in rows}


class SqlLockRepository(LockRepository):
    """One row per locked user; the primary key (tenant, user) makes a second lock impossible."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def acquire(
        self, tenant_id: TenantId, request_id: RequestId, user_ids: Collection[UserId]
    ) -> None:
        wanted = sorted({fold(u) for u in user_ids})
        if not wanted:
            return
        held = await self.holders(tenant_id, [UserId(u) for u in wanted])
        elsewhere = {user: req for user, req in held.items() if req != request_id}
        if elsewhere:
            raise UsersLocked(elsewhere)
        now = datetime.now(UTC)
        missing = [u for u in wanted if u not in held]
        if not missing:
            return
        # A concurrent request may have taken a user between the read and this insert: the
        # primary key refuses it, DO NOTHING skips it, and RETURNING tells us what we got.
        got: set[str] = set()
        for start in range(0, len(missing), _CHUNK):
            rows = [
                {"tenant_id": tenant_id, "user_id": u, "request_id": request_id, "locked_at": now}
                for u in missing[start : start + _CHUNK]
            ]
            statement = (
                insert_for(self._connection, request_locks)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["tenant_id", "user_id"])
                .returning(request_locks.c.user_id)
            )
            got.update((await self._connection.execute(statement)).scalars().all())
        if len(got) < len(missing):
            raced = await self.holders(tenant_id, [UserId(u) for u in missing if u not in got])
            raise UsersLocked({u: r for u, r in raced.items() if r != request_id})

    async def release(self, tenant_id: TenantId, request_id: RequestId) -> None:
        await self._connection.execute(
            delete(request_locks).where(
                request_locks.c.tenant_id == tenant_id, request_locks.c.request_id == request_id
            )
        )

    async def holders(
        self, tenant_id: TenantId, user_ids: Collection[UserId]
    ) -> dict[UserId, RequestId]:
        wanted = sorted({fold(u) for u in user_ids})
        found: dict[UserId, RequestId] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            query = select(request_locks.c.user_id, request_locks.c.request_id).where(
                request_locks.c.tenant_id == tenant_id, request_locks.c.user_id.in_(chunk)
            )
            for row in (await self._connection.execute(query)).all():
                found[UserId(row.user_id)] = RequestId(row.request_id)
        return found
