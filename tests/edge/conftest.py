"""Edge fixtures: the real app on a loopback TestServer, a fake Bot Connector, SQLite in tmp."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from sharedcalling.config import Settings, load_settings
from tests.edge.teams import Teams
from tests.fakes.fake_connector import FakeConnector, running_connector


def edge_settings(database_url: str, **environ: str) -> Settings:
    return load_settings({"DATABASE_URL": database_url, "LOG_LEVEL": "DEBUG", **environ})


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async with running_connector() as fake:
        yield fake


@pytest.fixture
async def teams(database_url: str, connector: FakeConnector) -> AsyncIterator[Teams]:
    app = create_app(edge_settings(database_url))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield Teams(client, connector)
