"""A local Bot Connector: records what the bot sends and serves the member lookups Teams makes."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass(frozen=True)
class Sent:
    """One request the bot made to the connector."""

    method: str
    conversation_id: str
    activity_id: str | None
    activity: Mapping[str, Any]

    @property
    def text(self) -> str:
        return str(self.activity.get("text") or "")

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards attached to the activity."""
        return [
            a["content"]
            for a in self.activity.get("attachments") or ()
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


@dataclass
class FakeConnector:
    """Members known to the fake, by id; unknown members get a minimal account."""

    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    member_lookups: list[str] = field(default_factory=list)
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def activities(self, conversation_id: str | None = None) -> list[Sent]:
        return [s for s in self.sent if conversation_id in (None, s.conversation_id)]

    def messages(self) -> list[Sent]:
        """Posted message activities (replies and new messages), in order."""
        return [s for s in self.sent if s.method == "POST" and s.activity.get("type") == "message"]

    def clear(self) -> None:
        self.sent.clear()
        self.member_lookups.clear()

    async def _record(self, request: web.Request) -> web.Response:
        activity = await request.json()
        self.sent.append(
            Sent(
                request.method,
                request.match_info["conversation_id"],
                request.match_info.get("activity_id"),
                activity,
            )
        )
        return web.json_response({"id": f"activity-{next(self._ids)}"}, status=200)

    async def _member(self, request: web.Request) -> web.Response:
        member_id = request.match_info["member_id"]
        self.member_lookups.append(member_id)
        member = self.members.get(member_id, {"id": member_id, "name": member_id})
        return web.json_response(member)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        await request.json()
        return web.json_response({"id": f"conversation-{next(self._ids)}"}, status=201)

    def application(self) -> web.Application:
        app = web.Application()
        app[CONNECTOR_KEY] = self
        base = "/v3/conversations/{conversation_id:[^/]+}"
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post(base + "/activities", self._record)
        app.router.add_post(base + "/activities/{activity_id:[^/]+}", self._record)
        app.router.add_put(base + "/activities/{activity_id:[^/]+}", self._record)
        app.router.add_get(base + "/members/{member_id:[^/]+}", self._member)
        return app


CONNECTOR_KEY = web.AppKey("connector", FakeConnector)


@asynccontextmanager
async def running_connector(
    members: Mapping[str, dict[str, Any]] | None = None,
) -> AsyncIterator[FakeConnector]:
    """Serve a FakeConnector on 127.0.0.1; its `url` is the serviceUrl for activities."""
    connector = FakeConnector(members=dict(members or {}))
    server = TestServer(connector.application(), host="127.0.0.1")
    await server.start_server()
    connector.url = str(server.make_url("")).rstrip("/")
    try:
        yield connector
    finally:
        await server.close()
