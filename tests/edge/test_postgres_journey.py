"""The edge on PostgreSQL, which stores no NUL in text or JSONB (SQLite does)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app import create_app
from cards.actions import CALLERID_PICK, USER_ID
from cards.text import unbroken
from sharedcalling.adapters.store.engine import make_engine
from sharedcalling.adapters.store.tables import audit_log, bot_state, conversation_references
from tests.db import migrated_database
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams, activity, execute_invoke, message, object_id, personal
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


NUL_FIELDS = {
    "from.aadObjectId": ("from", "aadObjectId"),
    "from.name": ("from", "name"),
    "conversation.name": ("conversation", "name"),
    "recipient.name": ("recipient", "name"),
    "channelData.tenant.id": ("channelData", "tenant"),
}
STORED_BY_A_TURN = (conversation_references, bot_state, audit_log)


async def _rows(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        return {
            table.name: (await connection.execute(select(func.count()).select_from(table))).one()[0]
            for table in STORED_BY_A_TURN
        }


def _with_nul(body: dict[str, Any], where: tuple[str, str]) -> dict[str, Any]:
    part, key = where
    if key == "tenant":
        body["channelData"]["tenant"]["id"] += "\x00"
    else:
        body[part][key] = (body[part].get(key) or "x") + "\x00"
    return body


@pytest.mark.postgres
@pytest.mark.parametrize("kind", ["message", "invoke"])
async def test_a_nul_in_a_name_or_a_directory_id_is_refused_and_nothing_is_stored(
    tmp_path: Path, connector: FakeConnector, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    def body() -> dict[str, Any]:
        if kind == "message":
            return message(connector, "megan", "help")
        return execute_invoke(connector, "megan", CALLERID_PICK, {USER_ID: object_id("adele")})

    async with migrated_database("postgres", tmp_path) as url:
        engine = make_engine(url)
        app = create_app(edge_settings(url))
        try:
            async with TestClient(TestServer(app, host="127.0.0.1")) as client:
                teams = Teams(client, connector)
                before = await _rows(engine)
                for field, where in NUL_FIELDS.items():
                    response = await teams.post(_with_nul(body(), where), expect=400)
                    assert field in (await response.json())["error"]
                assert await _rows(engine) == before
                assert connector.attempts == []
                assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
                # The same activity without the NUL is stored: the count above can change.
                await teams.post(body(), expect=201 if kind == "message" else 200)
                assert await _rows(engine) != before
        finally:
            await engine.dispose()
