"""/metrics counts tenant calls and throttles per backend, and shows apply jobs by state.

Counters are process-wide, so each test compares a scrape before with a scrape after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from sharedcalling.adapters.tenant.counted import PORT_OPERATIONS
from sharedcalling.domain.ids import GroupId
from tests.demo_ids import DIEGO
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams
from tests.edge.test_apply_edge import approved, services_of, settled
from tests.edge.test_operations import scrape
from tests.fakes.fake_connector import FakeConnector
from tests.fakes.fake_graph import Fault, graph_stack

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
CALLS = "sharedcalling_tenant_calls_total"
THROTTLES = "sharedcalling_tenant_throttles_total"


def calls(found: Samples, backend: str, outcome: str, operation: str | None = None) -> float:
    return sum(
        value
        for (name, labels), value in found.items()
        if name == CALLS
        and dict(labels)["backend"] == backend
        and dict(labels)["outcome"] == outcome
        and operation in (None, dict(labels)["operation"])
    )


def throttles(found: Samples, backend: str) -> float:
    return found.get((THROTTLES, (("backend", backend),)), 0.0)


@pytest.fixture
async def throttled_teams(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[Teams]:
    settings = edge_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", EMULATED_FAULTS="snapshot=throttle:1:0.01"
    )
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        yield Teams(client, connector)


@pytest.fixture
async def applying_teams(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[Teams]:
    settings = edge_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", APPLY_POLL_SECONDS="0.05"
    )
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        yield Teams(client, connector)


async def test_a_caller_id_turn_on_the_emulated_tenant_counts_its_tenant_calls(
    teams: Teams,
) -> None:
    before = await scrape(teams)

    await teams.ask("adele", "which number do I call out as?")

    after = await scrape(teams)
    assert calls(after, "emulated", "ok") > calls(before, "emulated", "ok")
    assert calls(after, "emulated", "ok", "snapshot") > calls(before, "emulated", "ok", "snapshot")
    operations = {dict(labels)["operation"] for (name, labels) in after if name == CALLS}
    emulated = {
        dict(labels)["operation"]
        for (name, labels) in after
        if name == CALLS and dict(labels)["backend"] == "emulated"
    }
    assert emulated <= set(PORT_OPERATIONS)
    assert operations  # bounded: no label carries a user id or a typed text
    assert not [op for op in operations if "@" in op or "00000000-" in op]


async def test_an_emulated_throttle_is_counted_as_a_throttled_call(throttled_teams: Teams) -> None:
    before = await scrape(throttled_teams)

    reply = await throttled_teams.ask("adele", "which number do I call out as?")

    after = await scrape(throttled_teams)
    assert "slow down" in reply.text
    assert throttles(after, "emulated") == throttles(before, "emulated") + 1
    throttled = calls(after, "emulated", "throttled", "snapshot")
    assert throttled == calls(before, "emulated", "throttled", "snapshot") + 1


async def test_graph_429s_outside_and_inside_a_batch_count_as_throttles(teams: Teams) -> None:
    before = await scrape(teams)
    async with graph_stack() as stack:
        stack.fake.inject(Fault("numberAssignments", 429, times=2, retry_after=3, where="outer"))
        await stack.gateway.list_numbers()
        stack.fake.inject(Fault("/groups/", 429, times=1, retry_after=2, where="batch"))
        await stack.gateway.get_group(GroupId("00000000-0000-4000-a000-000000000003"))

    after = await scrape(teams)
    # Two throttled requests, then one throttled item of a $batch (its 200 is an ok call).
    assert throttles(after, "graph") == throttles(before, "graph") + 3
    admin = "GET admin"
    assert (
        calls(after, "graph", "throttled", admin) == calls(before, "graph", "throttled", admin) + 2
    )
    assert calls(after, "graph", "ok", admin) > calls(before, "graph", "ok", admin)
    assert calls(after, "graph", "ok", "POST $batch") > calls(before, "graph", "ok", "POST $batch")


async def test_after_an_apply_the_jobs_gauge_shows_the_done_job(applying_teams: Teams) -> None:
    services = services_of(applying_teams)
    before = await scrape(applying_teams)
    assert before[("sharedcalling_apply_jobs", (("state", "done"),))] == 0

    request = await approved(services, (DIEGO,))
    await settled(services, request.id)

    after = await scrape(applying_teams)
    assert after[("sharedcalling_apply_jobs", (("state", "done"),))] == 1
    assert after[("sharedcalling_apply_jobs", (("state", "queued"),))] == 0
    assert after[("sharedcalling_apply_jobs", (("state", "running"),))] == 0
    writes = calls(after, "emulated", "ok", "grant_policy")
    assert writes > calls(before, "emulated", "ok", "grant_policy")
