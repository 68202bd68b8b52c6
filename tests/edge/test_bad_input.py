"""Bad input gets a clear message and changes nothing: malformed, forged, replayed, oversize."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from cards.actions import CALLERID_PICK, USER_ID
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams, activity, execute_invoke, message, object_id, personal
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
    assert "+1 425-555-0142" not in text
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
    assert "+1 425-555-0142" not in str(body)


async def test_a_replayed_card_action_gives_the_same_answer(
    teams: Teams, connector: FakeConnector
) -> None:
    click = execute_invoke(connector, "megan", CALLERID_PICK, {USER_ID: object_id("adele")})
    first = await (await teams.post(click, expect=200)).json()
    second = await (await teams.post(click, expect=200)).json()
    assert first == second
    assert "+1 425-555-0100" in str(first)


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
