"""Card copies catch up: a decision committed without its card updates (the process died, the
connector failed) reaches every copy at the `approval.resync` job's next round, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from cards.actions import APPROVAL_APPROVE, APPROVAL_REJECT
from sharedcalling.domain.requests import ChangeRequest, RequestEvent, RequestState
from sharedcalling.services.approvals.resync import (
    MAX_FAILURES,
    PER_ROUND,
    SPACING_SECONDS,
    resync,
)
from sharedcalling.services.approvals.sweep import sweep
from sharedcalling.services.requests import actor_of, apply_event
from sharedcalling.services.unit_of_work import CardCopy
from tests.db import DIALECTS, Dialect, fresh_database
from tests.edge.approvals.kit import Desk, card_text, running_desk, verbs_of
from tests.edge.teams import object_id
from tests.fakes.fake_connector import FakeConnector, Sent


async def _round(desk: Desk) -> int:
    """One round of the job, as the next minute would run it (past the previous lease)."""
    desk.clock.advance(seconds=61)
    return await resync(desk.services, lease_seconds=48, spacing=0)


def _puts(desk: Desk) -> list[Sent]:
    return [s for s in desk.connector.sent if s.method == "PUT"]


async def _reject_without_sync(desk: Desk, request: ChangeRequest, person: str) -> ChangeRequest:
    """What a process dying right after the commit leaves: the decision, and no card updates."""
    principal = await desk.services.resolve_principal(desk.tenant, object_id(person))
    result = await apply_event(
        desk.tenant, request.id, RequestEvent.REJECT, actor=actor_of(principal),
        uow=desk.services.uow, clock=desk.services.clock, fingerprint=request.fingerprint,
        reason="Not this floor",
    )  # fmt: skip
    return result.request


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_decision_whose_process_died_reaches_every_stale_copy_once(
    dialect: Dialect, tmp_path: Path, connector: FakeConnector
) -> None:
    async with (
        fresh_database(dialect, tmp_path) as url,
        running_desk(url, connector, APPROVALS_REQUIRED="2") as desk,
    ):
        await _decision_without_sync_is_caught_up(desk)


async def _decision_without_sync_is_caught_up(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    sent = await desk.copies(request.id)
    assert {c.purpose for c in sent} >= {"approval", "status"}
    assert all(c.rendered_version == request.version for c in sent)
    decided = await _reject_without_sync(desk, request, "alex")
    # Alex's own card was updated before the crash; a copy Teams gave no id cannot be updated.
    current, *stale = sent
    async with desk.services.uow() as work:
        await work.card_copies.rendered(current, decided.version)
        await work.card_copies.add(
            CardCopy(request.id, "a:no-id", "", "approval", object_id("lee"), desk.clock.now())
        )
        await work.commit()
    desk.connector.clear()

    assert await _round(desk) == len(stale)

    puts = _puts(desk)
    assert sorted((p.conversation_id, p.activity_id) for p in puts) == sorted(
        (c.conversation_id, c.activity_id) for c in stale
    )  # each stale copy once; not the current one, not the one without an id
    for put in puts:
        [card] = put.cards
        assert "Not this floor" in card_text(card)  # the rejection and its reason
        assert not verbs_of(card) & {APPROVAL_APPROVE, APPROVAL_REJECT}
    after = {c.activity_id: c.rendered_version for c in await desk.copies(request.id)}
    assert after == {**{c.activity_id: decided.version for c in sent}, "": None}

    desk.connector.clear()
    assert await _round(desk) == 0
    assert desk.connector.sent == []


async def test_updates_that_keep_failing_are_retried_then_given_up(desk2: Desk) -> None:
    desk = desk2
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    copies = await desk.copies(request.id)
    desk.connector.fail(404, times=1000)  # the cards were deleted: every update fails
    await desk.click("alex", APPROVAL_REJECT, request, reason="Not this floor")
    decided = await desk.request(request.id)
    assert decided.state is RequestState.REJECTED
    assert all(c.sync_failures == 1 for c in await desk.copies(request.id))

    tries: set[int] = set()
    for failures in range(2, MAX_FAILURES + 1):
        attempts = len(desk.connector.attempts)
        assert await _round(desk) == 0
        tries.add(len(desk.connector.attempts) - attempts)
        assert all(c.sync_failures == failures for c in await desk.copies(request.id))
    assert tries == {len(copies)}  # every copy tried once a round
    attempts = len(desk.connector.attempts)
    assert await _round(desk) == 0
    assert len(desk.connector.attempts) == attempts  # given up after MAX_FAILURES


@pytest.mark.slow  # the connector client retries each 502 with a backoff
async def test_updates_a_connector_5xx_failed_are_caught_up_when_it_is_back(desk2: Desk) -> None:
    desk = desk2
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    copies = await desk.copies(request.id)
    desk.connector.fail(502, times=1000)
    await desk.click("alex", APPROVAL_REJECT, request, reason="Not this floor")
    desk.connector.failures.clear()
    desk.connector.clear()

    assert await _round(desk) == len(copies)
    assert len(_puts(desk)) == len(copies)
    stored = await desk.copies(request.id)
    decided = await desk.request(request.id)
    assert all((c.rendered_version, c.sync_failures) == (decided.version, 0) for c in stored)
    desk.connector.clear()
    assert await _round(desk) == 0
    assert desk.connector.sent == []


@pytest.mark.slow  # the apply runs
async def test_an_applied_request_keeps_the_apply_report_on_its_cards(desk: Desk) -> None:
    """The apply engine's progress and report cards own the copies once it has a job."""
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    await desk.click("alex", APPROVAL_APPROVE, request)
    await desk.applies_settled()
    applied = await desk.request(request.id)
    assert applied.state is RequestState.APPLIED
    copies = await desk.copies(request.id)
    assert any((c.rendered_version or 0) < applied.version for c in copies if c.updatable)
    desk.connector.clear()

    assert await _round(desk) == 0
    assert desk.connector.sent == []


