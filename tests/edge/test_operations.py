"""Operations: /metrics in the Prometheus format, JSON logs, a clear word when the port is taken."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import SERVICES
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.requests import RequestKind
from sharedcalling.log_format import JsonFormatter
from sharedcalling.services.requests import RequestDraft, actor_of, submit_request
from tests.edge.teams import Teams, object_id
from tests.edge.test_startup import _environment_without_settings

REPO = Path(__file__).resolve().parents[2]


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def scrape(teams: Teams) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await teams.client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return samples(await response.text())


async def test_turns_are_counted_by_kind_and_status_and_timed(teams: Teams) -> None:
    key = ("sharedcalling_turns_total", (("kind", "message"), ("status", "201")))
    before = (await scrape(teams)).get(key, 0.0)
    await teams.ask("adele", "which number do I call out as?")
    await teams.ask("adele", "help")
    after = await scrape(teams)
    assert after[key] == before + 2
    count = ("sharedcalling_turn_seconds_count", (("kind", "message"),))
    assert after[count] >= 2


async def test_stored_requests_show_by_state_with_approvals_pending(teams: Teams) -> None:
    services = teams.client.app[SERVICES]
    principal = await services.resolve_principal(services.tenant_id, object_id("megan"))
    draft = RequestDraft(
        RequestKind.SETUP, {}, {}, "sha256:" + "d" * 64, [UserId(object_id("diego"))], "pilot"
    )
    await submit_request(draft, actor=actor_of(principal), uow=services.uow, clock=services.clock)
    found = await scrape(teams)
    assert found[("sharedcalling_requests", (("state", "PENDING"),))] == 1
    assert found[("sharedcalling_requests", (("state", "APPLIED"),))] == 0
    assert found[("sharedcalling_approvals_pending", ())] == 1


def test_json_logs_are_one_object_per_line_with_the_correlation_id() -> None:
    record = logging.LogRecord("bot", logging.WARNING, __file__, 1, "two\nlines %s", ("x",), None)
    record.correlation_id = "abc"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    body = json.loads(line)
    assert body["level"] == "WARNING"
    assert body["correlation_id"] == "abc"
    assert body["message"] == "two\nlines x"


@pytest.mark.slow
def test_a_taken_port_is_said_in_one_line_and_exits_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = _environment_without_settings(
            PORT=str(port), DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"
        )
        result = subprocess.run(
            [sys.executable, str(REPO / "app.py")], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if "already in use" in line]
    assert lines == [f"Port {port} on 127.0.0.1 is already in use: stop what is listening there "
                     "or set PORT to another port."]  # fmt: skip
