"""Decisions: N of M under concurrency on both databases, repeats, staleness, locks, copies."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cards.actions import APPROVAL_APPROVE, APPROVAL_REJECT, REQUEST_REPLAN
from sharedcalling.adapters.store.tables import apply_jobs
from sharedcalling.domain.requests import ChangeRequest, RequestEvent, RequestState
from sharedcalling.services import Services
from sharedcalling.services.unit_of_work import UsersLocked
from tests.apply.harness import tagged_counts
from tests.db import DIALECTS, Dialect, fresh_database
from tests.demo_ids import DIEGO, PRADEEP
from tests.edge.approvals.kit import Desk, card_text, running_desk, verbs_of, world
from tests.fakes.fake_connector import FakeConnector


@pytest.fixture
def approved_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    async def after_approved(self: Services, request: ChangeRequest) -> None:
        calls.append(request.id)

    monkeypatch.setattr(Services, "after_approved", after_approved)
    return calls


async def _fifty_approvals_at_once(desk: Desk) -> ChangeRequest:
    """Alex and Miriam click Approve 50 times between them, all at once; every click answers."""
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    clicks = [desk.click(("alex", "miriam")[i % 2], APPROVAL_APPROVE, request) for i in range(50)]
    bodies = await asyncio.gather(*clicks)
    assert all(b["statusCode"] == 200 for b in bodies)
    return request


@pytest.mark.slow
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_fifty_concurrent_approvals_by_two_approvers_approve_exactly_once(
    dialect: Dialect, tmp_path: Path, connector: FakeConnector, approved_calls: list[str]
) -> None:
    async with (
        fresh_database(dialect, tmp_path) as url,
        running_desk(url, connector, APPROVALS_REQUIRED="2") as desk,
    ):
        request = await _fifty_approvals_at_once(desk)
        stored = await desk.request(request.id)
        assert stored.state is RequestState.APPROVED
        assert sorted(d.actor_name for d in stored.approvals) == ["Alex Wilber", "Miriam Graham"]
        assert len(stored.decisions) == 2
        assert approved_calls == [request.id]
        rows = [r for r in await desk.audit_rows() if r["request_id"] == request.id]
        assert [r["to_state"] for r in rows if r["outcome"] == "transition"] == [
            "PENDING", "APPROVED",
        ]  # fmt: skip
        assert [r["outcome"] for r in rows].count("recorded") == 1
        assert not [r for r in rows if r["outcome"] == "refused"]


@pytest.mark.slow
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_fifty_concurrent_approvals_start_exactly_one_apply_job(
    dialect: Dialect, tmp_path: Path, connector: FakeConnector
) -> None:
    """The same race with the real hook: one job, applied once, each change written once."""
    async with (
        fresh_database(dialect, tmp_path) as url,
        running_desk(url, connector, APPROVALS_REQUIRED="2") as desk,
    ):
        request = await _fifty_approvals_at_once(desk)
        await desk.applies_settled()

        engine = desk.services.uow._engine  # type: ignore[attr-defined]
        async with engine.connect() as connection:
            jobs = (await connection.execute(select(apply_jobs))).all()
        assert [(j.request_id, j.attempt) for j in jobs] == [(request.id, 1)]
        assert (await desk.request(request.id)).state is RequestState.APPLIED
        rows = [r for r in await desk.audit_rows() if r["request_id"] == request.id]
        assert [r["to_state"] for r in rows if r["outcome"] == "transition"] == [
            "PENDING", "APPROVED", "APPLYING", "APPLIED",
        ]  # fmt: skip
        assert [r["event"] for r in rows].count(RequestEvent.START_APPLY.value) == 1
        writes = tagged_counts(await desk.services.tenant.write_log())  # type: ignore[attr-defined]
        assert writes
        assert set(writes.values()) == {1}  # no change written twice by a second run
        assert {job for job, _ in writes} == {request.id}


async def test_the_same_approver_clicking_twice_is_idempotent(desk2: Desk) -> None:
    await desk2.meet("megan", "alex", "miriam")
    request = await desk2.submit()
    first = await desk2.click("alex", APPROVAL_APPROVE, request)
    after_first = await world(desk2, request.id)
    second = await desk2.click("alex", APPROVAL_APPROVE, request)

    assert "needs 1 more approval" in card_text(first["value"])
    assert "You already approved this request" in card_text(second["value"])
    again = await world(desk2, request.id)
    assert again == after_first  # no save, no audit entry, no card update


async def test_a_tenant_change_before_approval_makes_the_request_stale_and_replan_resubmits(
    desk: Desk, approved_calls: list[str]
) -> None:
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    await desk.services.tenant.set_enterprise_voice(DIEGO, True)  # someone fixed it by hand
    desk.connector.clear()

    body = await desk.click("alex", APPROVAL_APPROVE, request)
    assert "tenant changed" in card_text(body["value"])
    stale = await desk.request(request.id)
    assert stale.state is RequestState.STALE
    assert stale.approvals == ()
    assert approved_calls == []
    refused = await desk.click("miriam", APPROVAL_APPROVE, request)
    assert "is STALE; cannot approve" in card_text(refused["value"])
    megan = [m for m in desk.connector.messages() if m.conversation_id == "a:personal-megan"]
    assert any("stale" in m.text for m in megan)
    [status_put] = [
        s for s in desk.connector.sent
        if s.method == "PUT" and s.conversation_id == "a:personal-megan"
    ][-1:]  # fmt: skip
    assert REQUEST_REPLAN in verbs_of(status_put.cards[0])

    replanned = await desk.click("megan", REQUEST_REPLAN, request)
    assert "re-submitted as request" in card_text(replanned["value"])
    [child] = [r for r in await _all(desk) if r.parent_id == request.id]
    assert child.state is RequestState.PENDING
    assert child.fingerprint != request.fingerprint
    assert (await desk.click("megan", REQUEST_REPLAN, request))["value"]  # no second child
    assert len([r for r in await _all(desk) if r.parent_id == request.id]) == 1


async def _all(desk: Desk) -> list[ChangeRequest]:
    from sharedcalling.services.requests import find_requests

    return await find_requests(desk.services.tenant_id, uow=desk.services.uow)


async def test_a_second_request_for_a_locked_user_is_refused_naming_the_holder(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    first = await desk.submit(users=(DIEGO,))
    with pytest.raises(UsersLocked) as locked:
        await desk.submit(users=(DIEGO, PRADEEP))
    assert first.id in str(locked.value)
    assert [r.id for r in await _all(desk)] == [first.id]
    rows = await desk.audit_rows()
    assert rows[-1]["outcome"] == "refused"
    assert rows[-1]["details"]["refusal"] == "users_locked"


async def test_every_copy_is_updated_in_place_after_each_decision(desk2: Desk) -> None:
    await desk2.meet("megan", "alex", "miriam")
    await desk2.teams.ask("megan", "help")
    request = await desk2.submit()
    copies = await desk2.copies(request.id)
    assert len(copies) == 3
    desk2.connector.clear()

    await desk2.click("alex", APPROVAL_APPROVE, request)
    puts = _puts(desk2.connector)
    assert set(puts) == {(c.conversation_id, c.activity_id) for c in copies}
    alex_card = puts[("a:personal-alex", _copy_of(copies, "alex"))]
    assert APPROVAL_APPROVE not in verbs_of(alex_card)
    assert "Alex Wilber approved" in card_text(alex_card)
    miriam_card = puts[("a:personal-miriam", _copy_of(copies, "miriam"))]
    assert APPROVAL_APPROVE in verbs_of(miriam_card)
    assert "Still pending: Miriam Graham" in card_text(miriam_card)

    desk2.connector.clear()
    await desk2.click("miriam", APPROVAL_REJECT, request, reason="Not this week")
    puts = _puts(desk2.connector)
    assert set(puts) == {(c.conversation_id, c.activity_id) for c in copies}
    for card in puts.values():
        text = card_text(card)
        assert "Rejected" in text
        assert "Miriam Graham rejected" in text
        assert "Not this week" in text
        assert APPROVAL_APPROVE not in verbs_of(card)


def _puts(connector: FakeConnector) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (s.conversation_id, str(s.activity_id)): s.cards[0]
        for s in connector.sent
        if s.method == "PUT"
    }


def _copy_of(copies: list[Any], person: str) -> str:
    from tests.edge.teams import object_id

    return next(c.activity_id for c in copies if c.recipient_id == object_id(person))


async def test_a_failing_after_approved_hook_does_not_fail_the_approval(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: Services, request: ChangeRequest) -> None:
        raise RuntimeError("apply engine down")

    monkeypatch.setattr(Services, "after_approved", broken)
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    body = await desk.click("alex", APPROVAL_APPROVE, request)
    assert "the request is approved" in card_text(body["value"])
    assert (await desk.request(request.id)).state is RequestState.APPROVED
