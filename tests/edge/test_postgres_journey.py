from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from cards.text import unbroken
from tests.db import migrated_database
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams, activity, personal
from tests.fakes.fake_connector import FakeConnector


@pytest.mark.postgres
async def test_the_caller_id_journey_on_postgresql(
    tmp_path: Path, connector: FakeConnector
) -> None:
    async with migrated_database("postgres", tmp_path) as url:
        app = create_app(edge_settings(url))
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            teams = Teams(client, connector)
            own = await teams.ask("adele", "which number do I call out as?")
            assert own.cards[0]["body"][1]["text"] == unbroken("+1 425-555-0100")
            other = await teams.ask("megan", "caller id for Johanna Lorenz")
            assert other.cards[0]["body"][1]["text"] == unbroken("+49 30 23125142")
            health = await client.get("/healthz")
            assert await health.json() == {"status": "ok"}


@pytest.mark.postgres
async def test_a_nul_in_an_id_is_refused_before_postgresql_sees_it(
    tmp_path: Path, connector: FakeConnector
) -> None:
    async with migrated_database("postgres", tmp_path) as url:
        app = create_app(edge_settings(url))
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            teams = Teams(client, connector)
            install = activity(connector, "lee", personal("lee"), type="installationUpdate",
                               action="add")  # fmt: skip
            install["conversation"]["id"] = "a:personal\x00lee"
            response = await teams.post(install, expect=400)
            assert "control characters" in (await response.json())["error"]
            install["conversation"]["id"] = "a:personal-lee"
            await teams.post(install)
            assert len(connector.messages()) == 1
