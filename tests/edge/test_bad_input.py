"""Bad input gets a clear message and changes nothing: malformed, forged, replayed, oversize."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import TurnContext
from botbuilder.schema import AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue

from app import SERVICES, create_app
from bot.handler import ChatOpsBot
from cards.actions import CALLERID_PICK, USER_ID
from cards.text import unbroken
from sharedcalling.config import DEMO_TENANT_ID
from sharedcalling.domain.ids import TenantId
from tests.edge.conftest import edge_settings
from tests.edge.teams import (
    CHANNEL,
    Teams,
    activity,
    execute_invoke,
    message,
    object_id,
    personal,
)
from tests.fakes.fake_connector import FakeConnector


async def test_a_body_that_is_not_json_is_refused_and_nothing_is_sent(
    teams: Teams, connector: FakeConnector
) -> None:
    response = await teams.client.post(
        "/api/messages", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status < 500
    assert connector.sent == []


async def test_a_body_that_is_not_an_activity_is_refused(
    teams: Teams, connector: FakeConnector
) -> None:
    response = await teams.client.post("/api/messages", json=["not", "an", "activity"])
    assert 400 <= response.status < 500
    assert connector.sent == []


async def test_a_message_without_an_entra_object_id_gets_no_answer_about_anyone(
    teams: Teams, connector: FakeConnector
) -> None:
    body = message(connector, "adele", "which number do I call out as?")
    del body["from"]["aadObjectId"]
    await teams.post(body)
    [reply] = connector.sent
    assert reply.cards == []
    assert "+1" not in (reply.text or "")


async def test_an_oversize_name_is_refused_with_a_reason_and_no_card(teams: Teams) -> None:
    reply = await teams.ask("megan", "which number does " + "x" * 5000 + " call out as?")
    assert reply.cards == []
    assert "too long" in (reply.text or "")


async def test_a_forged_card_action_for_someone_else_is_refused_for_a_non_admin(
    teams: Teams, connector: FakeConnector
) -> None:
    forged = execute_invoke(connector, "adele", CALLERID_PICK, {USER_ID: object_id("lee")})
    response = await teams.post(forged, expect=200)
    body = await response.json()
    text = str(body)
    assert "0142" not in text  # Lee's number, in any spelling
    assert "only ask about yourself" in text


async def test_identity_comes_from_the_activity_not_from_card_data(
    teams: Teams, connector: FakeConnector
) -> None:
    # A card payload claiming to be an admin changes nothing: the sender is still Adele.
    forged = execute_invoke(
        connector,
        "adele",
        CALLERID_PICK,
        {USER_ID: object_id("lee"), "aadObjectId": object_id("megan"), "roles": ["admin"]},
    )
    body = await (await teams.post(forged, expect=200)).json()
    assert "0142" not in str(body)


async def test_a_replayed_card_action_gives_the_same_answer(
    teams: Teams, connector: FakeConnector
) -> None:
    click = execute_invoke(connector, "megan", CALLERID_PICK, {USER_ID: object_id("adele")})
    first = await (await teams.post(click, expect=200)).json()
    second = await (await teams.post(click, expect=200)).json()
    assert first == second
    assert unbroken("+1 425-555-0100") in json.dumps(first, ensure_ascii=False)


async def test_an_unknown_card_action_is_a_bad_request_not_a_crash(
    teams: Teams, connector: FakeConnector
) -> None:
    unknown = execute_invoke(connector, "megan", "approval.approve_everything", {})
    body = await (await teams.post(unknown, expect=200)).json()
    assert body["statusCode"] == 400


async def test_a_message_with_no_text_gets_the_help_pointer(
    teams: Teams, connector: FakeConnector
) -> None:
    await teams.post(activity(connector, "adele", personal("adele"), text=None))
    [reply] = connector.sent
    assert "help" in (reply.text or "").lower()


@pytest.fixture
async def throttled_teams(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[Teams]:
    settings = edge_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", EMULATED_FAULTS="snapshot=throttle:1:7"
    )
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        yield Teams(client, connector)


async def test_a_throttled_tenant_read_tells_the_asker_when_to_try_again(
    throttled_teams: Teams,
) -> None:
    reply = await throttled_teams.ask("adele", "which number do I call out as?")
    assert reply.cards == []
    assert "again in about 7 seconds" in (reply.text or "")
    retry = await throttled_teams.ask("adele", "which number do I call out as?")
    assert "+1 425-555-0100" in (retry.text or "")


async def test_an_oversize_body_is_refused_before_it_is_read_into_an_activity(
    teams: Teams, connector: FakeConnector
) -> None:
    huge = message(connector, "adele", "which number do I call out as? " + "x" * 2_000_000)
    response = await teams.client.post(
        "/api/messages",
        data=io.BytesIO(json.dumps(huge).encode()),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 413
    assert connector.sent == []


# --------------------------------------------------------------------------- malformed activities


async def _refused(teams: Teams, caplog: pytest.LogCaptureFixture, body: Any, status: int) -> str:
    """Post `body` (JSON-encoded unless bytes); assert a short JSON refusal, logged once."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = await teams.client.post(
        "/api/messages", data=data, headers={"Content-Type": "application/json"}
    )
    assert response.status == status
    answer = await response.json()
    assert set(answer) == {"error"}
    assert len(answer["error"]) < 200
    assert "Traceback" not in answer["error"]
    refusals = [r for r in caplog.records if r.name == "bot.adapter"]
    assert len(refusals) == 1, [r.getMessage() for r in refusals]
    assert teams.connector.attempts == []
    assert teams.connector.unmatched == []
    assert await _remembered(teams, body) is None, "no turn ran: its conversation is not stored"
    return str(answer["error"])


