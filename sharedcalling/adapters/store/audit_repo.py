"""SqlAuditLog: the hash-chained audit trail, appended under a lock on the chain's head row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from sharedcalling.adapters.store.dialect import insert_for
from sharedcalling.adapters.store.tables import audit_heads, audit_log
from sharedcalling.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditFacts,
    AuditOutcome,
    chain_entry,
)
from sharedcalling.domain.ids import RequestId
from sharedcalling.services.unit_of_work import AuditLog


class SqlAuditLog(AuditLog):
    """Appends read the head row FOR UPDATE (PostgreSQL) inside a BEGIN IMMEDIATE transaction
    (SQLite), so two writers on any replicas queue on the head instead of forking the chain."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def append(self, chain: str, facts: AuditFacts) -> AuditEntry:
        seq, prev_hash = await self._locked_head(chain)
        entry = chain_entry(chain, seq + 1, facts, prev_hash)
        await self._connection.execute(audit_log.insert(), _row(entry))
        await self._connection.execute(
            update(audit_heads)
            .where(audit_heads.c.chain == chain)
            .values(seq=entry.seq, hash=entry.hash, updated_at=datetime.now(UTC))
        )
        return entry

    async def _locked_head(self, chain: str) -> tuple[int, str]:
        create = insert_for(self._connection, audit_heads).on_conflict_do_nothing(
            index_elements=["chain"]
        )
        await self._connection.execute(
            create,
            {"chain": chain, "seq": 0, "hash": GENESIS_HASH, "updated_at": datetime.now(UTC)},
        )
        query = (
            select(audit_heads.c.seq, audit_heads.c.hash)
            .where(audit_heads.c.chain == chain)
            .with_for_update()
        )
        row = (await self._connection.execute(query)).one()
        return int(row.seq), str(row.hash)

    async def entries(self, chain: str, *, request_id: RequestId | None = None) -> list[AuditEntry]:
        query = select(audit_log).where(audit_log.c.chain == chain)
        if request_id is not None:
            query = query.where(audit_log.c.request_id == request_id)
        rows = (await self._connection.execute(query.order_by(audit_log.c.seq))).all()
        return [_entry(row) for row in rows]

    async def head(self, chain: str) -> tuple[int, str] | None:
        query = select(audit_heads.c.seq, audit_heads.c.hash).where(audit_heads.c.chain == chain)
        row = (await self._connection.execute(query)).first()
        if row is None or row.seq == 0:
            return None
        return int(row.seq), str(row.hash)


def _row(entry: AuditEntry) -> dict[str, Any]:
    facts = entry.facts
    return {
        "chain": entry.chain,
        "seq": entry.seq,
        "at": facts.at,
        "actor_id": facts.actor_id,
        "actor_name": facts.actor_name,
        "event": facts.event,
        "outcome": facts.outcome.value,
        "request_id": facts.request_id,
        "from_state": facts.from_state,
        "to_state": facts.to_state,
        "fingerprint": facts.fingerprint,
        "reason": facts.reason,
        "details": dict(facts.details),
        "correlation_id": facts.correlation_id,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _entry(row: Any) -> AuditEntry:
    facts = AuditFacts(
        at=row.at,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        event=row.event,
        outcome=AuditOutcome(row.outcome),
        request_id=row.request_id,
        from_state=row.from_state,
        to_state=row.to_state,
        fingerprint=row.fingerprint,
        reason=row.reason,
        details=row.details,
        correlation_id=row.correlation_id,
    )
    return AuditEntry(row.chain, int(row.seq), facts, row.prev_hash, row.hash)
