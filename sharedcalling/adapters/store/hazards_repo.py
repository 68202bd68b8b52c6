"""SQL repositories of the hazard watch: leases, hazard records, facts per subject, checks."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from sharedcalling.adapters.store.dialect import insert_for, upsert
from sharedcalling.adapters.store.hazard_rows import hazard_from_row, hazard_to_row
from sharedcalling.adapters.store.tables import (
    conversation_references,
    hazard_checks,
    hazard_facts,
    hazard_findings,
    leases,
)
from sharedcalling.domain.hazards import Facts
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.services.hazard_store import CheckRecord, HazardRepository, LeaseRepository
from sharedcalling.services.unit_of_work import ConversationRef, RecordNotFound

_CONTENT_COLUMNS = tuple(
    c.name
    for c in hazard_findings.columns
    if c.name not in ("id", "tenant_id", "announced_at", "deliveries", "fix_request_id", "version")
)
"""What a check writes; the announcement and the fix request are written by others."""


class SqlLeaseRepository(LeaseRepository):
    """A conditional UPDATE takes a free or expired lease, an INSERT ... ON CONFLICT DO NOTHING
    creates one: each is one statement, so two replicas cannot both win (PostgreSQL re-checks
    the condition after a concurrent writer commits; SQLite writers are serialised)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def acquire(self, name: str, owner: str, *, now: datetime, ttl: float) -> bool:
        until = now + timedelta(seconds=ttl)
        take = (
            update(leases)
            .where(leases.c.name == name, (leases.c.expires_at <= now) | (leases.c.owner == owner))
            .values(owner=owner, expires_at=until)
        )
        if (await self._connection.execute(take)).rowcount == 1:
            return True
        create = insert_for(self._connection, leases).on_conflict_do_nothing(
            index_elements=["name"]
        )
        row = {"name": name, "owner": owner, "expires_at": until}
        return bool((await self._connection.execute(create, row)).rowcount == 1)

    async def release(self, name: str, owner: str) -> None:
        await self._connection.execute(
            leases.delete().where(leases.c.name == name, leases.c.owner == owner)
        )


