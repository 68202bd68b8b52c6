"""Reading one POST /api/messages into an Activity, with every bound checked before any turn.

Each refusal is a BadActivity with the HTTP status (400; 415 for a body that is not JSON by its
Content-Type; 501 for an invoke the bot does not handle) and a short reason for the sender.
botbuilder would raise from deep inside the turn (HTTP 500, which the Bot Connector retries) for
most of these.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from botbuilder.schema.teams import TeamsChannelData

from bot import wire
from sharedcalling.correlation import log_safe

MAX_DEPTH = 32
"""JSON nesting allowed in an activity; Teams' deepest (card data in `value`) is far less."""
MAX_ID_LENGTH = 1024
ADAPTIVE_CARD_ACTION = "adaptiveCard/action"
SEARCH_INVOKE = "application/search"
EXECUTE = "Action.Execute"
HANDLED_INVOKES = frozenset({ADAPTIVE_CARD_ACTION, SEARCH_INVOKE})
"""The invokes bot.handler answers. botbuilder would dispatch others (message extensions, task
modules, tabs, file consent, sign-in) to handlers the bot does not override, after reading their
`value` strictly enough to crash on a wrong shape."""


class BadActivity(Exception):
    """The request is not an activity the bot can take; `status` is 400, 415 or 501.

    `detail` goes to the log only (it may name what the sender chose), never to the answer.
    """

    def __init__(
        self, reason: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST, *, detail: str = ""
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.detail = detail


async def read_activity(request: web.Request) -> Activity:
    """The request's activity, or BadActivity naming the first problem."""
    if request.content_type != "application/json":
        raise BadActivity("the body must be JSON (Content-Type: application/json)", _UNSUPPORTED)
    return parse_activity(await request.read())


_UNSUPPORTED = HTTPStatus.UNSUPPORTED_MEDIA_TYPE


def parse_activity(body: bytes) -> Activity:
    """`body` as an Activity whose fields have their schema types and whose ids are safe."""
    data = _json(body)
    if not isinstance(data, dict):
        raise BadActivity("the body is not a JSON object")
    if not isinstance(data.get("type"), str) or not data["type"]:
        raise BadActivity("the activity has no type")
    try:
        activity = wire.from_json(Activity, data)
    except wire.WireError as wrong:
        raise BadActivity(str(wrong)) from None
    _check_ids(activity)
    _check_names(activity)
    _check_channel_data(activity.channel_data)
    _check_service_url(activity.service_url)
    _check_invoke(activity)
    if _holds_nul(data):
        # PostgreSQL stores no NUL in text or JSONB, and no Teams activity holds one.
        raise BadActivity("the activity holds a NUL character")
    return activity


def _json(body: bytes) -> Any:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadActivity("the body is not JSON") from None
    except RecursionError:
        raise BadActivity(f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    if _depth_exceeds(data, MAX_DEPTH):
        raise BadActivity(f"the JSON is nested deeper than {MAX_DEPTH} levels")
    return data


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether containers nest deeper than `limit`; iterative, so it cannot recurse itself."""
    if not isinstance(data, dict | list):
        return False
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, dict | list):
                if depth >= limit:
                    return True
                pending.append((child, depth + 1))
    return False


def _ids(activity: Activity) -> Iterator[tuple[str, Any]]:
    yield "id", activity.id
    yield "channelId", activity.channel_id
    yield "replyToId", activity.reply_to_id
    for name, account in (
        ("conversation", activity.conversation),
        ("from", activity.from_property),
        ("recipient", activity.recipient),
    ):
        if account is not None:
            yield f"{name}.id", account.id


def _has_control(value: str) -> bool:
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in value)


def _check_ids(activity: Activity) -> None:
    """Ids end up in reply URLs and database keys: no control characters, no `.` or `..`."""
    for name, value in _ids(activity):
        if value is None:
            continue
        if not value or value in (".", "..") or len(value) > MAX_ID_LENGTH:
            raise BadActivity(f"the activity's {name} is not a valid id")
        if _has_control(value):
            raise BadActivity(f"the activity's {name} holds control characters")
    if activity.conversation is None or not activity.conversation.id:
        raise BadActivity("the activity has no conversation id")


def _names(activity: Activity) -> Iterator[tuple[str, str | None]]:
    """Who and where, as stored in conversation references and shown on cards."""
    accounts: tuple[tuple[str, ChannelAccount | ConversationAccount | None], ...] = (
        ("from", activity.from_property),
        ("recipient", activity.recipient),
        ("conversation", activity.conversation),
    )
    for prefix, account in accounts:
        if account is not None:
            yield f"{prefix}.name", account.name
            yield f"{prefix}.aadObjectId", account.aad_object_id


def _check_names(activity: Activity) -> None:
    for name, value in _names(activity):
        if value is not None and _has_control(value):
            raise BadActivity(f"the activity's {name} holds control characters")


def _check_channel_data(channel_data: Any) -> None:
    """Teams' channelData in its schema's types: botbuilder reads it with msrest on
    conversationUpdate, messageUpdate and messageDelete, and crashes on a wrong shape."""
    if channel_data is None:
        return
    try:
        teams = wire.from_json(TeamsChannelData, channel_data, "activity.channelData")
    except wire.WireError as wrong:
        raise BadActivity(str(wrong)) from None
    tenant_id = teams.tenant.id if teams.tenant is not None else None
    if tenant_id is not None and _has_control(tenant_id):
        raise BadActivity("the activity's channelData.tenant.id holds control characters")


def _holds_nul(data: Any) -> bool:
    """Whether any string (or key) in parsed JSON holds U+0000; iterative, like the depth check."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _check_service_url(service_url: str | None) -> None:
    """Without a serviceUrl botbuilder would send replies to api.botframework.com."""
    if not service_url:
        raise BadActivity("the activity has no serviceUrl")
    if not is_http_url(service_url):
        raise BadActivity("the activity's serviceUrl is not an http(s) URL")


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    safe = not any(ord(ch) <= 0x20 or ch == "\\" for ch in url)
    return (
        safe and parts.scheme in ("http", "https") and bool(parts.hostname) and not _userinfo(url)
    )


def _userinfo(url: str) -> bool:
    return "@" in urlsplit(url).netloc


LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


def is_loopback_host(host: str) -> bool:
    """A name or address of this machine (no DNS lookup: names other than localhost are not)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname or "")


def _check_invoke(activity: Activity) -> None:
    if activity.type != "invoke":
        return
    if activity.name not in HANDLED_INVOKES:
        raise BadActivity(
            "the bot does not handle this invoke",
            HTTPStatus.NOT_IMPLEMENTED,
            detail=f"name {log_safe(activity.name, 60)}",
        )
    if activity.name != ADAPTIVE_CARD_ACTION:
        return
    if not isinstance(activity.value, dict):
        raise BadActivity("the adaptiveCard/action invoke has no value object")
    action = activity.value.get("action")
    if not isinstance(action, dict):
        raise BadActivity("the adaptiveCard/action invoke's value.action is not an object")
    if action.get("type") != EXECUTE:
        # botbuilder answers these with an error body it cannot serialize (an Exception).
        raise BadActivity(f"the adaptiveCard/action invoke's value.action.type is not {EXECUTE}")
