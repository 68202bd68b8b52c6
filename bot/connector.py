"""Connector clients for botbuilder's turn machinery, one per (app id, service URL), reused.

`Connector.conversations` offers the methods of botbuilder's ConnectorClient that
`CloudAdapterBase` and `TeamsInfo` call (reply, send, update, delete, members, create), so
replies, proactive messages (`continue_conversation`) and card updates (PUT) all travel the
same pooled, bounded path. Models are converted with bot.wire, not msrest.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from botbuilder.schema import (
    Activity,
    ConversationParameters,
    ConversationResourceResponse,
    ResourceResponse,
)
from botbuilder.schema.teams import TeamsChannelAccount

from bot import wire
from bot.connector_http import ConnectorError, ConnectorHttp, ReplyPolicy, SessionSource
from bot.connector_http import path_segment as segment
from bot.inbound import is_http_url, is_loopback_url
from bot.tokens import BotTokenSource
from sharedcalling.correlation import log_safe

logger = logging.getLogger(__name__)

MAX_CLIENTS = 64
"""Teams uses a handful of regional service URLs; the pool forgets the least recently used."""


class UntrustedServiceUrl(ConnectorError):
    """The bot will not send to this service URL (see ConnectorPool)."""


class Conversations:
    """The Bot Connector's conversation operations (v3 REST API)."""

    def __init__(self, http: ConnectorHttp) -> None:
        self._http = http

    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        path = f"/v3/conversations/{segment(conversation_id)}/activities/{segment(activity_id)}"
        return _resource(await self._http.request("POST", path, activity))

    async def send_to_conversation(
        self, conversation_id: str, activity: Activity
    ) -> ResourceResponse:
        path = f"/v3/conversations/{segment(conversation_id)}/activities"
        return _resource(await self._http.request("POST", path, activity))

    async def update_activity(
        self, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        path = f"/v3/conversations/{segment(conversation_id)}/activities/{segment(activity_id)}"
        return _resource(await self._http.request("PUT", path, activity))

    async def delete_activity(self, conversation_id: str, activity_id: str) -> None:
        path = f"/v3/conversations/{segment(conversation_id)}/activities/{segment(activity_id)}"
        await self._http.request("DELETE", path)

    async def get_conversation_member(
        self, conversation_id: str, member_id: str
    ) -> TeamsChannelAccount:
        path = f"/v3/conversations/{segment(conversation_id)}/members/{segment(member_id)}"
        return wire.from_json(TeamsChannelAccount, await self._http.request("GET", path), "member")

    async def get_conversation_members(self, conversation_id: str) -> list[TeamsChannelAccount]:
        path = f"/v3/conversations/{segment(conversation_id)}/members"
        members = await self._http.request("GET", path)
        if not isinstance(members, list):
            raise ConnectorError(f"GET {path}: the answer is not a list of members")
        return [wire.from_json(TeamsChannelAccount, m, "member") for m in members]

    async def create_conversation(
        self, parameters: ConversationParameters
    ) -> ConversationResourceResponse:
        answer = await self._http.request("POST", "/v3/conversations", parameters)
        return wire.from_json(ConversationResourceResponse, answer or {}, "conversation")


def _resource(answer: Any) -> ResourceResponse:
    # The connector answers {"id": ...}; some channels answer 200 with an empty body.
    identifier = answer.get("id") if isinstance(answer, dict) else None
    return ResourceResponse(id=identifier if isinstance(identifier, str) else None)


class Connector:
    """What botbuilder keeps under `BotAdapter.BOT_CONNECTOR_CLIENT_KEY`."""

    def __init__(self, http: ConnectorHttp) -> None:
        self.http = http
        self.conversations = Conversations(http)

    @property
    def service_url(self) -> str:
        return self.http.service_url


class ConnectorPool:
    """Connectors by (app id, service URL), sharing one session and one token source.

    A service URL must be an http(s) URL without user info; in anonymous mode (no app id, which
    the app allows on loopback only) it must also be on this machine, so an unauthenticated
    activity cannot make the bot connect elsewhere. With an app id, the inbound token must vouch
    for the URL (bot.auth); proactive sends use the URL of a stored conversation reference.
    """

    def __init__(
        self,
        session: SessionSource,
        *,
        tokens: BotTokenSource | None,
        user_agent: str,
        anonymous: bool,
        policy: ReplyPolicy | None = None,
    ) -> None:
        self._session = session
        self._tokens = tokens
        self._user_agent = user_agent
        self._anonymous = anonymous
        self._policy = policy or ReplyPolicy()
        self._clients: OrderedDict[tuple[str, str], Connector] = OrderedDict()

    def may_send_to(self, service_url: str) -> bool:
        if not is_http_url(service_url):
            return False
        return not self._anonymous or is_loopback_url(service_url)

    def client(self, app_id: str, service_url: str) -> Connector:
        if not self.may_send_to(service_url):
            raise UntrustedServiceUrl(f"will not send to {log_safe(service_url, 100)}")
        key = (app_id, service_url.rstrip("/"))
        found = self._clients.get(key)
        if found is not None:
            self._clients.move_to_end(key)
            return found
        http = ConnectorHttp(
            key[1], self._session, tokens=self._tokens, user_agent=self._user_agent,
            policy=self._policy,
        )  # fmt: skip
        client = self._clients[key] = Connector(http)
        if len(self._clients) > MAX_CLIENTS:
            self._clients.popitem(last=False)
        return client

    @property
    def size(self) -> int:
        return len(self._clients)
