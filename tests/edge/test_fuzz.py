"""Fuzzing the edge over real HTTP: mutated Teams activities never get a 500 or a traceback,
and the bot answers normally afterwards. Bounded: a fixed number of examples, each request
with a timeout."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientTimeout
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from cards.actions import CALLERID_PICK, USER_ID
from tests.edge.conftest import edge_settings
from tests.edge.teams import CHANNEL, activity, execute_invoke, message, object_id, personal
from tests.fakes.fake_connector import FakeConnector, running_connector

EXAMPLES = 300


@dataclass
class Harness:
    """The app and a fake connector on their own event loop, shared by every example."""

    loop: asyncio.AbstractEventLoop
    client: TestClient[Any, Any]
    connector: FakeConnector

    def post(self, body: bytes, content_type: str | None) -> tuple[int, str]:
        async def send() -> tuple[int, str]:
            headers = {"Content-Type": content_type} if content_type else {}
            response = await self.client.post(
                "/api/messages", data=body, headers=headers, timeout=ClientTimeout(total=10),
                skip_auto_headers=[] if content_type else ["Content-Type"],
            )  # fmt: skip
            return response.status, await response.text()

        return self.loop.run_until_complete(send())


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    loop = asyncio.new_event_loop()
    database = Path(tmp_path_factory.mktemp("fuzz")) / "bot.db"
    connector_context = running_connector()

    async def start() -> Harness:
        connector = await connector_context.__aenter__()
        app = create_app(edge_settings(f"sqlite+aiosqlite:///{database}", LOG_LEVEL="WARNING"))
        client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        return Harness(loop, client, connector)

    harness = loop.run_until_complete(start())
    try:
        yield harness
    finally:
        loop.run_until_complete(harness.client.close())
        loop.run_until_complete(connector_context.__aexit__(None, None, None))
        loop.close()


def _seeds(connector: FakeConnector) -> list[dict[str, Any]]:
    return [
        message(connector, "adele", "which number do I call out as?"),
        message(connector, "megan", "caller id for Lee Gu", CHANNEL),
        execute_invoke(connector, "megan", CALLERID_PICK, {USER_ID: object_id("adele")}),
        activity(connector, "lee", personal("lee"), type="installationUpdate", action="add"),
        activity(connector, "lee", personal("lee"), type="conversationUpdate",
                 membersAdded=[{"id": "28:shared-calling-bot"}, {"id": "29:lee"}]),
        message(connector, "megan", "", value={"verb": CALLERID_PICK, USER_ID: object_id("joni")}),
    ]  # fmt: skip


_leaf = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.sampled_from(["..", ".", "\x00", "<at>", "a\nb", "x" * 3000])
)  # fmt: skip
_json = st.recursive(
    _leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                         max_size=4),
    max_leaves=12,
)  # fmt: skip
_paths = st.lists(
    st.sampled_from(["type", "name", "text", "id", "from", "recipient", "conversation", "value",
                     "channelData", "entities", "membersAdded", "serviceUrl", "timestamp",
                     "action", "deliveryMode", "channelId", "tenant", "action", "data", "verb",
                     "aadObjectId", "attachments", "replyToId", "locale", "0"]),
    min_size=1, max_size=3,
)  # fmt: skip


@st.composite
def _mutation(draw: st.DrawFn) -> tuple[str, list[str], Any]:
    kind = draw(st.sampled_from(["set", "delete", "set", "set"]))
    return kind, draw(_paths), draw(_json)


def _apply(body: Any, mutation: tuple[str, list[str], Any]) -> Any:
    kind, path, value = mutation
    target = body
    for key in path[:-1]:
        child = target.get(key) if isinstance(target, dict) else None
        if not isinstance(child, dict):
            return body
        target = child
    if not isinstance(target, dict):
        return body
    if kind == "delete":
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return body


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(0, 5),
    mutations=st.lists(_mutation(), min_size=1, max_size=4),
    raw=st.none() | st.binary(max_size=200),
    content_type=st.sampled_from(["application/json"] * 8 + [None, "text/plain"]),
)
def test_mutated_activities_never_get_a_500_or_a_traceback(
    harness: Harness, seed: int, mutations: list[Any], raw: bytes | None, content_type: str | None
) -> None:
    body = json.loads(json.dumps(_seeds(harness.connector)[seed]))
    for mutation in mutations:
        body = _apply(body, mutation)
    data = raw if raw is not None else json.dumps(body).encode()
    status, text = harness.post(data, content_type)
    assert status != 500, text
    assert status < 500 or status == 501, (status, text)  # 501: an invoke nobody handles
    assert "Traceback" not in text
    assert 'File "' not in text


def test_the_bot_still_answers_after_the_fuzzing(harness: Harness) -> None:
    before = len(harness.connector.sent)
    question = message(harness.connector, "adele", "which number do I call out as?")
    status, _ = harness.post(json.dumps(question).encode(), "application/json")
    assert status == 201
    [reply] = harness.connector.sent[before:]
    assert "+1 425-555-0100" in reply.text