async def test_a_round_is_bounded_and_the_rest_waits_for_the_next(desk2: Desk) -> None:
    desk = desk2
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    decided = await _reject_without_sync(desk, request, "alex")
    stale = [c for c in await desk.copies(request.id) if c.rendered_version != decided.version]
    assert len(stale) > 1
    desk.connector.clear()

    assert await resync(desk.services, lease_seconds=48, spacing=0, limit=1) == 1
    assert len(_puts(desk)) == 1
    assert await _round(desk) == len(stale) - 1
    assert len(_puts(desk)) == len(stale)
    assert PER_ROUND * SPACING_SECONDS < 48  # a paced round ends within its lease


async def test_an_expiry_whose_updates_failed_reaches_the_cards_later(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    desk.clock.advance(hours=49)
    assert await sweep(desk.services, lease_seconds=1) == 1  # the reminder
    desk.clock.advance(hours=23)
    desk.connector.fail(404, times=1000)  # the expiry's card updates all fail
    assert await sweep(desk.services, lease_seconds=1) == 1
    desk.connector.failures.clear()
    expired = await desk.request(request.id)
    assert expired.state is RequestState.EXPIRED
    copies = [c for c in await desk.copies(request.id) if c.updatable]
    assert copies
    desk.connector.clear()

    assert await _round(desk) == len(copies)
    for put in _puts(desk):
        [card] = put.cards
        assert not verbs_of(card) & {APPROVAL_APPROVE, APPROVAL_REJECT}
    assert {c.rendered_version for c in await desk.copies(request.id)} == {expired.version}


async def test_a_request_that_moves_on_during_the_pause_gets_no_older_view(
    desk2: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request is read again right before each update: a decision (or an apply start)
    during the pause between two copies stops the round, so no copy shows an older view."""
    desk = desk2  # two approvals needed
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    principal = await desk.services.resolve_principal(desk.tenant, object_id("alex"))
    first = await apply_event(
        desk.tenant,
        request.id,
        RequestEvent.APPROVE,
        actor=actor_of(principal),
        uow=desk.services.uow,
        clock=desk.services.clock,
        fingerprint=request.fingerprint,
    )  # fmt: skip  (committed; its card updates lost)
    stale = [
        c for c in await desk.copies(request.id) if c.rendered_version != first.request.version
    ]
    assert len(stale) > 1
    desk.connector.clear()

    moved: list[int] = []

    async def pause_while_miriam_decides(seconds: float) -> None:
        if not moved:
            miriam = await desk.services.resolve_principal(desk.tenant, object_id("miriam"))
            later = await apply_event(
                desk.tenant, request.id, RequestEvent.APPROVE, actor=actor_of(miriam),
                uow=desk.services.uow, clock=desk.services.clock,
                fingerprint=request.fingerprint,
            )  # fmt: skip
            moved.append(later.request.version)

    monkeypatch.setattr("sharedcalling.services.approvals.resync.asyncio.sleep",
                        pause_while_miriam_decides)  # fmt: skip
    desk.clock.advance(seconds=61)
    assert await resync(desk.services, lease_seconds=48, spacing=1.0) == 1
    assert len(_puts(desk)) == 1  # the copy before the pause; none after it shows one approval
    assert moved
