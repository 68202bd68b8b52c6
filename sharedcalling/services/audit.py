"""Use cases over the audit trail: verify the hash chain, export it as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from sharedcalling.domain.audit import AuditEntry, ChainReport, verify_chain
from sharedcalling.domain.ids import RequestId, TenantId
from sharedcalling.services.unit_of_work import UnitOfWorkFactory

CSV_COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "event",
    "outcome",
    "request_id",
    "from_state",
    "to_state",
    "fingerprint",
    "reason",
    "correlation_id",
    "hash",
)


async def verify_audit_chain(tenant_id: TenantId, *, uow: UnitOfWorkFactory) -> ChainReport:
    """Recompute the tenant's chain from the first entry; the report names the first break."""
    async with uow() as work:
        entries = await work.audit.entries(tenant_id)
        head = await work.audit.head(tenant_id)
    return verify_chain(tenant_id, entries, head=head)


async def audit_entries(
    tenant_id: TenantId, *, uow: UnitOfWorkFactory, request_id: RequestId | None = None
) -> list[AuditEntry]:
    async with uow() as work:
        return await work.audit.entries(tenant_id, request_id=request_id)


def entry_record(entry: AuditEntry) -> dict[str, Any]:
    facts = entry.facts
    return {
        "seq": entry.seq,
        "at": facts.at.isoformat(),
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


def audit_to_json(entries: Sequence[AuditEntry], report: ChainReport) -> str:
    """Every entry with its hashes, and the verification result with the head hash."""
    body = {
        "format": "sharedcalling.audit",
        "version": 1,
        "chain": report.chain,
        "verified": report.ok,
        "problem": report.problem,
        "head_hash": report.head_hash,
        "entries": [entry_record(e) for e in entries],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def audit_to_csv(entries: Sequence[AuditEntry]) -> str:
    """One row per entry; cells that a spreadsheet would run as a formula are quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        record = entry_record(entry)
        writer.writerow([_cell(record[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # CSV injection: a leading =, +, - or @ makes spreadsheets evaluate the cell.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
