"""Replies, proactive messages and card updates go through one pooled, bounded HTTP path."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference

from app import EDGE
from bot.connector import ConnectorPool
from bot.connector_http import ConnectorError, ReplyPolicy, retry_after_seconds
from tests.edge.teams import BOT_ID, Teams, message, until
from tests.fakes.fake_connector import FakeConnector, running_connector


async def test_a_reply_is_json_with_the_bot_frameworks_user_agent_and_no_token_when_anonymous(
    teams: Teams,
) -> None:
    reply = await teams.ask("lee", "help")
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    assert reply.headers["User-Agent"].startswith("Microsoft-BotFramework/3.1 (BotBuilder Python/")
    assert "sharedcalling-bot/" in reply.headers["User-Agent"]
    assert "Authorization" not in reply.headers
    assert reply.method == "POST"
    assert reply.activity_id is not None, "a reply names the activity it answers"


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 408])
async def test_throttling_and_server_errors_are_retried_until_the_reply_arrives(
    teams: Teams, status: int
) -> None:
    teams.connector.fail(status, times=2, retry_after="0")
    reply = await teams.ask("lee", "help")
    assert "help" in reply.text
    assert len(teams.connector.attempts) == 3


async def test_retries_are_bounded_and_the_turn_then_fails_visibly(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    teams.connector.fail(503, times=3, retry_after="0")
    await teams.post(message(teams.connector, "lee", "help"))
    # Three attempts for the answer, then one for the apology of the failed turn.
    assert len(teams.connector.attempts) == 4
    [apology] = teams.connector.sent
    assert apology.text.startswith("Sorry, something went wrong")
    assert "HTTP 503" in caplog.text


@pytest.mark.parametrize("status", [400, 403, 404, 413])
async def test_a_refusal_by_the_connector_is_not_retried(teams: Teams, status: int) -> None:
    teams.connector.fail(status, times=1)
    await teams.post(message(teams.connector, "lee", "help"))
    assert len(teams.connector.attempts) == 2, "the answer once, then the apology"


async def test_a_retry_after_beyond_the_turn_is_not_waited_for(teams: Teams) -> None:
    teams.connector.fail(429, times=1, retry_after="120")
    await teams.post(message(teams.connector, "lee", "help"))
    assert len(teams.connector.attempts) == 2, "no second attempt of the answer"


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    wait = retry_after_seconds(later)
    assert wait is not None
    assert 25 < wait <= 30


async def test_one_client_and_one_connection_serve_every_turn_to_a_service_url(
    teams: Teams,
) -> None:
    for person in ("lee", "adele", "megan"):
        await teams.ask(person, "help")
    peers = {s.peer for s in teams.connector.sent}
    assert len(peers) == 1, "the TCP connection is kept alive and reused"
    assert teams.client.app[EDGE].adapter.pool.size == 1


async def test_replies_wait_concurrently_not_for_a_few_threads(teams: Teams) -> None:
    teams.connector.hold = asyncio.Event()
    turns = [
        asyncio.ensure_future(teams.post(message(teams.connector, "lee", "help")))
        for _ in range(20)
    ]
    await until(lambda: len(teams.connector.attempts) == 20)
    teams.connector.hold.set()
    await asyncio.gather(*turns)
    assert len(teams.connector.sent) == 20


@pytest.fixture
async def stuck() -> AsyncIterator[FakeConnector]:
    async with running_connector() as connector:
        connector.hold = asyncio.Event()
        yield connector


async def test_a_stuck_service_url_does_not_starve_other_turns(
    teams: Teams, stuck: FakeConnector
) -> None:
    waiting = [
        asyncio.ensure_future(
            teams.client.post("/api/messages", json=message(stuck, "lee", "help"))
        )
        for _ in range(40)
    ]
    await until(lambda: len(stuck.attempts) >= 40)
    reply = await asyncio.wait_for(teams.ask("adele", "help"), timeout=5)
    assert "help" in reply.text
    assert not any(w.done() for w in waiting)
    stuck.hold.set()  # type: ignore[union-attr]
    await asyncio.gather(*waiting)


async def test_a_connector_that_never_answers_fails_the_reply_within_the_policy(
    stuck: FakeConnector,
) -> None:
    policy = ReplyPolicy(attempts=2, attempt_timeout=0.2, total_seconds=1.0, base_delay=0.01)
    async with aiohttp.ClientSession() as session:
        pool = ConnectorPool(
            lambda: session, tokens=None, user_agent="test", anonymous=True, policy=policy
        )
        conversations = pool.client("", stuck.url).conversations
        started = time.perf_counter()
        with pytest.raises(ConnectorError) as failed:
            await conversations.reply_to_activity(
                "a:personal-lee", "activity-1", Activity(type="message", text="help")
            )
        elapsed = time.perf_counter() - started
    assert "connector unreachable (TimeoutError)" in str(failed.value)
    assert len(stuck.attempts) == 2, "each attempt timed out, then the retry too"
    assert 0.4 <= elapsed < 1.5
    assert stuck.sent == []


async def test_a_proactive_message_and_a_card_update_use_the_same_path(teams: Teams) -> None:
    adapter = teams.client.app[EDGE].adapter
    reference = ConversationReference(
        channel_id="msteams",
        service_url=teams.connector.url,
        conversation=ConversationAccount(id="a:personal-lee"),
        bot=ChannelAccount(id=BOT_ID),
        user=ChannelAccount(id="29:lee"),
    )

    async def notify(turn_context: TurnContext) -> None:
        sent = await turn_context.send_activity("Your plan was approved.")
        await turn_context.update_activity(
            Activity(type="message", id=sent.id, text="Your plan was approved and applied.")
        )

    await adapter.continue_conversation(reference, notify, "")
    post, put = teams.connector.sent
    # As in botbuilder, a proactive message replies to its continuation activity's id.
    assert (post.method, post.conversation_id) == ("POST", "a:personal-lee")
    assert post.text == "Your plan was approved."
    assert (put.method, put.activity_id) == ("PUT", "activity-1")
    assert put.text == "Your plan was approved and applied."
    assert post.headers["User-Agent"] == put.headers["User-Agent"]
