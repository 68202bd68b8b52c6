"""Wiring of the edge for one app: HTTP session, token checks, connector pool, adapter, bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import version

import aiohttp
from botbuilder.core import ConversationState

from bot.adapter import EdgeAdapter
from bot.apply_cards import CardPresenter
from bot.auth import ChannelAuthenticator
from bot.compat import apply_workarounds
from bot.connector import ConnectorPool
from bot.handler import ChatOpsBot
from bot.inbound import is_loopback_host
from bot.notifications import ConversationMemory, TeamsNotifier
from bot.openid import OpenIdKeys
from bot.state_storage import BotStateStorage
from bot.tokens import BotTokenSource, TokenRequest, client_credentials, managed_identity
from bot.turn_errors import make_turn_error_handler
from sharedcalling.config import AppType, ConfigError, Settings
from sharedcalling.services import Services

PER_HOST = 64
"""Connections to one connector host; a dead host cannot take the whole pool."""
TOTAL_CONNECTIONS = 512

USER_AGENT = (
    f"Microsoft-BotFramework/3.1 (BotBuilder Python/{version('botbuilder-core')}) "
    f"sharedcalling-bot/{version('sharedcalling-bot')}"
)


@dataclass(frozen=True)
class Edge:
    adapter: EdgeAdapter
    bot: ChatOpsBot
    session: aiohttp.ClientSession
    tokens: BotTokenSource | None
    keys: OpenIdKeys | None


def check_exposure(settings: Settings) -> None:
    """Without an app id nothing is authenticated: serve this machine only."""
    if not settings.app_id and not is_loopback_host(settings.host):
        raise ConfigError(
            [
                f"MicrosoftAppId: required when HOST is {settings.host!r}; without an app id "
                "the bot accepts unauthenticated traffic, so it listens on loopback only "
                "(HOST=127.0.0.1)"
            ]
        )


def _token_request(settings: Settings) -> TokenRequest:
    if settings.app_type is AppType.USER_ASSIGNED_MSI:
        return managed_identity(settings.app_id)
    tenant = settings.app_tenant_id if settings.app_type is AppType.SINGLE_TENANT else ""
    return client_credentials(
        settings.authority_host, tenant, settings.app_id, settings.app_password.get_secret_value()
    )


@asynccontextmanager
async def open_edge(settings: Settings, services: Services) -> AsyncIterator[Edge]:
    """The edge for `settings`; its HTTP session closes on exit. State lives in our database."""
    check_exposure(settings)
    apply_workarounds()
    connector = aiohttp.TCPConnector(
        limit=TOTAL_CONNECTIONS, limit_per_host=PER_HOST, ttl_dns_cache=300
    )
    session = aiohttp.ClientSession(connector=connector, raise_for_status=False)

    def current() -> aiohttp.ClientSession:
        return session

    tokens = keys = authenticator = None
    if settings.app_id:
        tokens = BotTokenSource(_token_request(settings), current)
        keys = OpenIdKeys(settings.bot_openid_metadata_url, current)
        authenticator = ChannelAuthenticator(settings.app_id, keys)
    pool = ConnectorPool(
        current, tokens=tokens, user_agent=USER_AGENT, anonymous=not settings.app_id
    )
    adapter = EdgeAdapter(app_id=settings.app_id, pool=pool, authenticator=authenticator)
    conversation_state = ConversationState(BotStateStorage(services.bot_state))
    adapter.on_turn_error = make_turn_error_handler(conversation_state)
    services.notifier.bind(TeamsNotifier(adapter, settings.app_id, services.uow))
    services.apply.presenter.bind(CardPresenter())
    memory = ConversationMemory(services.uow, services.clock)
    bot = ChatOpsBot(services, conversation_state, memory)
    try:
        yield Edge(adapter, bot, session, tokens, keys)
    finally:
        await session.close()
