"""The audit trail the workflow writes verifies; any edit, deletion or reordering breaks it."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from sqlalchemy import delete, insert

from cards.actions import APPROVAL_APPROVE, APPROVAL_REJECT
from sharedcalling.adapters.store.tables import audit_log
from sharedcalling.cli import main
from sharedcalling.services.audit import verify_audit_chain
from tests.demo_ids import PRADEEP
from tests.edge.approvals.kit import Desk


async def _workflow(desk: Desk) -> list[dict[str, Any]]:
    await desk.meet("megan", "alex", "miriam", "lee")
    first = await desk.submit()
    await desk.click("lee", APPROVAL_APPROVE, first)  # refused
    await desk.click("alex", APPROVAL_APPROVE, first)
    second = await desk.submit(users=(PRADEEP,))
    await desk.click("miriam", APPROVAL_REJECT, second, reason="Pilot is US only")
    await desk.applies_settled()  # Alex's approval started an apply that audits too
    rows = await desk.audit_rows()
    assert len(rows) >= 5
    return rows


async def _store(desk: Desk, rows: list[dict[str, Any]]) -> bool:
    engine = desk.services.uow._engine  # type: ignore[attr-defined]
    async with engine.begin() as connection:
        await connection.execute(delete(audit_log))
        if rows:
            await connection.execute(insert(audit_log), rows)
    report = await verify_audit_chain(desk.tenant, uow=desk.services.uow)
    return report.ok


async def _cli(url: str) -> tuple[int, str]:
    """`python -m sharedcalling verify-audit`, in a thread (it runs its own event loop)."""
    out = io.StringIO()
    code = await asyncio.to_thread(
        main, ["verify-audit"], environ={"DATABASE_URL": url}, out=out, err=out
    )
    return code, out.getvalue()


async def test_the_chain_verifies_and_every_tampering_is_found(
    desk: Desk, database_url: str
) -> None:
    rows = await _workflow(desk)
    assert await _store(desk, rows)
    code, said = await _cli(database_url)
    assert code == 0
    assert f"intact: {len(rows)} entries" in said

    for index in range(len(rows)):
        edited = [dict(r) for r in rows]
        edited[index]["reason"] = edited[index]["reason"] + " (edited)"
        assert not await _store(desk, edited), f"editing entry {index + 1} went unnoticed"
        edited = [dict(r) for r in rows]
        edited[index]["actor_id"] = "00000000-0000-4000-8000-000000000099"
        assert not await _store(desk, edited), f"changing the actor of {index + 1} went unnoticed"
        deleted = [r for i, r in enumerate(rows) if i != index]
        assert not await _store(desk, deleted), f"deleting entry {index + 1} went unnoticed"
    for index in range(len(rows) - 1):
        swapped = [dict(r) for r in rows]
        swapped[index]["seq"], swapped[index + 1]["seq"] = (
            rows[index + 1]["seq"],
            rows[index]["seq"],
        )
        assert not await _store(desk, swapped), (
            f"swapping {index + 1} and {index + 2} went unnoticed"
        )

    edited = [dict(r) for r in rows]
    edited[1]["to_state"] = "APPLIED"
    await _store(desk, edited)
    code, said = await _cli(database_url)
    assert code == 1
    assert "BROKEN at entry 2" in said
    assert "altered" in said
    assert await _store(desk, rows)  # put back: intact again
