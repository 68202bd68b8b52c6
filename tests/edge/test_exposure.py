"""What an unauthenticated or hostile sender can make the bot do: as little as possible."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from bot.handler import MAX_MEMBER_LOOKUPS
from sharedcalling.config import ConfigError
from sharedcalling.correlation import CorrelationFilter, LogSafetyFilter, log_safe
from tests.edge.conftest import edge_settings
from tests.edge.teams import BOT_ID, Teams, activity, message, personal
from tests.edge.test_startup import REPO, _environment_without_settings


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "bot.example"])  # noqa: S104
def test_without_an_app_id_the_bot_refuses_to_listen_beyond_loopback(
    database_url: str, host: str
) -> None:
    with pytest.raises(ConfigError, match="MicrosoftAppId: required when HOST is"):
        create_app(edge_settings(database_url, HOST=host))


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.5"])
def test_without_an_app_id_the_bot_may_listen_on_loopback(database_url: str, host: str) -> None:
    assert create_app(edge_settings(database_url, HOST=host)) is not None


def test_with_an_app_id_the_bot_may_listen_anywhere(database_url: str) -> None:
    everywhere = "0.0.0.0"  # noqa: S104
    app_id = "6d2f0c2e-0000-4000-8000-000000000001"
    settings = edge_settings(
        database_url, HOST=everywhere, MicrosoftAppId=app_id, MicrosoftAppPassword="secret"
    )
    assert create_app(settings) is not None


@pytest.mark.slow
def test_python_app_py_on_all_interfaces_without_an_app_id_exits_2() -> None:
    env = _environment_without_settings(HOST="0.0.0.0")  # noqa: S104
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "MicrosoftAppId" in result.stderr


@pytest.mark.parametrize(
    "service_url",
    ["https://smba.trafficmanager.net/amer/", "http://10.0.0.5:5432/", "http://[::ffff:8.8.8.8]/"],
)
async def test_anonymous_mode_never_connects_to_a_service_url_off_this_machine(
    teams: Teams, service_url: str
) -> None:
    body = message(teams.connector, "lee", "help", serviceUrl=service_url)
    response = await teams.post(body, expect=400)
    assert "on this machine" in (await response.json())["error"]
    assert teams.connector.attempts == []
    # The autouse network guard fails the test if any connection left loopback.


async def test_expect_replies_is_ignored_and_the_answer_goes_to_the_conversation(
    teams: Teams,
) -> None:
    body = message(teams.connector, "lee", "which number do I call out as?",
                   deliveryMode="expectReplies")  # fmt: skip
    response = await teams.post(body, expect=201)
    assert await response.read() == b"", "no answers in the HTTP response"
    [reply] = teams.connector.sent
    assert "+1 425-555-0142" in reply.text


async def test_a_conversation_update_with_thousands_of_members_makes_no_member_lookups(
    teams: Teams,
) -> None:
    members = [{"id": BOT_ID}] + [{"id": f"29:member-{n}"} for n in range(5000)]
    update = activity(
        teams.connector, "lee", personal("lee"), type="conversationUpdate", membersAdded=members
    )
    await teams.post(update)
    assert len(teams.connector.member_lookups) <= MAX_MEMBER_LOOKUPS
    assert teams.connector.messages() == []


async def test_a_newline_in_the_tenant_id_cannot_forge_a_log_line(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    forged = "x\n2026-01-01 00:00:00 INFO bot.handler [-] Admin granted to everyone"
    body = message(teams.connector, "lee", "help", tenant_id=forged)
    response = await teams.post(body, expect=400)  # refused before any turn (bot.inbound)
    assert "tenant.id holds control characters" in (await response.json())["error"]
    assert "\nAdmin granted" not in caplog.text
    assert "\n2026-01-01" not in caplog.text
    refusals = [r.getMessage() for r in caplog.records if "Refused" in r.getMessage()]
    assert refusals
    assert all("\n" not in line for line in refusals)


def test_log_safe_escapes_controls_and_bounds_length() -> None:
    assert log_safe("a\nb\rc\td\x00e\x1bf\u2028g") == "a\\nb\\rc\\td\\x00e\\x1bf\\u2028g"
    assert log_safe("Zoë Grüße 日本") == "Zoë Grüße 日本"
    assert log_safe("x" * 500) == "x" * 200 + "\u2026"
    assert log_safe(None) == "None"


def test_the_apps_log_handler_escapes_any_message_that_slipped_through() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(CorrelationFilter())
    handler.addFilter(LogSafetyFilter())
    logger = logging.getLogger("tests.edge.log_safety")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("value %s", "one\ntwo")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed for %s", "three\rfour")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "value one\\ntwo"
    assert lines[1] == "failed for three\\rfour"
    assert lines[2] == "Traceback (most recent call last):", "tracebacks stay readable"


def test_an_app_needs_no_database_until_it_starts(tmp_path: Path) -> None:
    create_app(edge_settings(f"sqlite+aiosqlite:///{tmp_path / 'never' / 'created.db'}"))
    assert not (tmp_path / "never").exists()
