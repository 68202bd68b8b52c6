"""With an app id, every activity must carry a valid Bot Connector token; forgeries get 401."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import Activity

from app import SERVICES, create_app
from bot.welcome import welcome_key
from sharedcalling.correlation import CorrelationFilter
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams, activity, message, personal, until
from tests.fakes.fake_bot_identity import (
    APP_ID,
    APP_PASSWORD,
    FakeBotIdentity,
    authenticated_environment,
    claims_of,
    hmac_signed,
    new_key,
    public_pem,
    running_identity,
    unsigned,
)
from tests.fakes.fake_connector import FakeConnector


@pytest.fixture
async def identity() -> AsyncIterator[FakeBotIdentity]:
    async with running_identity() as fake:
        yield fake


@pytest.fixture
async def teams(
    tmp_path: Path, connector: FakeConnector, identity: FakeBotIdentity
) -> AsyncIterator[Teams]:
    settings = edge_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", **authenticated_environment(identity)
    )
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        yield Teams(client, connector)


def _install(connector: FakeConnector, person: str = "lee") -> dict[str, Any]:
    return activity(connector, person, personal(person), type="installationUpdate", action="add")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_valid_token_is_accepted_and_replies_carry_the_bots_own_token(
    teams: Teams, identity: FakeBotIdentity
) -> None:
    token = identity.channel_token(teams.connector.url)
    await teams.post(message(teams.connector, "lee", "help"), headers=_bearer(token))
    await teams.post(message(teams.connector, "adele", "help"), headers=_bearer(token))
    first, second = teams.connector.sent
    assert first.headers["Authorization"] == "Bearer outbound-token-1"
    assert second.headers["Authorization"] == "Bearer outbound-token-1", "the token is reused"
    assert first.headers["User-Agent"].startswith("Microsoft-BotFramework/3.1 (BotBuilder Python/")
    [request] = identity.token_requests
    assert request == {
        "grant_type": "client_credentials", "client_id": APP_ID,
        "client_secret": APP_PASSWORD, "scope": "https://api.botframework.com/.default",
    }  # fmt: skip


def _forgeries(identity: FakeBotIdentity, url: str) -> dict[str, str]:
    good = identity.channel_token(url)
    claims = claims_of(good)
    now = int(time.time())
    pem = public_pem(identity.keys["key-1"])
    return {
        "garbage": "garbage",
        "wrong signature": identity.channel_token(url, key=new_key()),
        "expired": identity.channel_token(url, exp=now - 3600, nbf=now - 7200),
        "not yet valid": identity.channel_token(url, nbf=now + 3600),
        "unknown key id": identity.channel_token(url, key_id="key-9", key=new_key()),
        "alg none": unsigned(claims, {"alg": "none", "typ": "JWT", "kid": "key-1"}),
        "HS256 keyed with the public key": hmac_signed(
            claims, {"alg": "HS256", "kid": "key-1"}, pem
        ),
        "wrong audience": identity.channel_token(url, aud="someone-else"),
        "wrong issuer": identity.channel_token(url, iss="https://evil.example"),
        "no expiry": identity.channel_token(url, exp=None),
        "another serviceUrl": identity.channel_token("https://smba.example/amer/"),
        "no serviceUrl": identity.channel_token(url, serviceurl=None),
        "tampered payload": _with_payload(good, {**claims, "aud": "someone-else"}),
    }  # fmt: skip


def _with_payload(token: str, claims: dict[str, Any]) -> str:
    """`token` with its payload swapped and its signature kept."""
    header, _, signature = token.split(".")
    return ".".join((header, unsigned(claims, {}).split(".")[1], signature))


FORGERIES = [
    "garbage", "wrong signature", "expired", "not yet valid", "unknown key id", "alg none",
    "HS256 keyed with the public key", "wrong audience", "wrong issuer", "no expiry",
    "another serviceUrl", "no serviceUrl", "tampered payload",
]  # fmt: skip


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_a_forged_token_gets_401_no_reply_no_state_and_a_log_line_without_the_token(
    teams: Teams, identity: FakeBotIdentity, caplog: pytest.LogCaptureFixture, forgery: str
) -> None:
    caplog.handler.addFilter(CorrelationFilter())
    token = _forgeries(identity, teams.connector.url)[forgery]
    install = _install(teams.connector)
    response = await teams.post(install, headers=_bearer(token), expect=401)
    assert await response.json() == {"error": "Unauthorized."}
    assert teams.connector.attempts == [], "nothing was sent anywhere"
    services = teams.client.app[SERVICES]
    assert await services.bot_state.read([welcome_key(Activity().deserialize(install))]) == {}
    [refusal] = [r for r in caplog.records if r.name == "bot.adapter"]
    assert refusal.correlation_id == install["id"]  # type: ignore[attr-defined]
    assert token not in caplog.text
    # The same install with a valid token does change state: the refusal was the token's doing.
    await teams.post(install, headers=_bearer(identity.channel_token(teams.connector.url)))
    assert len(teams.connector.messages()) == 1


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "x" * 20])
async def test_a_missing_or_non_bearer_authorization_gets_401(
    teams: Teams, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = await teams.post(
        message(teams.connector, "lee", "help"), headers=headers, expect=401
    )
    assert await response.json() == {"error": "Unauthorized."}
    assert teams.connector.attempts == []


async def test_a_key_not_endorsed_for_the_channel_is_refused(
    teams: Teams, identity: FakeBotIdentity
) -> None:
    token = identity.channel_token(teams.connector.url)
    webchat = message(teams.connector, "lee", "help", channelId="webchat")
    await teams.post(webchat, headers=_bearer(token), expect=401)
    assert teams.connector.attempts == []


async def test_a_slow_metadata_host_never_blocks_the_bot_and_is_asked_once(
    teams: Teams, identity: FakeBotIdentity
) -> None:
    identity.hold = asyncio.Event()
    forged = [identity.channel_token(teams.connector.url, key=new_key()) for _ in range(5)]
    pending = [
        asyncio.ensure_future(
            teams.client.post("/api/messages", json=message(teams.connector, "lee", "help"),
                              headers=_bearer(token))
        )
        for token in forged
    ]  # fmt: skip
    await until(lambda: identity.metadata_fetches > 0)
    health = await asyncio.wait_for(teams.client.get("/healthz"), timeout=5)
    assert health.status == 200, "the event loop answers while the keys are being fetched"
    assert not any(p.done() for p in pending)
    identity.hold.set()
    statuses = [(await p).status for p in pending]
    assert statuses == [401] * 5
    assert identity.metadata_fetches == 1, "the five validations shared one fetch"


async def test_a_failing_metadata_host_gives_503_and_is_not_asked_again_at_once(
    teams: Teams, identity: FakeBotIdentity
) -> None:
    identity.fail_metadata = 100
    token = identity.channel_token(teams.connector.url)
    for _ in range(3):
        response = await teams.post(message(teams.connector, "lee", "help"),
                                    headers=_bearer(token), expect=503)  # fmt: skip
        assert await response.json() == {"error": "Cannot authenticate now."}
    assert identity.metadata_fetches == 1, "the failure is remembered"
    assert teams.connector.attempts == []


async def test_tokens_with_random_key_ids_do_not_make_the_bot_hammer_the_key_host(
    teams: Teams, identity: FakeBotIdentity
) -> None:
    await teams.post(message(teams.connector, "lee", "help"),
                     headers=_bearer(identity.channel_token(teams.connector.url)))  # fmt: skip
    for _ in range(10):
        token = identity.channel_token(teams.connector.url, key_id=uuid.uuid4().hex, key=new_key())
        await teams.post(
            message(teams.connector, "lee", "help"), headers=_bearer(token), expect=401
        )
    assert identity.jwks_fetches <= 2


async def test_a_bot_that_cannot_get_its_own_token_answers_nobody_and_logs_no_secret(
    tmp_path: Path,
    connector: FakeConnector,
    identity: FakeBotIdentity,
    caplog: pytest.LogCaptureFixture,
) -> None:
    environment = {**authenticated_environment(identity), "MicrosoftAppPassword": "wrong-secret"}
    settings = edge_settings(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", **environment)
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        token = identity.channel_token(connector.url)
        response = await client.post("/api/messages", json=message(connector, "lee", "help"),
                                     headers=_bearer(token))  # fmt: skip
    assert response.status == 201
    assert connector.attempts == []
    assert "could not get a Bot Connector token (HTTP 401)" in caplog.text
    assert "wrong-secret" not in caplog.text
