from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import SERVICES, create_app
from cards.text import unbroken
from sharedcalling.correlation import CorrelationFilter
from tests.edge.conftest import edge_settings
from tests.edge.teams import (
    BOT_ID,
    FOREIGN_TENANT_ID,
    Teams,
    activity,
    execute_invoke,
    message,
    personal,
)
from tests.fakes.fake_connector import FakeConnector


def _break_next_user_read(teams: Teams) -> None:
    """The next directory read fails with a bug-like error (not tenant trouble)."""
    tenant = teams.client.app[SERVICES].tenant
    real = tenant.get_user

    async def broken(key: str) -> Any:
        tenant.get_user = real  # type: ignore[method-assign]
        raise RuntimeError("a bug")

    tenant.get_user = broken  # type: ignore[method-assign]


def _install(connector: FakeConnector, person: str) -> dict[str, Any]:
    return activity(connector, person, personal(person), type="installationUpdate", action="add")


def _bot_added(connector: FakeConnector, person: str) -> dict[str, Any]:
    return activity(
        connector,
        person,
        personal(person),
        type="conversationUpdate",
        membersAdded=[{"id": BOT_ID}, {"id": f"29:{person}"}],
    )


async def test_installing_the_bot_welcomes_a_user_with_their_options(teams: Teams) -> None:
    await teams.post(_install(teams.connector, "adele"))
    [welcome] = teams.connector.messages()
    assert "Adele Vance" in welcome.text
    card = json.dumps(welcome.cards[0])
    assert "which number do I call out as?" in card
    assert "anyone" not in card
    assert "Approve" not in card


async def test_an_admin_is_welcomed_with_admin_options(teams: Teams) -> None:
    await teams.post(_install(teams.connector, "megan"))
    card = json.dumps(teams.connector.messages()[0].cards[0])
    assert "anyone" in card
    assert "Set up Shared Calling" in card


async def test_an_approver_is_told_about_approvals(teams: Teams) -> None:
    await teams.post(_install(teams.connector, "miriam"))
    card = json.dumps(teams.connector.messages()[0].cards[0])
    assert "Approve or reject" in card


async def test_the_bot_being_added_looks_up_the_other_members_and_leaves_welcome_to_install(
    teams: Teams,
) -> None:
    await teams.post(_bot_added(teams.connector, "lee"))
    assert teams.connector.member_lookups == ["29:lee"]
    assert teams.connector.messages() == []


async def test_install_and_add_together_welcome_once(teams: Teams) -> None:
    await teams.post(_install(teams.connector, "lee"))
    await teams.post(_bot_added(teams.connector, "lee"))
    assert len(teams.connector.messages()) == 1


async def test_install_and_add_arriving_at_once_welcome_once(teams: Teams) -> None:
    # The Agents Playground (like Teams) sends both activities at the same moment.
    await asyncio.gather(
        teams.post(_install(teams.connector, "lee")),
        teams.post(_bot_added(teams.connector, "lee")),
    )
    assert len(teams.connector.messages()) == 1


async def test_help_lists_what_the_person_can_do(teams: Teams) -> None:
    reply = await teams.ask("lee", "help")
    assert "help" in reply.text
    assert "which number do I call out as?" in json.dumps(reply.cards[0])


async def test_an_unknown_message_points_to_help(teams: Teams) -> None:
    reply = await teams.ask("lee", "make me a sandwich")
    assert "**help**" in reply.text
    assert reply.cards == []


async def test_a_foreign_tenant_is_refused_politely(teams: Teams) -> None:
    foreign = message(teams.connector, "megan", "caller id", tenant_id=FOREIGN_TENANT_ID)
    await teams.post(foreign)
    [reply] = teams.connector.sent
    assert reply.text == "This bot serves only its own tenant."
    assert reply.cards == []


async def test_a_message_without_a_tenant_is_refused(teams: Teams) -> None:
    await teams.post(message(teams.connector, "megan", "caller id", tenant_id=None))
    assert [s.text for s in teams.connector.sent] == ["This bot serves only its own tenant."]


async def test_a_foreign_tenant_card_action_is_forbidden(teams: Teams) -> None:
    invoke = execute_invoke(teams.connector, "megan", "callerid.pick", {"userId": "x"})
    invoke["channelData"]["tenant"]["id"] = FOREIGN_TENANT_ID
    body = await (await teams.post(invoke, expect=200)).json()
    assert body["statusCode"] == 403
    assert teams.connector.sent == []


async def test_someone_not_in_the_directory_is_told_so(teams: Teams) -> None:
    stranger = message(teams.connector, "lee", "caller id")
    stranger["from"]["aadObjectId"] = "00000000-0000-4000-8000-000000000999"
    await teams.post(stranger)
    [reply] = teams.connector.sent
    assert "can't find you" in reply.text


async def test_a_failing_turn_apologises_with_the_activity_id_and_logs_it(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(CorrelationFilter())
    _break_next_user_read(teams)
    question = message(teams.connector, "lee", "my secret question about caller id")
    await teams.post(question)
    [reply] = teams.connector.sent
    assert reply.text == f"Sorry, something went wrong (reference {question['id']})."
    failures = [r for r in caplog.records if r.name == "bot.turn_errors"]
    assert failures
    assert failures[0].correlation_id == question["id"]  # type: ignore[attr-defined]
    assert failures[0].exc_info is not None
    assert "secret question" not in caplog.text


async def test_the_bot_answers_again_after_a_failed_turn(teams: Teams) -> None:
    _break_next_user_read(teams)
    await teams.say("lee", "caller id")
    reply = await teams.ask("lee", "caller id")
    assert reply.cards[0]["body"][1]["text"] == unbroken("+1 425-555-0142")


async def test_conversation_state_survives_a_restart(
    database_url: str, connector: FakeConnector
) -> None:
    for _ in range(2):
        app = create_app(edge_settings(database_url))
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            response = await client.post("/api/messages", json=_install(connector, "joni"))
            assert response.status == 201
    # The second app read the "welcomed" flag the first one wrote to the database.
    assert len(connector.messages()) == 1


async def test_healthz_reports_ok_after_a_database_ping(teams: Teams) -> None:
    response = await teams.client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_with_an_app_id_an_unauthenticated_request_is_refused(
    database_url: str, connector: FakeConnector
) -> None:
    settings = edge_settings(
        database_url, MicrosoftAppId="6d2f0c2e-0000-4000-8000-000000000001",
        MicrosoftAppPassword="not-a-real-secret",
    )  # fmt: skip
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        response = await client.post("/api/messages", json=message(connector, "lee", "help"))
    assert response.status == 401
    assert connector.sent == []


async def test_a_failing_card_action_answers_500_and_apologises(teams: Teams) -> None:
    _break_next_user_read(teams)
    invoke = execute_invoke(teams.connector, "megan", "callerid.pick", {"userId": "x"})
    await teams.post(invoke, expect=500)
    [reply] = teams.connector.sent
    assert reply.text == f"Sorry, something went wrong (reference {invoke['id']})."
