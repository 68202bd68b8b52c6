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
from bot.hazard_presenter import CardHazardPresenter
from bot.inbound import is_loopback_host
from bot.notifications import ConversationMemory, TeamsNotifier
from bot.openid import OpenIdKeys
from bot.setup_turns import SetupConversations
from bot.state_storage import BotStateStorage
from bot.tokens import BotTokenSource, TokenRequest
from bot.turn_errors import make_turn_error_handler
from cards.requests import request_card
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


@dataclass(frozen=True)
class EdgeOptions:
    """What the edge needs from the settings; app.py builds it (the edge reads no settings)."""

    app_id: str
    host: str
    openid_metadata_url: str
    token_request: TokenRequest | None
    """How the bot gets its own Bot Connector token; None without an app id."""
    public_url: str
    """Where browsers reach the bot (plan export download links)."""


class EdgeExposed(ValueError):
    """The edge would serve unauthenticated traffic beyond this machine."""


def exposure_problem(app_id: str, host: str) -> str | None:
    """Without an app id nothing is authenticated: serve this machine only."""
    if not app_id and not is_loopback_host(host):
        return (
            f"MicrosoftAppId: required when HOST is {host!r}; without an app id "
            "the bot accepts unauthenticated traffic, so it listens on loopback only "
            "(HOST=127.0.0.1)"
        )
    return None


@asynccontextmanager
async def open_edge(options: EdgeOptions, services: Services) -> AsyncIterator[Edge]:
    """The edge for `options`; its HTTP session closes on exit. State lives in our database."""
    problem = exposure_problem(options.app_id, options.host)
    if problem is not None:
        raise EdgeExposed(problem)
    apply_workarounds()
    connector = aiohttp.TCPConnector(
        limit=TOTAL_CONNECTIONS, limit_per_host=PER_HOST, ttl_dns_cache=300
    )
    session = aiohttp.ClientSession(connector=connector, raise_for_status=False)

    def current() -> aiohttp.ClientSession:
        return session

    tokens = keys = authenticator = None
    if options.app_id:
        if options.token_request is None:
            raise EdgeExposed("an app id needs a way to get the bot's token (token_request)")
        tokens = BotTokenSource(options.token_request, current)
        keys = OpenIdKeys(options.openid_metadata_url, current)
        authenticator = ChannelAuthenticator(options.app_id, keys)
    pool = ConnectorPool(
        current, tokens=tokens, user_agent=USER_AGENT, anonymous=not options.app_id
    )
    adapter = EdgeAdapter(app_id=options.app_id, pool=pool, authenticator=authenticator)
    conversation_state = ConversationState(BotStateStorage(services.bot_state))
    adapter.on_turn_error = make_turn_error_handler(conversation_state)
    services.notifier.bind(TeamsNotifier(adapter, options.app_id, services.uow))
    services.approval.bind_renderer(request_card)
    services.hazards.bind_presenter(CardHazardPresenter())
    services.apply.presenter.bind(CardPresenter())
    memory = ConversationMemory(services.uow, services.clock)
    setup = SetupConversations(services, conversation_state, options.public_url)
    bot = ChatOpsBot(services, conversation_state, memory, setup)
    try:
        yield Edge(adapter, bot, session, tokens, keys)
    finally:
        await session.close()
