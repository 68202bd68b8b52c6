"""The SQL unit of work and its repositories, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.apply_store import SqlApplyStore
from sharedcalling.adapters.store.tables import audit_log
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.domain.audit import AuditFacts, AuditOutcome, verify_chain
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.requests import (
    ChangeRequest,
    Decision,
    RequestKind,
    RequestState,
)
from sharedcalling.services.unit_of_work import (
    CardCopy,
    ConcurrencyConflict,
    ConversationRef,
    RecordNotFound,
    UsersLocked,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
OTHER_TENANT = TenantId("11111111-2222-4333-8444-555555555555")


def request(request_id: str = "SC-00000001", **changes: object) -> ChangeRequest:
    base = ChangeRequest(
        id=RequestId(request_id),
        tenant_id=TENANT,
        kind=RequestKind.SETUP,
        state=RequestState.PENDING,
        requester_id=UserId("00000000-0000-4000-8000-000000000001"),
        requester_name="Megan Bowen",
        justification="Floor 3 \u2013 pilot \U0001f4de",
        fingerprint="sha256:" + "a" * 64,
        created_at=T0,
        updated_at=T0,
        expires_at=T0 + timedelta(hours=72),
        decisions=(
            Decision(UserId("alex"), "Alex W\u00e4lber", True, T0, "sha256:" + "a" * 64, ""),
        ),
        user_ids=(UserId("u1"), UserId("u2")),
        attested=("SC-R07:ra",),
        desired={"policy_name": "Seattle", "user_ids": ["u1", "u2"]},
        plan={"changes": [{"change": "scp.grant_user", "subject": {"id": "u1"}}]},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def uow(store_engine: AsyncEngine) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(store_engine)


async def test_a_request_round_trips_with_every_field(uow: SqlUnitOfWorkFactory) -> None:
    original = request()
    async with uow() as work:
        await work.requests.add(original)
        await work.commit()
    async with uow() as work:
        assert await work.requests.get(TENANT, original.id) == original


async def test_an_unknown_id_or_another_tenant_is_not_found(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as work:
        await work.requests.add(request())
        await work.commit()
    async with uow() as work:
        with pytest.raises(RecordNotFound):
            await work.requests.get(TENANT, RequestId("SC-99999999"))
        with pytest.raises(RecordNotFound):
            await work.requests.get(OTHER_TENANT, RequestId("SC-00000001"))


async def test_leaving_without_commit_rolls_back(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as work:
        await work.requests.add(request())
        await work.locks.acquire(TENANT, RequestId("SC-00000001"), [UserId("u1")])
    async with uow() as work:
        assert await work.requests.find(TENANT) == []
        assert await work.locks.holders(TENANT, [UserId("u1")]) == {}


async def test_saving_with_a_stale_version_conflicts(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as work:
        await work.requests.add(request())
        await work.commit()
    async with uow() as work:
        current = await work.requests.get(TENANT, RequestId("SC-00000001"))
        saved = await work.requests.save(
            replace(current, state=RequestState.APPROVED), expected_version=0
        )
        await work.commit()
    assert saved.version == 1
    async with uow() as work:
        with pytest.raises(ConcurrencyConflict):
            await work.requests.save(
                replace(current, state=RequestState.REJECTED), expected_version=0
            )


async def test_find_filters_by_state_and_requester_newest_first(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as work:
        await work.requests.add(request("SC-00000001"))
        await work.requests.add(request("SC-00000002", created_at=T0 + timedelta(minutes=1)))
        await work.requests.add(
            request("SC-00000003", state=RequestState.REJECTED, requester_id=UserId("x"))
        )
        await work.commit()
    async with uow() as work:
        pending = await work.requests.find(TENANT, states=[RequestState.PENDING])
        mine = await work.requests.find(TENANT, requester_id=UserId("X"))
    assert [r.id for r in pending] == ["SC-00000002", "SC-00000001"]
    assert [r.id for r in mine] == ["SC-00000003"]


async def test_requests_are_counted_by_state_per_tenant(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as work:
        await work.requests.add(request("SC-00000001"))
        await work.requests.add(request("SC-00000002"))
        await work.requests.add(request("SC-00000003", state=RequestState.APPLIED))
        await work.requests.add(request("SC-00000004", tenant_id=OTHER_TENANT))
        await work.commit()
    async with uow() as work:
        counts = await work.requests.count_by_state(TENANT)
    assert counts == {RequestState.PENDING: 2, RequestState.APPLIED: 1}


async def test_a_user_can_be_locked_by_one_request_only(uow: SqlUnitOfWorkFactory) -> None:
    first, second = RequestId("SC-00000001"), RequestId("SC-00000002")
    async with uow() as work:
        await work.locks.acquire(TENANT, first, [UserId("u1"), UserId("U2")])
        await work.commit()
    async with uow() as work:
        with pytest.raises(UsersLocked) as locked:
            await work.locks.acquire(TENANT, second, [UserId("u2"), UserId("u3")])
    assert locked.value.holders == {"u2": first}
    async with uow() as work:
        # All or nothing: u3 was not locked by the refused attempt; the same request re-locks.
        assert await work.locks.holders(TENANT, [UserId("u3")]) == {}
        await work.locks.acquire(TENANT, first, [UserId("u1")])
        await work.locks.release(TENANT, first)
        await work.locks.acquire(TENANT, second, [UserId("u2"), UserId("u3")])
        await work.commit()


async def test_concurrent_lock_attempts_leave_each_user_with_one_holder(
    uow: SqlUnitOfWorkFactory,
) -> None:
    users = [UserId(f"user{n:04d}") for n in range(50)]

    async def take(n: int) -> bool:
        try:
            async with uow() as work:
                await work.locks.acquire(TENANT, RequestId(f"SC-0000{n:04d}"), users)
                await work.commit()
        except UsersLocked:
            return False
        return True

    won = await asyncio.gather(*(take(n) for n in range(8)))
    assert won.count(True) == 1
    async with uow() as work:
        holders = await work.locks.holders(TENANT, users)
    assert len(set(holders.values())) == 1
    assert len(holders) == 50


def _facts(n: int) -> AuditFacts:
    return AuditFacts(
        at=T0 + timedelta(seconds=n),
        actor_id="alex",
        actor_name="Alex",
        event="approve",
        outcome=AuditOutcome.RECORDED,
        request_id="SC-00000001",
        details={"n": n, "text": "\u00e9\u4e2d"},
    )


async def test_concurrent_audit_appends_form_one_unbroken_chain(
    uow: SqlUnitOfWorkFactory,
) -> None:
    async def append(n: int) -> None:
        async with uow() as work:
            await work.audit.append(TENANT, _facts(n))
            await work.commit()

    await asyncio.gather(*(append(n) for n in range(40)))
    async with uow() as work:
        entries = await work.audit.entries(TENANT)
        head = await work.audit.head(TENANT)
    assert [e.seq for e in entries] == list(range(1, 41))
    report = verify_chain(TENANT, entries, head=head)
    assert report.ok, report.problem


async def test_a_row_edited_in_the_database_fails_verification(
    uow: SqlUnitOfWorkFactory, store_engine: AsyncEngine
) -> None:
    async with uow() as work:
        for n in range(3):
            await work.audit.append(TENANT, _facts(n))
        await work.commit()
    async with store_engine.begin() as connection:
        await connection.execute(
            update(audit_log).where(audit_log.c.seq == 2).values(actor_name="Mallory")
        )
    async with uow() as work:
        report = verify_chain(
            TENANT, await work.audit.entries(TENANT), head=await work.audit.head(TENANT)
        )
    assert not report.ok
    assert report.broken_at == 2


async def test_card_copies_are_kept_once_per_activity(uow: SqlUnitOfWorkFactory) -> None:
    copy = CardCopy(RequestId("SC-00000001"), "a:chat", "act-1", "approval", UserId("alex"), T0)
    async with uow() as work:
        await work.card_copies.add(copy)
        await work.card_copies.add(copy)
        await work.card_copies.add(replace(copy, activity_id="act-2", sent_at=T0 + timedelta(1)))
        await work.commit()
    async with uow() as work:
        copies = await work.card_copies.of_request(RequestId("SC-00000001"))
    assert [c.activity_id for c in copies] == ["act-1", "act-2"]


async def _copies_of_four_requests(engine: AsyncEngine) -> dict[str, CardCopy]:
    """SC-1 decided (version 1) with copies showing 0, 1 and nothing known, one without an
    activity id; SC-2 applying; SC-3 approved with an apply job; SC-4 rejected long ago."""
    copy = CardCopy(RequestId("SC-00000001"), "a:alex", "act-1", "approval", UserId("alex"), T0)
    copies = {
        "behind": replace(copy, rendered_version=0),
        "current": replace(copy, conversation_id="a:megan", activity_id="act-2",
                           purpose="status", rendered_version=1),
        "unknown": replace(copy, conversation_id="19:ch", activity_id="act-3", purpose="channel",
                           recipient_id=None, sent_at=T0 + timedelta(seconds=1)),
        "no id": replace(copy, conversation_id="a:miriam", activity_id=""),
        "applying": replace(copy, request_id=RequestId("SC-00000002"), rendered_version=0),
        "apply job": replace(copy, request_id=RequestId("SC-00000003"), rendered_version=0),
        "old": replace(copy, request_id=RequestId("SC-00000004"), rendered_version=0),
    }  # fmt: skip
    moved = {
        "SC-00000001": RequestState.REJECTED,
        "SC-00000002": RequestState.APPLYING,
        "SC-00000003": RequestState.APPROVED,
        "SC-00000004": RequestState.REJECTED,
    }
    async with SqlUnitOfWorkFactory(engine)() as work:
        for request_id, state in moved.items():
            created = T0 - timedelta(days=30) if request_id == "SC-00000004" else T0
            stored = request(request_id, created_at=created)
            await work.requests.add(stored)
            await work.requests.save(replace(stored, state=state), expected_version=0)
        for each in copies.values():
            await work.card_copies.add(each)
        await work.commit()
    await SqlApplyStore(engine).create_job(TENANT, RequestId("SC-00000003"), T0)
    return copies


async def test_copies_behind_their_request_are_found_and_caught_up(
    uow: SqlUnitOfWorkFactory, store_engine: AsyncEngine
) -> None:
    copies = await _copies_of_four_requests(store_engine)
    states = {RequestState.PENDING, RequestState.APPROVED, RequestState.REJECTED}

    async def behind(max_failures: int = 5, limit: int = 10) -> list[tuple[str, int]]:
        async with uow() as work:
            found = await work.card_copies.behind(
                TENANT, states=states, since=T0 - timedelta(days=14),
                max_failures=max_failures, limit=limit,
            )  # fmt: skip
        return [(c.activity_id, version) for c, version in found]

    assert await behind() == [("act-1", 1), ("act-3", 1)]  # not current, no id, applying, ...
    assert await behind(limit=1) == [("act-1", 1)]
    async with uow() as work:
        await work.card_copies.failed(copies["behind"])
        await work.card_copies.failed(copies["behind"])
        await work.card_copies.rendered(copies["unknown"], 1)
        await work.commit()
    assert await behind(max_failures=2) == []
    assert await behind(max_failures=3) == [("act-1", 1)]
    async with uow() as work:
        await work.card_copies.rendered(copies["behind"], 1)
        await work.card_copies.rendered(copies["current"], 0)  # never back to an older one
        await work.commit()
    assert await behind() == []
    async with uow() as work:
        stored = {
            c.activity_id: c for c in await work.card_copies.of_request(RequestId("SC-00000001"))
        }
    assert (stored["act-1"].rendered_version, stored["act-1"].sync_failures) == (1, 0)
    assert stored["act-2"].rendered_version == 1
    assert stored["act-3"].rendered_version == 1
    assert stored[""].rendered_version is None


async def test_the_newest_personal_conversation_is_the_one_to_use(
    uow: SqlUnitOfWorkFactory,
) -> None:
    old = ConversationRef(TENANT, "a:old", "personal", UserId("ALEX"), {"id": 1}, T0)
    new = replace(old, conversation_id="a:new", reference={"id": 2}, updated_at=T0 + timedelta(1))
    channel = ConversationRef(TENANT, "19:ch", "channel", None, {"id": 3}, T0 + timedelta(2))
    async with uow() as work:
        for ref in (old, new, channel):
            await work.conversations.remember(ref)
        await work.conversations.remember(replace(old, reference={"id": 9}))
        await work.commit()
    async with uow() as work:
        found = await work.conversations.personal(TENANT, UserId("alex"))
        again = await work.conversations.get(TENANT, "a:old")
    assert found is not None
    assert found.conversation_id == "a:new"
    assert again is not None
    assert again.reference == {"id": 9}


async def test_an_announcement_is_claimed_once_until_the_reminder_is_due(
    uow: SqlUnitOfWorkFactory,
) -> None:
    async def claim(at: datetime) -> bool:
        async with uow() as work:
            won = await work.notifications.claim(TENANT, "SC-R03:ra", at=at, remind_after=3600)
            await work.commit()
        return won

    results = await asyncio.gather(*(claim(T0) for _ in range(10)))
    assert results.count(True) == 1
    assert not await claim(T0 + timedelta(minutes=59))
    assert await claim(T0 + timedelta(minutes=61))
    async with uow() as work:
        await work.notifications.forget(TENANT, "SC-R03:ra")
        await work.commit()
    assert await claim(T0 + timedelta(minutes=62))


async def test_count_since_counts_one_requesters_requests_of_one_kind_in_the_window(
    uow: SqlUnitOfWorkFactory,
) -> None:
    """The self-service rate limit: counted in the table, so every replica sees the same."""
    diego = UserId("00000000-0000-4000-8000-000000000005")
    rows = [
        request("SC-00000011", kind=RequestKind.SELF_SERVICE, requester_id=diego,
                created_at=T0 - timedelta(hours=25), state=RequestState.CANCELLED),
        request("SC-00000012", kind=RequestKind.SELF_SERVICE, requester_id=diego,
                created_at=T0 - timedelta(hours=2), state=RequestState.REJECTED),
        request("SC-00000013", kind=RequestKind.SELF_SERVICE, requester_id=diego, created_at=T0),
        request("SC-00000014", kind=RequestKind.SETUP, requester_id=diego, created_at=T0),
        request("SC-00000015", kind=RequestKind.SELF_SERVICE, created_at=T0),
    ]  # fmt: skip
    async with uow() as work:
        for row in rows:
            await work.requests.add(row)
        await work.commit()
    async with uow() as work:
        count = work.requests.count_since
        since = T0 - timedelta(hours=24)
        assert (
            await count(TENANT, requester_id=diego, kind=RequestKind.SELF_SERVICE, since=since) == 2
        )
        upper = UserId(diego.upper())
        assert (
            await count(TENANT, requester_id=upper, kind=RequestKind.SELF_SERVICE, since=since) == 2
        )
        assert await count(TENANT, requester_id=diego, kind=RequestKind.SETUP, since=since) == 1
        assert (
            await count(
                OTHER_TENANT, requester_id=diego, kind=RequestKind.SELF_SERVICE, since=since
            )
            == 0
        )
