"""A local Bot Connector: records what the bot sends (with headers), serves the member lookups
Teams makes, and can answer slowly, with 429/5xx (and Retry-After), or not at all."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass(frozen=True)
class Sent:
    """One request the bot made to the connector (and the connector accepted)."""

    method: str
    conversation_id: str
    activity_id: str | None
    activity: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)
    peer: tuple[str, int] | None = None
    """The bot's end of the TCP connection: equal across requests when connections are reused."""

    @property
    def text(self) -> str:
        return str(self.activity.get("text") or "")

    @property
    def summary(self) -> str:
        """What Teams shows in notifications; updates of a card carry their text here."""
        return str(self.activity.get("summary") or "")

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards attached to the activity."""
        return [
            a["content"]
            for a in self.activity.get("attachments") or ()
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


@dataclass
class Failure:
    """Answer the next `times` activity requests with `status` (and Retry-After if given)."""

    status: int
    times: int = 1
    retry_after: str | None = None


@dataclass
class FakeConnector:
    """Members known to the fake, by id; unknown members get a minimal account."""

    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    member_lookups: list[str] = field(default_factory=list)
    attempts: list[Mapping[str, str]] = field(default_factory=list)
    """Headers of every activity request, refused ones included."""
    unmatched: list[str] = field(default_factory=list)
    """`METHOD path` of requests that matched no connector route."""
    failures: list[Failure] = field(default_factory=list)
    latency: float = 0.0
    hold: asyncio.Event | None = None
    """When set to an unset Event, activity requests wait for it (a connector that hangs)."""
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def activities(self, conversation_id: str | None = None) -> list[Sent]:
        return [s for s in self.sent if conversation_id in (None, s.conversation_id)]

    def messages(self) -> list[Sent]:
        """Posted message activities (replies and new messages), in order."""
        return [s for s in self.sent if s.method == "POST" and s.activity.get("type") == "message"]

    def fail(self, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        self.failures.append(Failure(status, times, retry_after))

    def clear(self) -> None:
        self.sent.clear()
        self.member_lookups.clear()
        self.attempts.clear()
        self.unmatched.clear()

    def _injected(self) -> web.Response | None:
        for failure in self.failures:
            if failure.times > 0:
                failure.times -= 1
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                body = {"error": {"code": "Injected", "message": f"injected {failure.status}"}}
                return web.json_response(body, status=failure.status, headers=headers)
        return None

    async def _record(self, request: web.Request) -> web.Response:
        self.attempts.append(dict(request.headers))
        if self.hold is not None:
            await self.hold.wait()
        if self.latency:
            await asyncio.sleep(self.latency)
        injected = self._injected()
        if injected is not None:
            return injected
        activity = json.loads(await request.read()) if request.can_read_body else {}
        self.sent.append(
            Sent(
                request.method,
                request.match_info["conversation_id"],
                request.match_info.get("activity_id"),
                activity,
                dict(request.headers),
                _peer(request),
            )
        )
        if request.method == "DELETE":
            return web.Response(status=200)
        return web.json_response({"id": f"activity-{next(self._ids)}"}, status=200)

    async def _member(self, request: web.Request) -> web.Response:
        member_id = request.match_info["member_id"]
        self.member_lookups.append(member_id)
        member = self.members.get(member_id, {"id": member_id, "name": member_id})
        return web.json_response(member)

    async def _members(self, request: web.Request) -> web.Response:
        return web.json_response(list(self.members.values()))

    async def _create_conversation(self, request: web.Request) -> web.Response:
        await request.json()
        return web.json_response({"id": f"conversation-{next(self._ids)}"}, status=201)

    async def _unmatched(self, request: web.Request) -> web.Response:
        self.unmatched.append(f"{request.method} {request.raw_path}")
        return web.json_response({"error": {"code": "NotFound"}}, status=404)

    def application(self) -> web.Application:
        app = web.Application()
        app[CONNECTOR_KEY] = self
        base = "/v3/conversations/{conversation_id:[^/]+}"
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post(base + "/activities", self._record)
        for method in ("POST", "PUT", "DELETE"):
            app.router.add_route(method, base + "/activities/{activity_id:[^/]+}", self._record)
        app.router.add_get(base + "/members", self._members)
        app.router.add_get(base + "/members/{member_id:[^/]+}", self._member)
        app.router.add_route("*", "/{tail:.*}", self._unmatched)
        return app


def _peer(request: web.Request) -> tuple[str, int] | None:
    transport = request.transport
    peer = transport.get_extra_info("peername") if transport is not None else None
    return (str(peer[0]), int(peer[1])) if peer else None


CONNECTOR_KEY = web.AppKey("connector", FakeConnector)


@asynccontextmanager
async def running_connector(
    members: Mapping[str, dict[str, Any]] | None = None, *, latency: float = 0.0
) -> AsyncIterator[FakeConnector]:
    """Serve a FakeConnector on 127.0.0.1; its `url` is the serviceUrl for activities."""
    connector = FakeConnector(members=dict(members or {}), latency=latency)
    server = TestServer(connector.application(), host="127.0.0.1")
    await server.start_server()
    connector.url = str(server.make_url("")).rstrip("/")
    try:
        yield connector
    finally:
        if connector.hold is not None:
            connector.hold.set()
        await server.close()
