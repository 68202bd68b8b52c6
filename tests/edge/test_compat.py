from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.integration.aiohttp import cloud_adapter as upstream
from botbuilder.schema import AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue
from msrest.universal_http.requests import ClientRetryPolicy

from bot import compat

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Done"}]}


class _CardBot(ActivityHandler):  # type: ignore[misc]
    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        return AdaptiveCardInvokeResponse(
            status_code=200, type="application/vnd.microsoft.card.adaptive", value=CARD
        )


class _Config:
    APP_ID = ""
    APP_PASSWORD = ""


@pytest.fixture
async def client() -> AsyncIterator[TestClient[web.Request, web.Application]]:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(_Config()))
    bot = _CardBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


def _execute_invoke() -> dict[str, Any]:
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": "invoke-1",
        "channelId": "msteams",
        "serviceUrl": "http://127.0.0.1:9/",
        "from": {"id": "29:user"},
        "recipient": {"id": "28:bot"},
        "conversation": {"id": "a:conversation"},
        "value": {"action": {"type": "Action.Execute", "verb": "x", "data": {}}},
    }


async def test_stock_cloud_adapter_still_answers_execute_with_500(
    client: TestClient[web.Request, web.Application], monkeypatch: pytest.MonkeyPatch
) -> None:
    # When this fails, upstream fixed the double serialization: delete the workaround.
    monkeypatch.setattr(upstream, "serializer_helper", compat.UPSTREAM_SERIALIZER)
    response = await client.post("/api/messages", json=_execute_invoke())
    assert response.status == 500


async def test_with_the_workaround_execute_answers_200_with_the_card(
    client: TestClient[web.Request, web.Application], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upstream, "serializer_helper", compat.UPSTREAM_SERIALIZER)
    assert compat.fix_invoke_response_serialization()
    response = await client.post("/api/messages", json=_execute_invoke())
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"] == CARD


def test_the_workaround_still_serializes_msrest_models_once() -> None:
    model = AdaptiveCardInvokeResponse(status_code=200, type="t", value={"a": 1})
    assert compat._serialize_once(model) == {"statusCode": 200, "type": "t", "value": {"a": 1}}
    assert compat._serialize_once({"already": "plain"}) == {"already": "plain"}


def test_the_upstream_adapter_still_serializes_the_invoke_body_itself() -> None:
    assert "serializer_helper(invoke_response.body)" in inspect.getsource(CloudAdapter.process)


def test_the_retry_policy_speed_up_keeps_the_retried_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ClientRetryPolicy, "safe_codes", list(ClientRetryPolicy.safe_codes))
    before = ClientRetryPolicy().policy.status_forcelist
    assert compat.speed_up_retry_policy()
    assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
    assert ClientRetryPolicy().policy.status_forcelist == before
    assert 500 in before
    assert 404 not in before
