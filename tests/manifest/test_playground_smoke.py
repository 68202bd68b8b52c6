"""The browser-less smoke check reads replies right, and works against the real Playground."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.manifest.scripts import load_script

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND_BIN = REPO_ROOT / "node_modules" / ".bin" / "agentsplayground"
smoke = load_script("playground_smoke")

CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [
        {"type": "TextBlock", "text": "Your caller ID"},
        {
            "type": "Container",
            "items": [{"type": "FactSet", "facts": [{"title": "Policy", "value": "Seattle"}]}],
        },
    ],
    "actions": [{"type": "Action.Execute", "title": "Check again"}],
}


def test_a_reply_reads_as_its_text_then_each_card_line() -> None:
    message = {
        "text": "You call out as the main line.",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": CARD}
        ],
    }

    assert smoke.describe(message).splitlines() == [
        "You call out as the main line.",
        "[application/vnd.microsoft.card.adaptive]",
        "  Your caller ID",
        "  Policy: Seattle",
    ]


def test_a_card_without_text_still_names_its_type() -> None:
    message = {"attachments": [{"contentType": "application/vnd.microsoft.card.hero"}]}

    assert smoke.describe(message) == "[application/vnd.microsoft.card.hero]"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _echo_bot_reply(activity: dict[str, Any]) -> None:
    reply = {
        "type": "message",
        "text": f"echo from {activity['from'].get('aadObjectId')}: {activity.get('text')}",
        "from": activity["recipient"],
        "recipient": activity["from"],
        "conversation": activity["conversation"],
        "replyToId": activity["id"],
    }
    url = f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/"
    async with aiohttp.ClientSession() as session:
        conversation = activity["conversation"]["id"]
        async with session.post(f"{url}{conversation}/activities", json=reply) as response:
            response.raise_for_status()


@pytest.fixture
async def echo_bot() -> AsyncIterator[str]:
    """A stand-in bot on loopback that answers every message through the Playground."""
    tasks: set[asyncio.Task[None]] = set()

    async def messages(request: web.Request) -> web.Response:
        activity = await request.json()
        if activity.get("type") == "message":
            # Reply after answering the POST, as Teams bots do (the Playground waits for both).
            task = asyncio.create_task(_echo_bot_reply(activity))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        return web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}/api/messages"
    await asyncio.gather(*tasks)
    await runner.cleanup()


@pytest.fixture
async def playground(echo_bot: str, tmp_path: Path) -> AsyncIterator[str]:
    """The real Agents Playground (npm package) with the committed demo-tenant config."""
    if shutil.which("node") is None or not PLAYGROUND_BIN.exists():
        message = "Agents Playground not installed: run `npm ci` in the repository root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    env = {
        **os.environ,
        "TEAMSAPPTESTER_BROWSER": "none",
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(REPO_ROOT / ".m365agentsplayground.yml"),
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(tmp_path / "playground.log"),
    }
    args = ["-e", echo_bot, "-c", "msteams", "-p", str(_free_port()), "--disable-telemetry"]
    process = await asyncio.create_subprocess_exec(
        str(PLAYGROUND_BIN), *args, cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        # It moves to another port when the one asked for is taken, and says which.
        line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
        port = re.search(rb"Listening on (\d+)", line)
        assert port, line
        yield f"http://127.0.0.1:{int(port.group(1))}"
    finally:
        process.terminate()
        await process.wait()


@pytest.mark.slow
async def test_the_smoke_check_gets_the_bots_answer_in_a_personal_chat(playground: str) -> None:
    replies = await smoke.ask(playground, "which number do I call out as?", "personal", 15.0)

    assert [smoke.describe(reply) for reply in replies] == [
        "echo from 00000000-0000-4000-8000-000000000003: which number do I call out as?"
    ]


@pytest.mark.slow
async def test_the_smoke_check_mentions_the_bot_in_a_team_channel(playground: str) -> None:
    replies = await smoke.ask(playground, "help", "team", 15.0)

    assert len(replies) == 1
    assert smoke.describe(replies[0]).endswith("<at>Shared Calling</at> help")
