"""The Bot Framework adapter of the edge: botbuilder's turn machinery over our own HTTP path.

`EdgeAdapter` is botbuilder's `CloudAdapterBase` (TurnContext, middleware, invoke responses,
`continue_conversation` and `create_conversation` for proactive messages) with the parts that
were slow or fragile replaced: the request is read and checked by bot.inbound, the token by
bot.auth (keys fetched with aiohttp), and every outbound call goes through bot.connector.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from aiohttp import web
from botbuilder.core import Bot, CloudAdapterBase, InvokeResponse
from botbuilder.schema import Activity, CallerIdConstants, DeliveryModes
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
)

from bot import wire
from bot.auth import AuthFailure, AuthUnavailable, ChannelAuthenticator
from bot.connector import Connector, ConnectorPool
from bot.inbound import BadActivity, read_activity
from sharedcalling import correlation
from sharedcalling.correlation import log_safe

logger = logging.getLogger(__name__)

CHANNEL_AUDIENCE = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE


def error_response(status: HTTPStatus, message: str) -> web.Response:
    """A short JSON error; never a traceback, never what the sender sent."""
    return web.json_response({"error": message}, status=int(status))


def _refuse(bad: BadActivity) -> web.Response:
    reason = log_safe(bad.reason, 120)  # it may quote field names the sender chose
    detail = f" ({bad.detail})" if bad.detail else ""
    logger.warning("Refused a request: %s%s", reason, detail)
    kind = "Not implemented" if bad.status == HTTPStatus.NOT_IMPLEMENTED else "Bad request"
    return error_response(bad.status, f"{kind}: {reason}.")


class _Factory(ConnectorFactory):
    def __init__(self, pool: ConnectorPool, app_id: str) -> None:
        self._pool = pool
        self._app_id = app_id

    async def create(self, service_url: str, audience: str | None = None) -> Connector:
        return self._pool.client(self._app_id, service_url)


class EdgeAuthentication(BotFrameworkAuthentication):
    """What CloudAdapterBase asks of an authentication: connector factories, no user tokens.

    Inbound requests are authenticated by EdgeAdapter.process before the turn, so the
    header-based entry points are not used. OAuth sign-in (UserTokenClient) is not offered.
    """

    def __init__(self, pool: ConnectorPool, app_id: str) -> None:
        self._pool = pool
        self._app_id = app_id

    async def authenticate_request(self, activity: Activity, auth_header: str) -> Any:
        raise NotImplementedError("EdgeAdapter.process authenticates requests itself")

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        raise NotImplementedError("streaming is not used by Teams bots")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _Factory(self._pool, self._app_id)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> None:
        return None


ACTIVITY_TYPE_KEY = web.RequestKey("sharedcalling_activity_type", str)
"""Where `process` leaves the activity's type on the aiohttp request, for metrics."""


class EdgeAdapter(CloudAdapterBase):
    """One adapter per app. `authenticator` None is anonymous mode (loopback only)."""

    def __init__(
        self, *, app_id: str, pool: ConnectorPool, authenticator: ChannelAuthenticator | None
    ) -> None:
        super().__init__(EdgeAuthentication(pool, app_id))
        self.app_id = app_id
        self.pool = pool
        self._authenticator = authenticator

    async def process(self, request: web.Request, bot: Bot) -> web.Response:
        """Answer one POST /api/messages: 4xx for a bad or unauthenticated request, else the
        turn's invoke response, or 201."""
        try:
            activity = await read_activity(request)
        except BadActivity as bad:
            return _refuse(bad)
        request[ACTIVITY_TYPE_KEY] = activity.type or ""
        correlation.begin_turn(activity.id)
        try:
            result = await self._authenticate(request, activity)
        except AuthFailure as failure:
            logger.warning("Refused an unauthenticated %s: %s", log_safe(activity.type), failure)
            return error_response(HTTPStatus.UNAUTHORIZED, "Unauthorized.")
        except AuthUnavailable as unavailable:
            logger.error("Cannot check tokens now: %s", unavailable)
            return error_response(HTTPStatus.SERVICE_UNAVAILABLE, "Cannot authenticate now.")
        except BadActivity as bad:
            return _refuse(bad)
        _ignore_expect_replies(activity)
        invoke = await self.process_activity(result, activity, bot.on_turn)
        return _http_response(invoke)

    async def _authenticate(
        self, request: web.Request, activity: Activity
    ) -> AuthenticateRequestResult:
        service_url = activity.service_url or ""
        if self._authenticator is None:
            if not self.pool.may_send_to(service_url):
                raise BadActivity("anonymous mode replies only to a connector on this machine")
            identity = ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
            caller_id = None
        else:
            claims = await self._authenticator.authenticate(
                request.headers.get("Authorization"),
                channel_id=activity.channel_id,
                service_url=service_url,
            )
            identity = ClaimsIdentity(dict(claims), True)
            caller_id = CallerIdConstants.public_azure_channel
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = CHANNEL_AUDIENCE
        result.caller_id = caller_id
        result.connector_factory = _Factory(self.pool, self.app_id)
        return result


def _ignore_expect_replies(activity: Activity) -> None:
    """Teams never asks for `expectReplies`; honouring it would hand the answers to whoever
    posted the activity instead of sending them to the conversation."""
    if activity.delivery_mode == DeliveryModes.expect_replies:
        logger.info("Ignored deliveryMode expectReplies; replies go to the conversation")
    activity.delivery_mode = None


def _http_response(invoke: InvokeResponse | None) -> web.Response:
    """The turn's answer over HTTP; never raises (aiohttp would answer a plain-text 500)."""
    if invoke is None:
        return web.Response(status=int(HTTPStatus.CREATED))
    status = int(invoke.status or HTTPStatus.OK)
    if invoke.body is None:
        return web.Response(status=status)
    try:
        text = wire.dumps(invoke.body)
    except (TypeError, ValueError, RecursionError) as unwritable:
        # Our bug, not the sender's: bot.inbound refuses the input that made botbuilder do this.
        logger.error(
            "Could not write the invoke response (HTTP %d, %s): %s",
            status,
            type(invoke.body).__name__,
            log_safe(str(unwritable), 200),
        )
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "The bot could not answer.")
    return web.Response(status=status, text=text, content_type="application/json")
