"""The request lifecycle use cases on a real database, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.tables import audit_log
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.domain.audit import AuditOutcome
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.requests import (
    Actor,
    Refusal,
    RequestEvent,
    RequestKind,
    RequestRefused,
    RequestState,
)
from sharedcalling.services.audit import audit_entries, audit_to_csv, verify_audit_chain
from sharedcalling.services.ports import Clock
from sharedcalling.services.requests import (
    RequestDraft,
    RequestPolicy,
    apply_event,
    find_requests,
    get_request,
    new_request_id,
    normalize_request_id,
    submit_request,
)
from sharedcalling.services.unit_of_work import UsersLocked
from tests.db import database_url, store_engine

__all__ = ["database_url", "store_engine"]

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
FP = "sha256:" + "c" * 64
MEGAN = Actor(TENANT, UserId("00000000-0000-4000-8000-000000000001"), "Megan", is_admin=True)
ALEX = Actor(TENANT, UserId("00000000-0000-4000-8000-000000000002"), "Alex", is_approver=True)
MIRIAM = Actor(TENANT, UserId("00000000-0000-4000-8000-000000000014"), "Miriam", is_approver=True)


class SteppingClock(Clock):
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def uow(store_engine: AsyncEngine) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(store_engine)


def draft(*users: str) -> RequestDraft:
    return RequestDraft(
        kind=RequestKind.SETUP,
        desired={"policy_name": "Seattle"},
        plan={"fingerprint": FP},
        fingerprint=FP,
        user_ids=[UserId(u) for u in users],
        justification="  Floor 3 pilot ",
    )


async def test_submit_stores_a_pending_request_and_locks_its_users(
    uow: SqlUnitOfWorkFactory, clock: SteppingClock
) -> None:
    submitted = await submit_request(draft("U1", "u2"), actor=MEGAN, uow=uow, clock=clock)
    stored = await get_request(TENANT, submitted.id, uow=uow)
    assert stored.state is RequestState.PENDING
    assert stored.justification == "Floor 3 pilot"
    assert stored.user_ids == ("u1", "u2")
    assert stored.expires_at == clock.at + timedelta(hours=72)
    entries = await audit_entries(TENANT, uow=uow)
    assert [(e.facts.event, e.facts.to_state) for e in entries] == [("submit", "PENDING")]


async def test_a_user_in_an_open_request_cannot_be_put_in_another(
    uow: SqlUnitOfWorkFactory, clock: SteppingClock
) -> None:
    first = await submit_request(draft("u1", "u2"), actor=MEGAN, uow=uow, clock=clock)
    with pytest.raises(UsersLocked) as locked:
        await submit_request(draft("u2", "u3"), actor=MEGAN, uow=uow, clock=clock)
    assert locked.value.holders == {"u2": first.id}
    assert [r.id for r in await find_requests(TENANT, uow=uow)] == [first.id]
    refused = (await audit_entries(TENANT, uow=uow))[-1]
    assert refused.facts.outcome is AuditOutcome.REFUSED
    assert refused.facts.details["refusal"] == "users_locked"


async def test_ending_a_request_releases_its_users(
    uow: SqlUnitOfWorkFactory, clock: SteppingClock
) -> None:
    first = await submit_request(draft("u1"), actor=MEGAN, uow=uow, clock=clock)
    await apply_event(TENANT, first.id, RequestEvent.CANCEL, actor=MEGAN, uow=uow, clock=clock)
    second = await submit_request(draft("u1"), actor=MEGAN, uow=uow, clock=clock)
    assert second.state is RequestState.PENDING


async def test_a_refused_approval_changes_nothing_but_the_audit_log(
    uow: SqlUnitOfWorkFactory, clock: SteppingClock
) -> None:
    submitted = await submit_request(draft("u1"), actor=MEGAN, uow=uow, clock=clock)
    with pytest.raises(RequestRefused) as refused:
        await apply_event(
            TENANT, submitted.id, RequestEvent.APPROVE, actor=MEGAN, uow=uow, clock=clock,
            fingerprint=FP,
        )  # fmt: skip
    assert refused.value.refusal is Refusal.NOT_APPROVER
    assert await get_request(TENANT, submitted.id, uow=uow) == submitted
    last = (await audit_entries(TENANT, uow=uow))[-1]
    assert (last.facts.outcome, last.facts.actor_id) == (AuditOutcome.REFUSED, MEGAN.id)


async def test_concurrent_approvals_of_two_approvers_approve_exactly_once(
    uow: SqlUnitOfWorkFactory, clock: SteppingClock
) -> None:
    policy = RequestPolicy(required_approvals=2)
    submitted = await submit_request(draft("u1"), actor=MEGAN, uow=uow, clock=clock, policy=policy)

    async def click(approver: Actor) -> bool:
        result = await apply_event(
            TENANT, submitted.id, RequestEvent.APPROVE, actor=approver, uow=uow, clock=clock,
            fingerprint=FP,
        )  # fmt: skip
        return result.changed

    changed = await asyncio.gather(*(click(ALEX if n % 2 else MIRIAM) for n in range(50)))
    assert changed.count(True) == 2
    final = await get_request(TENANT, submitted.id, uow=uow)
    assert final.state is RequestState.APPROVED
    assert {d.actor_id for d in final.approvals} == {ALEX.id, MIRIAM.id}
    entries = await audit_entries(TENANT, uow=uow)
    assert [e.facts.to_state for e in entries].count("APPROVED") == 1
    assert (await verify_audit_chain(TENANT, uow=uow)).ok


async def test_deleting_an_audit_row_fails_verification(
    uow: SqlUnitOfWorkFactory, clock: SteppingClock, store_engine: AsyncEngine
) -> None:
    submitted = await submit_request(draft("u1"), actor=MEGAN, uow=uow, clock=clock)
    await apply_event(
        TENANT, submitted.id, RequestEvent.APPROVE, actor=ALEX, uow=uow, clock=clock,
        fingerprint=FP,
    )  # fmt: skip
    assert (await verify_audit_chain(TENANT, uow=uow)).ok
    async with store_engine.begin() as connection:
        await connection.execute(delete(audit_log).where(audit_log.c.seq == 1))
    report = await verify_audit_chain(TENANT, uow=uow)
    assert not report.ok
    assert report.broken_at == 2


def test_request_ids_are_short_typable_and_normalised_back() -> None:
    ids = {new_request_id() for _ in range(200)}
    assert len(ids) == 200
    sample = next(iter(ids))
    assert len(sample) == 11
    assert sample.startswith("SC-")
    assert normalize_request_id(" " + sample.lower()[3:7] + " " + sample[7:] + " ") == sample
    assert normalize_request_id("SC-0000000I") is None
    assert normalize_request_id("hello") is None
    assert normalize_request_id("SC-00000001") == RequestId("SC-00000001")


def test_audit_csv_quotes_cells_a_spreadsheet_would_evaluate() -> None:
    from sharedcalling.domain.audit import GENESIS_HASH, AuditFacts, chain_entry

    facts = AuditFacts(
        at=datetime(2026, 12, 1, tzinfo=UTC), actor_id="x", actor_name="=HYPERLINK(1)",
        event="reject", outcome=AuditOutcome.TRANSITION, reason="+cmd",
    )  # fmt: skip
    csv_text = audit_to_csv([chain_entry("t", 1, facts, GENESIS_HASH)])
    assert "'=HYPERLINK(1)" in csv_text
    assert "'+cmd" in csv_text