class SqlHazardRepository(HazardRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def open_hazards(self, tenant_id: TenantId) -> list[Hazard]:
        table = hazard_findings
        query = select(table).where(table.c.tenant_id == tenant_id, table.c.closed_at.is_(None))
        rows = (await self._connection.execute(query.order_by(table.c.first_seen))).all()
        return [hazard_from_row(row) for row in rows]

    async def get(self, tenant_id: TenantId, hazard_id: str) -> Hazard:
        table = hazard_findings
        query = select(table).where(table.c.tenant_id == tenant_id, table.c.id == hazard_id)
        row = (await self._connection.execute(query)).first()
        if row is None:
            raise RecordNotFound(f"No hazard {hazard_id} in this tenant.")
        return hazard_from_row(row)

    async def closed(self, tenant_id: TenantId, *, limit: int = 50) -> list[Hazard]:
        table = hazard_findings
        query = (
            select(table)
            .where(table.c.tenant_id == tenant_id, table.c.closed_at.is_not(None))
            .order_by(table.c.closed_at.desc(), table.c.id)
            .limit(max(0, limit))
        )
        return [hazard_from_row(row) for row in (await self._connection.execute(query)).all()]

    async def add(self, hazards: Collection[Hazard]) -> None:
        if hazards:
            rows = [hazard_to_row(h) for h in hazards]
            await self._connection.execute(hazard_findings.insert(), rows)

    async def update(self, hazards: Collection[Hazard]) -> None:
        table = hazard_findings
        for hazard in hazards:
            row = hazard_to_row(hazard)
            values: dict[str, Any] = {name: row[name] for name in _CONTENT_COLUMNS}
            await self._connection.execute(
                update(table)
                .where(table.c.tenant_id == hazard.tenant_id, table.c.id == hazard.id)
                .values(**values, version=table.c.version + 1)
            )

    async def touch(self, tenant_id: TenantId, hazard_ids: Collection[str], at: datetime) -> None:
        if hazard_ids:
            table = hazard_findings
            await self._connection.execute(
                update(table)
                .where(table.c.tenant_id == tenant_id, table.c.id.in_(list(hazard_ids)))
                .values(last_seen=at)
            )

    async def mark_announced(
        self,
        tenant_id: TenantId,
        hazard_id: str,
        at: datetime,
        deliveries: Collection[tuple[str, str]],
    ) -> None:
        await self._set(
            tenant_id, hazard_id, announced_at=at, deliveries=[list(d) for d in deliveries]
        )

    async def set_fix_request(
        self, tenant_id: TenantId, hazard_id: str, request_id: RequestId
    ) -> None:
        await self._set(tenant_id, hazard_id, fix_request_id=request_id)

    async def _set(self, tenant_id: TenantId, hazard_id: str, **values: Any) -> None:
        table = hazard_findings
        done = await self._connection.execute(
            update(table)
            .where(table.c.tenant_id == tenant_id, table.c.id == hazard_id)
            .values(**values, version=table.c.version + 1)
        )
        if done.rowcount != 1:
            raise RecordNotFound(f"No hazard {hazard_id} in this tenant.")

    async def facts(self, tenant_id: TenantId) -> dict[str, Facts]:
        table = hazard_facts
        query = select(table.c.subject_key, table.c.facts).where(table.c.tenant_id == tenant_id)
        return {row.subject_key: row.facts for row in await self._connection.execute(query)}

    async def put_facts(
        self, tenant_id: TenantId, facts: Mapping[str, Facts], at: datetime
    ) -> None:
        if facts:
            rows = [
                {"tenant_id": tenant_id, "subject_key": key, "facts": dict(value), "seen_at": at}
                for key, value in facts.items()
            ]
            statement = upsert(self._connection, hazard_facts, ["facts", "seen_at"])
            await self._connection.execute(statement, rows)

    async def reachable_people(self, tenant_id: TenantId) -> list[UserId]:
        table = conversation_references
        query = (
            select(table.c.user_id)
            .where(
                table.c.tenant_id == tenant_id,
                table.c.conversation_type == "personal",
                table.c.user_id.is_not(None),
            )
            .distinct()
        )
        return sorted(UserId(row.user_id) for row in await self._connection.execute(query))

    async def channel_reference(
        self, tenant_id: TenantId, channel_id: str
    ) -> ConversationRef | None:
        table = conversation_references
        query = (
            select(table)
            .where(
                table.c.tenant_id == tenant_id,
                (table.c.conversation_id == channel_id)
                | table.c.conversation_id.startswith(f"{channel_id};messageid=", autoescape=True),
            )
            .order_by(table.c.updated_at.desc())
            .limit(1)
        )
        row = (await self._connection.execute(query)).first()
        if row is None:
            return None
        return ConversationRef(
            tenant_id=TenantId(row.tenant_id),
            conversation_id=row.conversation_id,
            conversation_type=row.conversation_type,
            user_id=None,
            reference=row.reference,
            updated_at=row.updated_at,
        )

    async def add_check(self, record: CheckRecord) -> None:
        await self._connection.execute(
            hazard_checks.insert(),
            {
                "id": record.id,
                "tenant_id": record.tenant_id,
                "trigger": record.trigger,
                "owner": record.owner,
                "started_at": record.started_at,
                "finished_at": record.finished_at,
                "outcome": record.outcome,
                "summary": dict(record.summary),
            },
        )

    async def checks(self, tenant_id: TenantId, *, limit: int = 10) -> list[CheckRecord]:
        table = hazard_checks
        query = (
            select(table)
            .where(table.c.tenant_id == tenant_id)
            .order_by(table.c.started_at.desc(), table.c.id.desc())
            .limit(max(0, limit))
        )
        return [
            CheckRecord(
                id=row.id,
                tenant_id=TenantId(row.tenant_id),
                trigger=row.trigger,
                owner=row.owner,
                started_at=row.started_at,
                finished_at=row.finished_at,
                outcome=row.outcome,
                summary=row.summary,
            )
            for row in (await self._connection.execute(query)).all()
        ]
