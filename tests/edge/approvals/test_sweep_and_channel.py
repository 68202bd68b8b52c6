"""The reminder and expiry sweep, and the approvals channel's copy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from cards.actions import APPROVAL_APPROVE
from sharedcalling.domain.requests import RequestState
from sharedcalling.services.approvals.sweep import sweep
from tests.edge.approvals.kit import Desk, card_text, running_desk, verbs_of
from tests.edge.teams import CHANNEL, personal
from tests.fakes.fake_connector import FakeConnector

CHANNEL_ROOT = "19:voice@thread.tacv2"


async def test_one_reminder_to_who_has_not_decided_then_expiry(desk2: Desk) -> None:
    await desk2.meet("megan", "alex", "miriam")
    request = await desk2.submit()
    await desk2.click("alex", APPROVAL_APPROVE, request)
    desk2.connector.clear()

    desk2.clock.advance(hours=47)
    assert await sweep(desk2.services, lease_seconds=1) == 0  # not due yet
    desk2.clock.advance(hours=2)
    assert await sweep(desk2.services, lease_seconds=1) == 1
    reminded = [m for m in desk2.connector.messages() if m.text.startswith("Reminder")]
    assert [m.conversation_id for m in reminded] == [personal("miriam").conversation["id"]]
    assert APPROVAL_APPROVE in verbs_of(reminded[0].cards[0])
    desk2.clock.advance(hours=1)
    assert await sweep(desk2.services, lease_seconds=1) == 0  # one reminder only
    assert len([m for m in desk2.connector.messages() if m.text.startswith("Reminder")]) == 1

    desk2.clock.advance(hours=22)
    assert await sweep(desk2.services, lease_seconds=1) == 1
    assert (await desk2.request(request.id)).state is RequestState.EXPIRED


async def test_a_late_reminder_moves_the_deadline(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    desk.clock.advance(hours=100)  # the bot was down when the reminder was due
    await sweep(desk.services, lease_seconds=1)
    reminded = await desk.request(request.id)
    assert reminded.state is RequestState.PENDING
    assert reminded.expires_at is not None
    assert (reminded.expires_at - desk.clock.now()).total_seconds() == 3600
    await sweep(desk.services, lease_seconds=1)
    assert (await desk.request(request.id)).state is RequestState.PENDING
    desk.clock.advance(hours=1)
    await sweep(desk.services, lease_seconds=1)
    assert (await desk.request(request.id)).state is RequestState.EXPIRED


async def test_two_replicas_sweeping_at_once_remind_once(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    await desk.submit()
    desk.clock.advance(hours=50)
    done = await asyncio.gather(*(sweep(desk.services, lease_seconds=50) for _ in range(3)))
    assert sorted(done) == [0, 0, 1]


@pytest.fixture
async def channel_desk(database_url: str, connector: FakeConnector) -> AsyncIterator[Desk]:
    async with running_desk(database_url, connector, APPROVALS_CHANNEL_ID=CHANNEL_ROOT) as desk:
        yield desk


async def test_the_approvals_channel_gets_a_status_copy_that_is_updated(
    channel_desk: Desk,
) -> None:
    desk = channel_desk
    await desk.meet("megan", "alex", "miriam")
    await desk.teams.ask("lee", "help", CHANNEL)  # the bot learns the channel
    desk.connector.clear()
    request = await desk.submit()
    [posted] = [m for m in desk.connector.messages() if m.conversation_id == CHANNEL_ROOT]
    assert APPROVAL_APPROVE not in verbs_of(posted.cards[0])
    assert posted.activity.get("replyToId") is None

    await desk.click("alex", APPROVAL_APPROVE, request)
    [put] = [
        s for s in desk.connector.sent if s.method == "PUT" and s.conversation_id == CHANNEL_ROOT
    ]
    assert "Approved" in card_text(put.cards[0])


async def test_an_unknown_channel_is_reported_to_the_requester_once(channel_desk: Desk) -> None:
    desk = channel_desk
    await desk.meet("megan", "alex", "miriam")
    desk.connector.clear()
    await desk.submit()
    from sharedcalling.services.approvals.announce import announce_pending

    await announce_pending(desk.services)
    to_megan = [m for m in desk.connector.messages() if m.conversation_id == "a:personal-megan"]
    assert len(to_megan) == 1
    assert "approvals channel has not met me yet" in card_text(to_megan[0].cards[0])
