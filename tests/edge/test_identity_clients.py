"""The bot's sign-in clients over real HTTP: signing keys (OpenID) and its own tokens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.openid import KeysUnavailable, OpenIdKeys
from bot.tokens import BotTokenSource, TokenUnavailable, client_credentials, managed_identity
from tests.fakes.fake_bot_identity import (
    APP_ID,
    APP_PASSWORD,
    FakeBotIdentity,
    new_key,
    running_identity,
)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def identity() -> AsyncIterator[FakeBotIdentity]:
    async with running_identity() as fake:
        yield fake


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def test_a_rotated_key_is_found_once_the_refresh_interval_has_passed(
    identity: FakeBotIdentity, session: aiohttp.ClientSession
) -> None:
    clock = _Clock()
    keys = OpenIdKeys(identity.metadata_url, lambda: session, refresh_interval=60, clock=clock)
    assert (await keys.key("key-1")) is not None
    identity.keys["key-2"] = new_key()
    assert await keys.key("key-2") is None, "unknown kids do not refetch at once"
    clock.now += 61
    found = await keys.key("key-2")
    assert found is not None
    assert found.endorsements == frozenset({"msteams"})
    assert identity.metadata_fetches == 2


async def test_keys_are_kept_past_their_lifetime_while_the_host_is_down(
    identity: FakeBotIdentity, session: aiohttp.ClientSession
) -> None:
    clock = _Clock()
    keys = OpenIdKeys(identity.metadata_url, lambda: session, ttl=100, failure_ttl=30, clock=clock)
    assert await keys.key("key-1") is not None
    identity.fail_metadata = 10
    clock.now += 101
    assert await keys.key("key-1") is not None, "stale keys beat no keys"
    clock.now += 10
    assert await keys.key("key-1") is not None
    assert identity.metadata_fetches == 2, "the failure is remembered for 30 s"
    clock.now += 31
    identity.fail_metadata = 0
    assert await keys.key("key-1") is not None
    assert identity.metadata_fetches == 3


async def test_without_any_keys_a_failing_host_makes_tokens_uncheckable(
    identity: FakeBotIdentity, session: aiohttp.ClientSession
) -> None:
    identity.fail_metadata = 1
    keys = OpenIdKeys(identity.metadata_url, lambda: session)
    with pytest.raises(KeysUnavailable):
        await keys.key("key-1")


async def test_a_metadata_host_that_does_not_answer_times_out_and_is_not_asked_again_at_once(
    identity: FakeBotIdentity, session: aiohttp.ClientSession
) -> None:
    identity.hold = asyncio.Event()
    keys = OpenIdKeys(identity.metadata_url, lambda: session, timeout=0.2, failure_ttl=30)
    started = time.perf_counter()
    with pytest.raises(KeysUnavailable):
        await keys.key("key-1")
    assert time.perf_counter() - started < 1.0
    started = time.perf_counter()
    with pytest.raises(KeysUnavailable):
        await keys.key("key-1")
    assert time.perf_counter() - started < 0.1, "the failure is remembered"
    assert identity.metadata_fetches == 1


@pytest.fixture
async def stuck_token_url() -> AsyncIterator[tuple[str, list[str]]]:
    """A token endpoint that takes requests and never answers; the list counts them."""
    received: list[str] = []
    never = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        received.append(request.path)
        await never.wait()  # set when the test is over
        return web.Response(status=503)

    app = web.Application()
    app.router.add_post("/{tenant}/oauth2/v2.0/token", hang)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/"), received
    finally:
        never.set()
        await server.close()


async def test_a_token_endpoint_that_never_answers_times_out_and_the_failure_is_remembered(
    stuck_token_url: tuple[str, list[str]], session: aiohttp.ClientSession
) -> None:
    url, received = stuck_token_url
    clock = _Clock()
    request = client_credentials(url, "", APP_ID, APP_PASSWORD)
    tokens = BotTokenSource(request, lambda: session, timeout=0.2, failure_ttl=5, clock=clock)
    started = time.perf_counter()
    with pytest.raises(TokenUnavailable) as timed_out:
        await tokens.token()
    assert time.perf_counter() - started < 1.0
    assert "TimeoutError" in str(timed_out.value)
    started = time.perf_counter()
    for _ in range(3):
        with pytest.raises(TokenUnavailable):
            await tokens.token()
    assert time.perf_counter() - started < 0.1, "the failure is remembered, not retried"
    assert len(received) == 1
    clock.now += 6
    with pytest.raises(TokenUnavailable):
        await tokens.token()
    assert len(received) == 2


async def test_client_credential_tokens_are_cached_until_shortly_before_they_expire(
    identity: FakeBotIdentity, session: aiohttp.ClientSession
) -> None:
    clock = _Clock()
    request = client_credentials(identity.url, "", APP_ID, APP_PASSWORD)
    tokens = BotTokenSource(request, lambda: session, clock=clock)
    assert await tokens.token() == "outbound-token-1"
    clock.now += 3000
    assert await tokens.token() == "outbound-token-1"
    clock.now += 400  # within five minutes of the hour
    assert await tokens.token() == "outbound-token-2"
    assert [r["client_id"] for r in identity.token_requests] == [APP_ID, APP_ID]


async def test_a_single_tenant_bot_signs_in_at_its_own_tenant(
    identity: FakeBotIdentity,
) -> None:
    request = client_credentials(identity.url, "8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b", APP_ID, "x")
    assert request.url == f"{identity.url}/8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b/oauth2/v2.0/token"
    assert client_credentials(identity.url, "", APP_ID, "x").url.endswith(
        "/botframework.com/oauth2/v2.0/token"
    )


async def test_a_managed_identity_token_comes_from_the_metadata_endpoint(
    identity: FakeBotIdentity, session: aiohttp.ClientSession
) -> None:
    request = managed_identity(APP_ID, endpoint=f"{identity.url}/metadata/identity/oauth2/token")
    tokens = BotTokenSource(request, lambda: session)
    assert await tokens.token() == "outbound-token-1"
    [asked] = identity.token_requests
    assert asked["resource"] == "https://api.botframework.com"
    assert asked["client_id"] == APP_ID


async def test_a_refused_sign_in_is_remembered_briefly_and_names_no_secret(
    identity: FakeBotIdentity, session: aiohttp.ClientSession
) -> None:
    clock = _Clock()
    request = client_credentials(identity.url, "", APP_ID, "the-wrong-secret")
    tokens = BotTokenSource(request, lambda: session, failure_ttl=5, clock=clock)
    for _ in range(3):
        with pytest.raises(TokenUnavailable) as refused:
            await tokens.token()
        assert "HTTP 401" in str(refused.value)
        assert "the-wrong-secret" not in str(refused.value)
    assert len(identity.token_requests) == 1
    clock.now += 6
    with pytest.raises(TokenUnavailable):
        await tokens.token()
    assert len(identity.token_requests) == 2
