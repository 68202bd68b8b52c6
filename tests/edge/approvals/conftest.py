"""Fixtures of the approval tests: the desk on SQLite (and PostgreSQL where asked)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sharedcalling.services import Services
from tests.edge.approvals.kit import Desk, running_desk
from tests.fakes.fake_connector import FakeConnector


@pytest.fixture(autouse=True)
def no_background_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run the jobs themselves, at the moment they choose."""
    monkeypatch.setattr(Services, "background_jobs", lambda self: [])


@pytest.fixture
async def desk(database_url: str, connector: FakeConnector) -> AsyncIterator[Desk]:
    async with running_desk(database_url, connector) as running:
        yield running


@pytest.fixture
async def desk2(database_url: str, connector: FakeConnector) -> AsyncIterator[Desk]:
    """Two approvals required."""
    async with running_desk(database_url, connector, APPROVALS_REQUIRED="2") as running:
        yield running
