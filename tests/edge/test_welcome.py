"""One welcome per conversation, also when Teams sends several installs at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from tests.db import DIALECTS, Dialect, migrated_database
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams, activity, personal
from tests.fakes.fake_connector import FakeConnector


def _install(connector: FakeConnector, person: str) -> dict[str, Any]:
    return activity(connector, person, personal(person), type="installationUpdate", action="add")


@pytest.fixture(params=DIALECTS)
async def teams_on(
    request: pytest.FixtureRequest, tmp_path: Path, connector: FakeConnector
) -> AsyncIterator[Teams]:
    dialect: Dialect = request.param
    async with migrated_database(dialect, tmp_path) as url:
        app = create_app(edge_settings(url))
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            yield Teams(client, connector)


@pytest.mark.parametrize("installs", [2, 3, 5])
async def test_simultaneous_installs_welcome_exactly_once(teams_on: Teams, installs: int) -> None:
    await asyncio.gather(
        *(teams_on.post(_install(teams_on.connector, "lee")) for _ in range(installs))
    )
    assert len(teams_on.connector.messages()) == 1
    await teams_on.post(_install(teams_on.connector, "lee"))
    assert len(teams_on.connector.messages()) == 1, "a reinstall is not welcomed again"


async def test_each_conversation_gets_its_own_welcome(teams_on: Teams) -> None:
    await asyncio.gather(
        *(teams_on.post(_install(teams_on.connector, p)) for p in ("lee", "adele", "megan"))
    )
    assert sorted(s.conversation_id for s in teams_on.connector.messages()) == [
        "a:personal-adele", "a:personal-lee", "a:personal-megan",
    ]  # fmt: skip


async def test_a_welcome_that_could_not_be_sent_is_tried_again_on_the_next_install(
    teams: Teams,
) -> None:
    teams.connector.fail(400, times=2)  # the welcome, then the apology of the failed turn
    await teams.post(_install(teams.connector, "lee"))
    assert teams.connector.messages() == []
    await teams.post(_install(teams.connector, "lee"))
    [welcome] = teams.connector.messages()
    assert "Lee Gu" in welcome.text
