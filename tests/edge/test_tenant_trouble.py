"""Tenant trouble in any turn gets a plain answer, and a throttled turn never outwaits Teams."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.handler import TURN_WAIT_BUDGET_SECONDS
from cards.actions import CALLERID_PICK, USER_ID
from sharedcalling.bootstrap import build_services
from sharedcalling.config import Settings
from sharedcalling.services import Services
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams, activity, execute_invoke, object_id, personal
from tests.fakes.fake_connector import FakeConnector
from tests.fakes.fake_graph import Fault, GraphStack, graph_stack


@asynccontextmanager
async def _teams(
    tmp_path: Path,
    connector: FakeConnector,
    open_services: Callable[..., Any] = build_services,
    **environ: str,
) -> AsyncIterator[Teams]:
    settings = edge_settings(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", **environ)
    app = create_app(settings, open_services=open_services)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield Teams(client, connector)


def _no_turn_errors(caplog: pytest.LogCaptureFixture) -> None:
    assert [r for r in caplog.records if r.name == "bot.turn_errors"] == []
    assert not any(r.exc_info for r in caplog.records), "no traceback for tenant trouble"


SLOW_DOWN = "Teams asked me to slow down. Please ask again in about 7 seconds."
UNREACHABLE = "I can't reach Teams right now. Please ask again in a minute."


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        ("get_user=throttle:1:7", SLOW_DOWN),
        ("get_user=fail:1:unavailable", UNREACHABLE),
        ("get_group=fail:1:unavailable", UNREACHABLE),
        ("get_user=fail:1:denied", "I'm not allowed to read this from Teams."),
    ],
)
async def test_trouble_while_finding_out_who_asks_gets_the_plain_answer(
    tmp_path: Path,
    connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
    faults: str,
    expected: str,
) -> None:
    async with _teams(tmp_path, connector, EMULATED_FAULTS=faults) as teams:
        reply = await teams.ask("adele", "which number do I call out as?")
        assert reply.text.startswith(expected)
        assert reply.cards == []
        again = await teams.ask("adele", "which number do I call out as?")
        assert "+1 425-555-0100" in again.text
    _no_turn_errors(caplog)


async def test_trouble_on_install_gets_the_plain_answer_and_the_welcome_comes_later(
    tmp_path: Path, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    install = activity(connector, "lee", personal("lee"), type="installationUpdate", action="add")
    async with _teams(tmp_path, connector, EMULATED_FAULTS="get_user=throttle:1:12") as teams:
        await teams.post(install)
        await teams.post(install)
    trouble, welcome = connector.messages()
    assert trouble.text == "Teams asked me to slow down. Please ask again in about 12 seconds."
    assert "Lee Gu" in welcome.text
    _no_turn_errors(caplog)


async def test_trouble_in_a_card_action_answers_the_card_plainly(
    tmp_path: Path, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    invoke = execute_invoke(connector, "megan", CALLERID_PICK, {USER_ID: object_id("adele")})
    async with _teams(tmp_path, connector, EMULATED_FAULTS="get_user=fail:1:unavailable") as teams:
        body = await (await teams.post(invoke, expect=200)).json()
    assert body["statusCode"] == 200
    assert "I can't reach Teams right now" in str(body["value"])
    assert connector.sent == []
    _no_turn_errors(caplog)


# --------------------------------------------------------------------------- the wait budget


def _graph_services(
    stack: GraphStack,
) -> Callable[[Settings], AbstractAsyncContextManager[Services]]:
    @asynccontextmanager
    async def open_services(settings: Settings) -> AsyncIterator[Services]:
        async with build_services(settings) as services:
            yield dataclasses.replace(services, tenant=stack.gateway)

    return open_services


@pytest.fixture
async def graph() -> AsyncIterator[GraphStack]:
    async with graph_stack(attempts=5) as stack:
        yield stack


async def test_a_throttled_turn_answers_with_the_wait_instead_of_waiting_past_its_budget(
    tmp_path: Path, connector: FakeConnector, graph: GraphStack
) -> None:
    graph.fake.inject(Fault("/users", status=429, retry_after=30, times=100))
    async with _teams(tmp_path, connector, _graph_services(graph)) as teams:
        reply = await teams.ask("adele", "help")
    assert reply.text == "Teams asked me to slow down. Please ask again in about 30 seconds."
    assert graph.sleeps == [], f"nothing was waited for (budget {TURN_WAIT_BUDGET_SECONDS} s)"


async def test_a_short_throttle_within_the_budget_is_waited_out(
    tmp_path: Path, connector: FakeConnector, graph: GraphStack
) -> None:
    graph.fake.inject(Fault("/users", status=429, retry_after=1, times=2))
    async with _teams(tmp_path, connector, _graph_services(graph)) as teams:
        reply = await teams.ask("adele", "help")
    assert "help" in reply.text
    assert graph.sleeps
    assert set(graph.sleeps) == {1.0}


async def test_throttle_waits_add_up_against_one_budget_per_turn(
    tmp_path: Path, connector: FakeConnector, graph: GraphStack
) -> None:
    graph.fake.inject(Fault("/users", status=429, retry_after=2, times=100))
    async with _teams(tmp_path, connector, _graph_services(graph)) as teams:
        reply = await teams.ask("adele", "help")
    assert "again in about 2 seconds" in reply.text
    assert sum(graph.sleeps) <= TURN_WAIT_BUDGET_SECONDS
    assert graph.sleeps == [2.0, 2.0]
