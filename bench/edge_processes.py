"""Processes of bench_edge: the connector, the echo bots and the project, each on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class BotProcess:
    """A server process on 127.0.0.1 and what /proc says about it."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime

    def rss_mib(self) -> float:
        pages = int(Path(f"/proc/{self.process.pid}/statm").read_text().split()[1])
        return pages * PAGE_KIB / 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(bot: BotProcess, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.process.poll() is not None:
            raise RuntimeError(f"process {bot.process.args!r} exited with {bot.process.returncode}")
        try:
            with urllib.request.urlopen(f"{bot.url}{path}", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{bot.process.args!r} did not answer on {bot.url}{path}")


@contextmanager
def _running(command: list[str], port: int, path: str, **popen: object) -> Iterator[BotProcess]:
    process = subprocess.Popen(command, cwd=REPO, **popen)  # type: ignore[call-overload]  # noqa: S603
    bot = BotProcess(process, port)
    try:
        _wait_until_up(bot, path)
        yield bot
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), **extra}


@contextmanager
def connector_process(latency: float) -> Iterator[BotProcess]:
    port = free_port()
    command = [sys.executable, "-m", "bench.edge_connector", "--port", str(port)]
    with _running(
        [*command, "--latency", str(latency)], port, "/stats", env=_environment(),
        stdout=subprocess.DEVNULL,
    ) as connector:  # fmt: skip
        yield connector


@contextmanager
def echo_process(*, tuned: bool) -> Iterator[BotProcess]:
    port = free_port()
    command = [sys.executable, "-m", "bench.edge_echo", "--port", str(port)]
    with _running(
        command + (["--tuned"] if tuned else []), port, "/healthz", env=_environment()
    ) as bot:
        yield bot


@contextmanager
def project_process(database: Path, log: Path) -> Iterator[BotProcess]:
    """`python app.py` as an operator runs it: INFO logs (to a file), emulated tenant, SQLite."""
    port = free_port()
    env = _environment(
        HOST="127.0.0.1", PORT=str(port), DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        LOG_LEVEL="INFO",
    )  # fmt: skip
    with (
        log.open("ab") as log_file,
        _running(
            [sys.executable, "app.py"], port, "/healthz", env=env, stdout=log_file, stderr=log_file
        ) as bot,
    ):
        yield bot
