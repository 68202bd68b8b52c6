"""Tell the people changed (issue 15): one caller-ID message per person whose caller ID an apply
changed, exactly once across re-runs, restarts and replicas; who was not told is reported."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from bot.apply_cards import CardPresenter
from cards.actions import USER_ID
from sharedcalling.adapters.store.engine import make_engine
from sharedcalling.adapters.store.tables import apply_jobs, apply_people_notices
from sharedcalling.domain.apply import JobOutcome, JobState
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.services.apply import tell
from sharedcalling.services.apply.finish import settle
from sharedcalling.services.apply.progress import DeferredPresenter
from sharedcalling.services.apply.store import NoticeState
from sharedcalling.services.notifier import Delivery, OutboundMessage
from tests.apply.harness import FAST, GENERATED, Harness, harness
from tests.db import database_url
from tests.demo_ids import ALEX, MEGAN, RA_MAINLINE
from tests.fakes.fake_notifier import FakeNotifier, Sent

__all__ = ["database_url"]

SETTINGS = replace(FAST, notices_per_second=1000.0)
MAINLINE = "+1\u00a0425\u2011555\u20110100"
"""The shared number of ra-mainline as the caller-ID card shows it."""
CHANGED = "your outbound caller ID changed"


def presenter() -> DeferredPresenter:
    bound = DeferredPresenter()
    bound.bind(CardPresenter())
    return bound


def name_of(user_id: UserId) -> str:
    """The generated employees are "Contoso Employee 0001" ... (docs/demo-tenant.md)."""
    return f"Contoso Employee {int(user_id.rsplit('-', 1)[1]):04d}"


def caller_id_messages(notifier: FakeNotifier) -> list[Sent]:
    return [s for s in notifier.sent if CHANGED in s.message.text]


def report_card(notifier: FakeNotifier, request_id: str) -> Mapping[str, Any]:
    cards = [
        s.message.card
        for s in notifier.sent
        if s.message.card is not None and s.message.text.startswith(request_id)
    ]
    assert cards, "no report card was sent"
    return cards[-1]


def texts(card: Mapping[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def fact(card: Mapping[str, Any], title: str) -> str:
    found = [
        f["value"]
        for element in card["body"]
        if element.get("type") == "FactSet"
        for f in element["facts"]
        if f["title"] == title
    ]
    assert len(found) == 1, f"no fact {title!r} on the card"
    return str(found[0])


@dataclass
class FlakyNotifier(FakeNotifier):
    """Fails every send to `failing` with a connector error (not Unreachable)."""

    failing: set[str] = field(default_factory=set)
    tries: Counter[str] = field(default_factory=Counter)

    async def send_to_user(
        self, tenant_id: TenantId, user_id: UserId, message: OutboundMessage
    ) -> Delivery:
        self.tries[fold(user_id)] += 1
        if fold(user_id) in self.failing:
            raise ConnectionResetError("connector reset")
        return await super().send_to_user(tenant_id, user_id, message)


async def applied(h: Harness, users: tuple[UserId, ...], **kwargs: Any) -> str:
    request = await h.approved(DesiredState(RA_MAINLINE, "Seattle", users), **kwargs)
    await h.apply.after_approved(request)
    job = await h.settle(request.id)
    assert (job.state, job.outcome) == (JobState.DONE, JobOutcome.APPLIED)
    return request.id


@pytest.mark.slow
async def test_fifty_people_each_get_their_own_new_caller_id_once(database_url: str) -> None:
    users = GENERATED[:50]
    async with harness(database_url, settings=SETTINGS, presenter=presenter()) as h:
        request_id = await applied(h, users)
        messages = caller_id_messages(h.notifier)
        assert sorted(m.to for m in messages) == sorted(fold(u) for u in users)
        for message in messages:
            card = message.message.card
            assert card is not None
            user = next(u for u in users if fold(u) == message.to)
            body = texts(card)
            assert card["body"][0]["text"] == f"{name_of(user)}, your caller ID changed"
            assert card["body"][1]["text"] == MAINLINE  # what people see
            assert "Callbacks" in body  # where callbacks go
            assert "Emergency calls" in body  # what emergency services see
            assert card["actions"][0]["data"][USER_ID] == user  # their own answer
            assert message.message.text.startswith(f"{name_of(user)}, {CHANGED} with request")
        assert fact(report_card(h.notifier, request_id), "Told their new caller ID") == "50"
        notices = await h.store.notices(request_id)  # type: ignore[arg-type]
        assert Counter(n.state for n in notices) == {NoticeState.SENT: 50}
        assert {n.attempts for n in notices} == {1}

        # The report step again (an outbox re-run): nothing is sent twice.
        await settle(h.apply.deps, request_id, "second-run")
        assert len(caller_id_messages(h.notifier)) == 50
        assert fact(report_card(h.notifier, request_id), "Told their new caller ID") == "50"

    # A restart: another process finds the report unsent (the crash came before the stamp).
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                update(apply_jobs).where(apply_jobs.c.id == request_id).values(notified_at=None)
            )
    finally:
        await engine.dispose()
    async with harness(
        database_url, settings=SETTINGS, presenter=presenter(), fresh=False, worker_id="restarted"
    ) as again:
        await again.settle(request_id)  # type: ignore[arg-type]
        assert caller_id_messages(again.notifier) == []
        assert again.notifier.texts_to(MEGAN) == [f"{request_id} is applied: 50 of 50 users done."]


async def forget_notices(url: str, request_id: str, *, before_too: bool = False) -> None:
    """As if the job had ended without telling anyone yet (and, `before_too`, as if it was
    planned by a version that recorded no before-answers)."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            table = apply_people_notices
            await connection.execute(delete(table).where(table.c.request_id == request_id))
            if before_too:
                report = (
                    await connection.execute(
                        select(apply_jobs.c.report).where(apply_jobs.c.id == request_id)
                    )
                ).scalar_one()
                kept = {k: v for k, v in report.items() if k != tell.BEFORE}
                await connection.execute(
                    update(apply_jobs).where(apply_jobs.c.id == request_id).values(report=kept)
                )
    finally:
        await engine.dispose()


