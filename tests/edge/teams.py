"""Teams-shaped activities for edge tests, and a client that posts them to /api/messages."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

from sharedcalling.config import DEMO_TENANT_ID
from tests.fakes.fake_connector import FakeConnector, Sent

BOT_ID = "28:shared-calling-bot"
BOT_NAME = "Shared Calling"
FOREIGN_TENANT_ID = "11111111-2222-4333-8444-555555555555"

PEOPLE = {
    "megan": 1, "alex": 2, "adele": 3, "lee": 4, "diego": 5, "isaiah": 6, "johanna": 7,
    "nestor": 8, "patti": 9, "lynne": 10, "grady": 11, "pradeep": 12, "henrietta": 13,
    "miriam": 14, "joni": 17,
}  # fmt: skip


def object_id(person: str) -> str:
    return f"00000000-0000-4000-8000-{PEOPLE[person]:012d}"


@dataclass(frozen=True)
class Place:
    """Where a message is posted: a personal chat, a group chat or a channel thread."""

    conversation: dict[str, Any]
    channel_data: dict[str, Any] = field(default_factory=dict)
    mention_bot: bool = False


def personal(person: str) -> Place:
    return Place({"id": f"a:personal-{person}", "conversationType": "personal"})


GROUP_CHAT = Place(
    {"id": "19:group-chat@thread.v2", "conversationType": "groupChat", "isGroup": True},
    mention_bot=True,
)
CHANNEL = Place(
    {"id": "19:voice@thread.tacv2;messageid=1700000000000", "conversationType": "channel",
     "isGroup": True},
    {"team": {"id": "19:team@thread.tacv2"}, "channel": {"id": "19:voice@thread.tacv2"}},
    mention_bot=True,
)  # fmt: skip


def activity(
    connector: FakeConnector,
    person: str,
    place: Place,
    *,
    tenant_id: str | None = DEMO_TENANT_ID,
    **fields: Any,
) -> dict[str, Any]:
    """A Teams activity from `person`; `fields` override or add (type, text, value, ...)."""
    channel_data = dict(place.channel_data)
    if tenant_id is not None:
        channel_data["tenant"] = {"id": tenant_id}
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": connector.url,
        "from": {"id": f"29:{person}", "name": person.title(), "aadObjectId": object_id(person)},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": {**place.conversation, "tenantId": tenant_id},
        "channelData": channel_data,
        "locale": "en-US",
        **fields,
    }


def message(
    connector: FakeConnector, person: str, text: str, place: Place | None = None, **fields: Any
) -> dict[str, Any]:
    where = place or personal(person)
    entities = []
    if where.mention_bot:
        mention = f"<at>{BOT_NAME}</at>"
        text = f"{mention} {text}"
        entities.append({"type": "mention", "text": mention,
                         "mentioned": {"id": BOT_ID, "name": BOT_NAME}})  # fmt: skip
    return activity(connector, person, where, text=text, entities=entities, **fields)


def execute_invoke(
    connector: FakeConnector, person: str, verb: str, data: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
    return activity(
        connector, person, personal(person), type="invoke", name="adaptiveCard/action",
        value=value, **fields,
    )  # fmt: skip


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Wait (on the loop, never blocking it) until `condition` holds; fail after `within` s."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.01)


@dataclass
class Teams:
    """Posts activities to the bot like Teams does (no Authorization header) and reads replies."""

    client: TestClient[web.Request, web.Application]
    connector: FakeConnector

    async def post(
        self, body: dict[str, Any], *, expect: int = 201, headers: dict[str, str] | None = None
    ) -> ClientResponse:
        response = await self.client.post("/api/messages", json=body, headers=headers)
        assert response.status == expect, await response.text()
        return response

    async def say(self, person: str, text: str, place: Place | None = None) -> list[Sent]:
        """Post a message and return what the bot sent back for it."""
        before = len(self.connector.sent)
        await self.post(message(self.connector, person, text, place))
        return self.connector.sent[before:]

    async def ask(self, person: str, text: str, place: Place | None = None) -> Sent:
        """Post a message that must get exactly one reply, and return it."""
        replies = await self.say(person, text, place)
        assert len(replies) == 1, [r.text for r in replies]
        return replies[0]
