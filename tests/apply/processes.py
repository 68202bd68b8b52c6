"""Real bot processes (`python app.py`) for crash and replica tests, and what they wrote.

The test prepares the database (migrated, the emulated tenant seeded, requests approved) in its
own process, then starts bots that find the approved requests by themselves, as a bot started
after a crash would. What the bots did is read back from the database only.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import func, select

from sharedcalling.adapters.store.engine import make_engine
from sharedcalling.adapters.store.tables import apply_jobs, emulated_tenant_objects
from sharedcalling.adapters.store.tenant_state import SqlTenantStateStore
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.adapters.tenant.emulated_writes import WRITE_KIND, WriteRecord, write_log_of
from sharedcalling.config import Settings
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import RequestId
from sharedcalling.domain.requests import FINAL_STATES, ChangeRequest, RequestState
from sharedcalling.services.requests import get_request
from tests.apply.harness import TENANT, harness

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_environment(url: str, port: int, **extra: str) -> dict[str, str]:
    aliases = {f.alias for f in Settings.model_fields.values() if f.alias}
    clean = {k: v for k, v in os.environ.items() if k not in aliases}
    return {
        **clean,
        "DATABASE_URL": url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        "APPLY_LEASE_SECONDS": "3",
        "APPLY_POLL_SECONDS": "0.2",
        **extra,
    }


@dataclass
class Bot:
    process: asyncio.subprocess.Process
    port: int
    log: Path

    async def kill(self) -> None:
        """SIGKILL: no clean-up, no lease handed over, whatever was in flight is lost."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 30)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                await self.kill()

    @property
    def pid(self) -> int:
        return self.process.pid


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/healthz", timeout=2
        ) as answer:  # loopback, our own bot
            return bool(answer.status == 200)
    except OSError:
        return False


async def start_bot(url: str, log_dir: Path, name: str, **extra: str) -> Bot:
    port = free_port()
    log = log_dir / f"{name}.log"
    handle: IO[bytes] = log.open("ab")
    # A fixed command: this interpreter and the repository's app.py.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "app.py",
        cwd=REPO,
        env=bot_environment(url, port, **extra),
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    handle.close()
    deadline = time.monotonic() + START_TIMEOUT
    while not await asyncio.to_thread(_healthy, port):
        if process.returncode is not None or time.monotonic() > deadline:
            await Bot(process, port, log).kill()
            raise AssertionError(f"bot {name} did not start:\n{log.read_text()[-3000:]}")
        await asyncio.sleep(0.1)
    return Bot(process, port, log)


@asynccontextmanager
async def bots(
    url: str, log_dir: Path, names: Sequence[str], **extra: str
) -> AsyncIterator[list[Bot]]:
    started = [await start_bot(url, log_dir, name, **extra) for name in names]
    try:
        yield started
    finally:
        for bot in started:
            await bot.stop()


async def prepare(url: str, plans: Sequence[DesiredState]) -> list[ChangeRequest]:
    """Seed the emulated tenant in the database and approve one request per plan."""
    async with harness(url, fresh=False) as h:
        return [await h.approved(desired) for desired in plans]


class Observer:
    """Reads what the bots did, from the database."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    async def close(self) -> None:
        await self.engine.dispose()

    async def writes_count(self) -> int:
        table = emulated_tenant_objects
        query = select(func.count()).where(table.c.tenant_id == TENANT, table.c.kind == WRITE_KIND)
        async with self.engine.connect() as connection:
            return int((await connection.execute(query)).scalar_one())

    async def writes(self) -> list[WriteRecord]:
        return write_log_of(await SqlTenantStateStore(self.engine).load(TENANT))

    async def lease_owner(self, request_id: RequestId) -> str | None:
        query = select(apply_jobs.c.lease_owner).where(apply_jobs.c.id == request_id)
        async with self.engine.connect() as connection:
            owner = (await connection.execute(query)).scalar_one_or_none()
        return None if owner is None else str(owner)

    async def state(self, request_id: RequestId) -> RequestState:
        request = await get_request(TENANT, request_id, uow=SqlUnitOfWorkFactory(self.engine))
        return request.state

    async def wait_writes(self, at_least: int, within: float = 120.0) -> int:
        deadline = time.monotonic() + within
        while (count := await self.writes_count()) < at_least:
            assert time.monotonic() < deadline, f"only {count} writes after {within} s"
            await asyncio.sleep(0.05)
        return count

    async def wait_state(
        self, request_id: RequestId, wanted: RequestState, within: float = 180.0
    ) -> None:
        deadline = time.monotonic() + within
        while (state := await self.state(request_id)) is not wanted:
            assert state not in FINAL_STATES, f"{request_id} ended {state}, not {wanted}"
            assert time.monotonic() < deadline, f"{request_id} is {state} after {within} s"
            await asyncio.sleep(0.2)