async def test_only_people_whose_caller_id_differs_from_before_are_told(database_url: str) -> None:
    users = GENERATED[95:98]
    async with harness(database_url, settings=SETTINGS) as h:
        request_id = await applied(h, users)
        job = await h.job(request_id)  # type: ignore[arg-type]
        before = dict(job.report[tell.BEFORE])
        assert set(before) == {fold(u) for u in users}
        assert all(not key.startswith("SHARED|") for key in before.values())
        # As if the first had been on the shared main line already: nothing changed for her.
        before[fold(users[0])] = "SHARED|+14255550100"
        await forget_notices(database_url, request_id)
        engine = make_engine(database_url)
        try:
            async with engine.begin() as connection:
                report = {**job.report, tell.BEFORE: before}
                await connection.execute(
                    update(apply_jobs).where(apply_jobs.c.id == request_id).values(report=report)
                )
        finally:
            await engine.dispose()
        h.notifier.sent.clear()
        await settle(h.apply.deps, request_id, "compare")
        assert sorted(m.to for m in caller_id_messages(h.notifier)) == sorted(
            fold(u) for u in users[1:]
        )


async def test_two_replicas_reporting_at_once_tell_each_person_once(database_url: str) -> None:
    users = GENERATED[50:56]
    shared = FakeNotifier()
    async with harness(database_url, settings=SETTINGS, notifier=shared) as one:
        request_id = await applied(one, users)
        assert len(caller_id_messages(shared)) == 6
        await forget_notices(database_url, request_id)
        shared.sent.clear()
        async with harness(
            database_url, settings=SETTINGS, notifier=shared, fresh=False, worker_id="other"
        ) as two:
            await asyncio.gather(
                settle(one.apply.deps, request_id, "replica-a"),
                settle(two.apply.deps, request_id, "replica-b"),
            )
        assert Counter(m.to for m in caller_id_messages(shared)) == {fold(u): 1 for u in users}