async def _remembered(teams: Teams, body: Any) -> object:
    """The stored reference of `body`'s conversation (every turn of our tenant stores one)."""
    conversation = body.get("conversation") if isinstance(body, dict) else None
    conversation_id = conversation.get("id") if isinstance(conversation, dict) else None
    if not isinstance(conversation_id, str):
        return None
    async with teams.client.app[SERVICES].uow() as work:
        return await work.conversations.get(TenantId(DEMO_TENANT_ID), conversation_id)


async def test_a_body_without_a_content_type_gets_415_logged_once(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(message(teams.connector, "lee", "help")).encode()
    response = await teams.client.post(
        "/api/messages", data=body, skip_auto_headers=["Content-Type"]
    )
    assert response.status == 415
    assert "application/json" in (await response.json())["error"]
    [refusal] = [r for r in caplog.records if r.name == "bot.adapter"]
    assert "Content-Type" in refusal.getMessage()
    assert teams.connector.attempts == []


async def test_deeply_nested_json_gets_400_not_a_recursion_error(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    await _refused(teams, caplog, b"[" * 100_000, 400)


async def test_json_nested_past_the_documented_depth_gets_400(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    nested: Any = {"leaf": 1}
    for _ in range(40):
        nested = {"inner": nested}
    body = message(teams.connector, "lee", "help", value=nested)
    assert "nested deeper than 32" in await _refused(teams, caplog, body, 400)


WRONG_TYPES: dict[str, dict[str, Any]] = {
    "timestamp": {"timestamp": "x"},
    "entities": {"entities": "x"},
    "membersAdded": {"type": "conversationUpdate", "membersAdded": [1]},
    "from": {"from": "x"},
    "text": {"text": 5},
    "conversation id": {"conversation": {"id": 5}},
    "channelId": {"channelId": ["msteams"]},
    "attachments": {"attachments": [{"contentType": 1}]},
}


@pytest.mark.parametrize("field", list(WRONG_TYPES))
async def test_a_field_of_the_wrong_type_gets_400_naming_it(
    teams: Teams, caplog: pytest.LogCaptureFixture, field: str
) -> None:
    body = {**message(teams.connector, "lee", "help"), **WRONG_TYPES[field]}
    await _refused(teams, caplog, body, 400)


INVOKE_VALUES = {
    "no value": None,
    "value not an object": "x",
    "no action": {"trigger": "manual"},
    "action not an object": {"action": "callerid.pick"},
}


@pytest.mark.parametrize("case", list(INVOKE_VALUES))
async def test_a_card_action_invoke_without_an_action_object_gets_400(
    teams: Teams, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    invoke = execute_invoke(teams.connector, "megan", CALLERID_PICK, {})
    invoke["value"] = INVOKE_VALUES[case]
    if invoke["value"] is None:
        del invoke["value"]
    await _refused(teams, caplog, invoke, 400)


NOT_EXECUTE = {
    "type not a string": {"type": 5},
    "Action.Submit": {"type": "Action.Submit"},
    "no type": {"verb": CALLERID_PICK},
}


@pytest.mark.parametrize("case", list(NOT_EXECUTE))
async def test_a_card_action_invoke_that_is_not_action_execute_gets_400(
    teams: Teams, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    # botbuilder answered these with an Exception in the body, which no JSON writer takes: the
    # adapter then raised, and aiohttp answered a plain-text 500.
    invoke = execute_invoke(teams.connector, "megan", CALLERID_PICK, {})
    invoke["value"] = {"action": NOT_EXECUTE[case], "trigger": "manual"}
    assert "Action.Execute" in await _refused(teams, caplog, invoke, 400)


UNHANDLED_INVOKES = [
    "composeExtension/query", "composeExtension/submitAction", "composeExtension/queryLink",
    "composeExtension/fetchTask", "task/fetch", "task/submit", "fileConsent/invoke",
    "actionableMessage/executeAction", "tab/fetch", "config/fetch", "signin/verifyState", None,
]  # fmt: skip


@pytest.mark.parametrize("value", ["x", [1], {"commandId": "search"}], ids=["str", "list", "obj"])
@pytest.mark.parametrize("name", UNHANDLED_INVOKES)
async def test_an_invoke_the_bot_does_not_handle_gets_501_before_any_turn(
    teams: Teams, caplog: pytest.LogCaptureFixture, name: str | None, value: Any
) -> None:
    # botbuilder read these values with msrest and raised DeserializationError: a 500.
    invoke = activity(teams.connector, "megan", personal("megan"), type="invoke", value=value)
    if name is not None:
        invoke["name"] = name
    assert "does not handle this invoke" in await _refused(teams, caplog, invoke, 501)


async def test_an_answer_the_bot_cannot_write_is_a_json_500_logged_once(
    teams: Teams, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unwritable(
        self: ChatOpsBot, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        # As botbuilder's own error answers are: an Exception where JSON should be.
        return AdaptiveCardInvokeResponse(
            status_code=400, type="application/vnd.microsoft.error", value=Exception("x", "y")
        )

    monkeypatch.setattr(ChatOpsBot, "on_adaptive_card_invoke", unwritable)
    click = execute_invoke(teams.connector, "megan", CALLERID_PICK, {USER_ID: object_id("adele")})
    response = await teams.client.post("/api/messages", json=click)
    assert response.status == 500
    assert await response.json() == {"error": "The bot could not answer."}
    [logged] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged.name == "bot.adapter"
    assert "Could not write the invoke response" in logged.getMessage()


CHANNEL_DATA = {"team": "x", "channel": [1], "settings": "x", "tenant": [1], "whole": "x"}


@pytest.mark.parametrize("kind", ["conversationUpdate", "messageUpdate", "messageDelete"])
@pytest.mark.parametrize("key", list(CHANNEL_DATA))
async def test_channel_data_of_the_wrong_shape_gets_400_naming_the_field(
    teams: Teams, caplog: pytest.LogCaptureFixture, kind: str, key: str
) -> None:
    # botbuilder reads channelData with msrest for these types: a traceback and an apology.
    body = activity(teams.connector, "megan", CHANNEL, type=kind, text="edited")
    if key == "whole":
        body["channelData"] = CHANNEL_DATA[key]
    else:
        body["channelData"][key] = CHANNEL_DATA[key]
    error = await _refused(teams, caplog, body, 400)
    assert f"channelData{'' if key == 'whole' else '.' + key} is not an object" in error


UNSAFE_IDS = {
    "dot-dot conversation": ("conversation", ".."),
    "dot conversation": ("conversation", "."),
    "NUL in conversation": ("conversation", "a:personal\x00lee"),
    "NUL in sender": ("from", "29:lee\x00"),
    "newline in recipient": ("recipient", "28:bot\nFAKE"),
    "empty conversation": ("conversation", ""),
}


@pytest.mark.parametrize("case", list(UNSAFE_IDS))
async def test_an_id_that_could_rewrite_a_url_or_break_a_database_write_gets_400(
    teams: Teams, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    where, value = UNSAFE_IDS[case]
    body = message(teams.connector, "lee", "help")
    body[where] = {**body[where], "id": value}
    await _refused(teams, caplog, body, 400)


@pytest.mark.parametrize(
    "service_url", [None, "", "ftp://127.0.0.1/", "not a url", "http://u@127.0.0.1/"]
)
async def test_an_activity_without_a_usable_service_url_gets_400(
    teams: Teams, caplog: pytest.LogCaptureFixture, service_url: str | None
) -> None:
    body = message(teams.connector, "lee", "help", serviceUrl=service_url)
    if service_url is None:
        del body["serviceUrl"]
    await _refused(teams, caplog, body, 400)


async def test_a_huge_run_of_mention_tags_is_answered_at_once_without_parsing(
    teams: Teams,
) -> None:
    reply = await teams.ask("lee", "<at>" * 28_000)
    assert "too long" in reply.text
    assert "2,000 characters" in reply.text
    health = await teams.client.get("/healthz")
    assert health.status == 200


async def test_an_echoed_query_is_shown_as_typed_never_as_a_link(teams: Teams) -> None:
    reply = await teams.ask("megan", "caller id for [click here](https://evil.example/x)")
    assert "[click here](" not in reply.text
    assert "\\[click here\\]\\(https://evil.example/x\\)" in reply.text
