"""The Bot Framework adapter and state for one app: CloudAdapter, credentials, turn errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botbuilder.core import ConversationState
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.compat import apply_workarounds
from bot.handler import ChatOpsBot
from bot.state_storage import BotStateStorage
from bot.turn_errors import make_turn_error_handler
from sharedcalling.config import Settings
from sharedcalling.services import Services


@dataclass(frozen=True)
class _BotConfiguration:
    """The attribute names botbuilder's configuration-based authentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


@dataclass(frozen=True)
class Edge:
    adapter: CloudAdapter
    bot: ChatOpsBot


def create_edge(settings: Settings, services: Services) -> Edge:
    """Wire botbuilder to our Services; state lives in our database, never in memory."""
    apply_workarounds()
    configuration = _BotConfiguration(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password.get_secret_value(),
        APP_TYPE=settings.app_type.value,
        APP_TENANTID=settings.app_tenant_id,
    )
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(configuration))
    conversation_state = ConversationState(BotStateStorage(services.bot_state))
    adapter.on_turn_error = make_turn_error_handler(conversation_state)
    return Edge(adapter, ChatOpsBot(services, conversation_state))


_OBJECT_FIELDS = ("from", "recipient", "conversation", "channelData")


def activity_problem(body: bytes) -> str | None:
    """Why `body` cannot be a Bot Framework activity, or None when it may be one.

    Checked before botbuilder sees the body: botbuilder answers malformed JSON or a JSON value
    that is not an object with HTTP 500, which reads as our fault and invites retries.
    """
    try:
        parsed: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "the body is not JSON"
    if not isinstance(parsed, dict):
        return "the body is not a JSON object"
    if not isinstance(parsed.get("type"), str):
        return "the activity has no type"
    for name in _OBJECT_FIELDS:
        if name in parsed and parsed[name] is not None and not isinstance(parsed[name], dict):
            return f"the activity's {name} is not an object"
    return None