async def test_without_a_recorded_before_the_plans_grants_decide(database_url: str) -> None:
    users = GENERATED[90:93]
    async with harness(database_url, settings=SETTINGS) as h:
        request_id = await applied(h, users)
        await forget_notices(database_url, request_id, before_too=True)
        h.notifier.sent.clear()
        await settle(h.apply.deps, request_id, "old-job")
        assert sorted(m.to for m in caller_id_messages(h.notifier)) == sorted(
            fold(u) for u in users
        )


async def test_who_cannot_be_reached_is_named_on_the_report_and_not_retried_forever(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tell, "RETRY_PAUSE_SECONDS", 0.0)
    users = GENERATED[60:64]
    unreachable, flaky = users[1], users[2]
    reachable = [users[0], flaky, users[3], MEGAN, ALEX]  # the report goes to Megan and Alex
    notifier = FlakyNotifier(reachable=reachable, failing={fold(flaky)})
    async with harness(
        database_url, settings=SETTINGS, notifier=notifier, presenter=presenter()
    ) as h:
        request_id = await applied(h, users)
        assert sorted(m.to for m in caller_id_messages(notifier)) == sorted(
            fold(u) for u in (users[0], users[3])
        )
        assert notifier.tries[fold(flaky)] == tell.SEND_ATTEMPTS
        card = texts(report_card(notifier, request_id))
        assert f"Not told: {name_of(unreachable)} (app not installed)" in card
        assert f"Not told: {name_of(flaky)} (sending failed 3 times)" in card
        assert fact(report_card(notifier, request_id), "Told their new caller ID") == (
            "2, 2 not told"
        )
        await settle(h.apply.deps, request_id, "again")
        assert notifier.tries[fold(flaky)] == tell.SEND_ATTEMPTS  # recorded as failed: done


async def test_turned_off_for_the_request_nobody_is_told(database_url: str) -> None:
    async with harness(database_url, settings=SETTINGS, presenter=presenter()) as h:
        request_id = await applied(h, GENERATED[70:73], tell_people=False)
        assert caller_id_messages(h.notifier) == []
        assert await h.store.notices(request_id) == []  # type: ignore[arg-type]
        told = fact(report_card(h.notifier, request_id), "Told their new caller ID")
        assert told == "nobody: turned off for this request"


@dataclass
class TimelineNotifier(FakeNotifier):
    """Records how many caller-ID messages had gone out at each in-place update."""

    told_at_update: list[tuple[int, OutboundMessage]] = field(default_factory=list)

    async def update(
        self, tenant_id: TenantId, delivery: Delivery, message: OutboundMessage
    ) -> None:
        self.told_at_update.append((len(caller_id_messages(self)), message))
        await super().update(tenant_id, delivery, message)


def _people_fact(message: OutboundMessage) -> str | None:
    card = message.card
    if card is None or "Told their new caller ID" not in texts(card):
        return None
    return fact(card, "Told their new caller ID")


@pytest.mark.parametrize(("count", "interim"), [(50, True), (3, False)])
async def test_many_people_to_tell_get_the_report_shown_before_the_messages_go_out(
    database_url: str, count: int, interim: bool
) -> None:
    """At 10 messages a second, 50 people take 5 s: the report is shown first, saying the
    messages are going out, then updated with how many were told. A few people: one report."""
    notifier = TimelineNotifier()
    paced = replace(FAST, notices_per_second=10.0)
    users = GENERATED[200 : 200 + count]
    async with harness(database_url, settings=paced, presenter=presenter(), notifier=notifier) as h:
        request_id = await applied(h, users)
    reports = [(told, _people_fact(m)) for told, m in notifier.told_at_update if _people_fact(m)]
    going = "the messages are going out now; this card is updated when they have"
    expected = [(0, going)] if interim else []
    assert reports == [*expected, (count, str(count))]
    assert fact(report_card(notifier, request_id), "Told their new caller ID") == str(count)
