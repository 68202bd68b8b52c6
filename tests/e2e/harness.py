"""End-to-end harness: the real bot, the real Agents Playground, a real browser, on loopback.

`Bot` runs `python app.py` (emulated tenant, a fresh SQLite file); `Playground` runs the npm
Agents Playground signed in as one demo person and pointed at the bot; `drive()` runs
tests/e2e/driver.mjs in headless Chromium through a list of steps and returns what it saw.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PLAYGROUND_BIN = REPO / "node_modules" / ".bin" / "agentsplayground"
DRIVER = Path(__file__).with_name("driver.mjs")
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SKIP_VARIABLE = "SKIP_E2E"
"""Set to 1 to skip the browser journeys locally; CI always runs them."""


def require_tools() -> None:
    """Skip (locally) or fail (CI) when node, the Playground or Chromium is missing."""
    missing = [
        name
        for name, ok in (
            ("node", shutil.which("node") is not None),
            ("the Agents Playground (npm ci)", PLAYGROUND_BIN.exists()),
            (f"Chromium at {CHROMIUM}", CHROMIUM.exists()),
        )
        if not ok
    ]
    in_ci = os.environ.get("CI", "").lower() == "true"
    if os.environ.get(SKIP_VARIABLE) == "1" and not in_ci:
        pytest.skip(f"{SKIP_VARIABLE}=1")
    if missing:
        message = "end-to-end tools missing: " + ", ".join(missing)
        if in_ci:
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_http(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in time")


def _clean_environment(**extra: str) -> dict[str, str]:
    from sharedcalling.config import Settings

    aliases = {field.alias for field in Settings.model_fields.values()}
    return {**{k: v for k, v in os.environ.items() if k not in aliases}, **extra}


@dataclass
class Bot:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def running_bot(directory: Path, **environ: str) -> Iterator[Bot]:
    """`python app.py` on a free loopback port with its own SQLite database under `directory`."""
    port = free_port()
    log = directory / "bot.log"
    env = _clean_environment(
        HOST="127.0.0.1",
        PORT=str(port),
        DATABASE_URL=f"sqlite+aiosqlite:///{directory / 'bot.db'}",
        LOG_LEVEL="INFO",
        **environ,
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(REPO / "app.py")], cwd=directory, env=env, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 60)
        yield Bot(f"http://127.0.0.1:{port}", process, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Playground:
    url: str
    nickname: str


@contextmanager
def running_playground(bot: Bot, nickname: str, directory: Path) -> Iterator[Playground]:
    """The Agents Playground signed in as the demo person `nickname` (e.g. AdeleV)."""
    config = directory / f"playground-{nickname}.yml"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "playground_config.py"), "--as", nickname,
         "--output", str(config)],
        check=True, capture_output=True,
    )  # fmt: skip
    env = {
        **os.environ,
        "TEAMSAPPTESTER_BROWSER": "none",
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config),
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(directory / f"playground-{nickname}.log"),
    }
    args = [str(PLAYGROUND_BIN), "-e", f"{bot.url}/api/messages", "-c", "msteams",
            "-p", str(free_port()), "--disable-telemetry"]  # fmt: skip
    process = subprocess.Popen(args, cwd=directory, env=env, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(rb"Listening on (\d+)", line)
        if found is None:
            raise RuntimeError(f"the Playground did not start: {line!r}")
        url = f"http://127.0.0.1:{int(found.group(1))}"
        _wait_http(url, time.monotonic() + 30)
        yield Playground(url, nickname)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


@dataclass
class Journey:
    """What the browser saw: one result per step, and the failure if a step failed."""

    results: list[dict[str, Any]]
    failure: str | None

    def cards(self) -> list[str]:
        return [r["card"] for r in self.results if "card" in r]


@dataclass
class Driving:
    """A browser session running in the background (see `start_drive`)."""

    process: subprocess.Popen[str]

    def finish(self, timeout: float = 300) -> Journey:
        stdout, stderr = self.process.communicate(timeout=timeout)
        lines = [line for line in stdout.splitlines() if line.startswith("{")]
        if not lines:
            raise RuntimeError(f"driver gave no result: {stderr[-2000:]}")
        body = json.loads(lines[-1])
        return Journey(body["results"], body["failure"])


def start_drive(
    playground: Playground, steps: Sequence[dict[str, Any]], directory: Path
) -> Driving:
    """Run `steps` (see driver.mjs) in headless Chromium against the Playground, in the
    background: a page that stays open sees proactive messages and in-place updates live."""
    steps_file = directory / f"steps-{playground.nickname}-{time.monotonic_ns()}.json"
    steps_file.write_text(json.dumps(list(steps)), encoding="utf-8")
    process = subprocess.Popen(
        ["node", str(DRIVER), "--url", playground.url, "--steps", str(steps_file),
         "--chromium", str(CHROMIUM), "--failshot", str(steps_file.with_suffix(".failed.png"))],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    return Driving(process)


def drive(playground: Playground, steps: Sequence[dict[str, Any]], directory: Path) -> Journey:
    """Run `steps` in headless Chromium against the Playground and wait for the result."""
    driving = start_drive(playground, steps, directory)
    try:
        return driving.finish()
    finally:
        if driving.process.poll() is None:
            driving.process.kill()
