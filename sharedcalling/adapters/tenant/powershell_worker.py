"""The long-lived PowerShell worker process: start, health, per-call timeouts and restarts."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import sharedcalling.metrics as metrics
from sharedcalling.adapters.tenant.powershell_protocol import (
    MIN_MODULE_VERSION,
    PING,
    WorkerFailure,
    check_request,
    encode_request,
    parse_line,
    parse_response,
    parse_version,
    to_tenant_error,
)
from sharedcalling.services.ports import TenantThrottled, TenantUnavailable

logger = logging.getLogger(__name__)

WORKER_SCRIPT = Path(__file__).with_name("pwsh") / "worker.ps1"
LINE_LIMIT = 32 * 1024 * 1024
"""Bulk reads (Get-CsOnlineUser) can answer in one very long JSON line."""
BACKEND = "powershell"
"""The `backend` label of this adapter's tenant-call metrics."""


class WorkerChannel(Protocol):
    """One running worker: a line-oriented duplex pipe plus process control."""

    pid: int | None

    async def send(self, line: bytes) -> None: ...

    async def receive(self) -> bytes:
        """The next output line; b"" once the worker has exited."""
        ...

    async def kill(self) -> None: ...

    async def close(self) -> None:
        """Ask the worker to exit (end of input), then kill it if it lingers."""
        ...


Launcher = Callable[[], Awaitable[WorkerChannel]]


class SubprocessChannel:
    """A worker as a child process speaking on stdin/stdout (stderr is drained and discarded)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        if process.stdin is None or process.stdout is None or process.stderr is None:
            raise ValueError("the worker process needs piped stdin, stdout and stderr")
        self._process = process
        self._stdin, self._stdout, self._stderr = process.stdin, process.stdout, process.stderr
        self.pid: int | None = process.pid
        self._stderr_task = asyncio.create_task(self._drain_stderr())

    @classmethod
    async def start(
        cls, argv: Sequence[str], env: Mapping[str, str] | None = None
    ) -> SubprocessChannel:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=dict(env) if env is not None else None,
            limit=LINE_LIMIT,
        )
        return cls(process)

    async def _drain_stderr(self) -> None:
        # A full stderr pipe would block the worker; its text may carry tenant data, so only
        # its size is logged.
        while line := await self._stderr.readline():
            logger.debug("powershell worker %s wrote %d bytes to stderr", self.pid, len(line))

    async def send(self, line: bytes) -> None:
        self._stdin.write(line)
        await self._stdin.drain()

    async def receive(self) -> bytes:
        try:
            return await self._stdout.readline()
        except ValueError:  # a line beyond LINE_LIMIT: the stream is unusable from here
            return b""

    async def kill(self) -> None:
        if self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
        await self._process.wait()
        self._stderr_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._stderr_task

    async def close(self) -> None:
        if not self._stdin.is_closing():
            self._stdin.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._process.wait(), timeout=5)
        await self.kill()


def pwsh_launcher(pwsh_path: str, env: Mapping[str, str]) -> Launcher:
    """Start `worker.ps1` with an argument list (never a shell) and the given extra environment."""
    argv = [pwsh_path, "-NoLogo", "-NoProfile", "-NonInteractive", "-File", str(WORKER_SCRIPT)]

    async def launch() -> WorkerChannel:
        return await SubprocessChannel.start(argv, {**os.environ, **env})

    return launch


class PowerShellWorker:
    """Runs allow-listed cmdlets on a worker, restarting it after a crash or a timeout.

    One worker answers one request at a time, so by default calls are serialised and the timeout
    measures the call itself; `max_in_flight` > 1 pipelines requests to workers that can take it.
    """

    def __init__(
        self,
        launch: Launcher,
        *,
        call_timeout: float = 120.0,
        start_timeout: float = 120.0,
        max_restarts: int = 5,
        restart_window: float = 300.0,
        max_in_flight: int = 1,
    ) -> None:
        self._launch = launch
        self._call_timeout = call_timeout
        self._start_timeout = start_timeout
        self._max_restarts = max_restarts
        self._restart_window = restart_window
        self._starts: deque[float] = deque()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._start_lock = asyncio.Lock()
        self._channel: WorkerChannel | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._session = uuid.uuid4().hex[:8]
        self.module_version: str | None = None
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self._channel.pid if self._channel is not None else None

    async def run(self, cmdlet: str, parameters: Mapping[str, Any] | None = None) -> Any:
        """Run one allow-listed cmdlet and return its `result`; raises the port's Tenant* errors."""
        params = dict(parameters or {})
        check_request(cmdlet, params)
        return await self._call(cmdlet, params)

    async def ping(self) -> dict[str, Any]:
        """Health check answered by the worker itself (starting it if needed)."""
        result = await self._call(PING, {})
        return result if isinstance(result, dict) else {}

    async def close(self) -> None:
        async with self._start_lock:
            await self._stop(graceful=True)

    async def _call(self, cmdlet: str, params: dict[str, Any]) -> Any:
        """Every cmdlet goes out here, so it is counted here; `cmdlet` is allow-listed (or the
        ping), which keeps the metric's labels bounded."""
        try:
            result = await self._exchange(cmdlet, params)
        except TenantThrottled:
            metrics.tenant_call(BACKEND, cmdlet, metrics.THROTTLED)
            raise
        except Exception:
            metrics.tenant_call(BACKEND, cmdlet, metrics.ERROR)
            raise
        metrics.tenant_call(BACKEND, cmdlet, metrics.OK)
        return result

    async def _exchange(self, cmdlet: str, params: dict[str, Any]) -> Any:
        async with self._slots:
            channel = await self._ensure_started()
            request_id = f"{self._session}-{next(self._ids)}"
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._pending[request_id] = future
            try:
                await channel.send(encode_request(request_id, cmdlet, params))
                response = await asyncio.wait_for(asyncio.shield(future), self._call_timeout)
            except TimeoutError:
                logger.warning("powershell %s timed out; restarting the worker", cmdlet)
                await self._restart_after_failure(channel)
                raise TenantUnavailable(
                    f"{cmdlet} timed out after {self._call_timeout:g} s", operation=cmdlet
                ) from None
            except (BrokenPipeError, ConnectionResetError):
                await self._restart_after_failure(channel)
                raise TenantUnavailable("the PowerShell worker exited", operation=cmdlet) from None
            finally:
                self._pending.pop(request_id, None)
        if not response.ok:
            failure = response.error or WorkerFailure("UnknownError", "no error reported")
            raise to_tenant_error(failure, operation=cmdlet)
        return response.result

    async def _ensure_started(self) -> WorkerChannel:
        async with self._start_lock:
            if self._channel is not None:
                return self._channel
            await self._reap_exited()
            self._take_restart_budget()
            try:
                channel = await self._launch()
            except OSError as exc:
                raise TenantUnavailable(
                    f"cannot start the PowerShell worker: {exc.strerror}", operation="start worker"
                ) from exc
            try:
                await asyncio.wait_for(self._await_ready(channel), self._start_timeout)
            except TimeoutError:
                await channel.kill()
                raise TenantUnavailable(
                    f"the PowerShell worker was not ready within {self._start_timeout:g} s",
                    operation="start worker",
                ) from None
            except BaseException:
                await channel.kill()
                raise
            self._channel = channel
            self._reader = asyncio.create_task(self._read(channel))
            return channel

    def _take_restart_budget(self) -> None:
        now = time.monotonic()
        while self._starts and now - self._starts[0] > self._restart_window:
            self._starts.popleft()
        if len(self._starts) > self._max_restarts:
            raise TenantUnavailable(
                f"the PowerShell worker failed {len(self._starts)} times in "
                f"{self._restart_window:g} s; not starting it again yet",
                operation="start worker",
            )
        if self._starts:
            self.restarts += 1
        self._starts.append(now)

    async def _await_ready(self, channel: WorkerChannel) -> None:
        while line := await channel.receive():
            message = parse_line(line)
            if message is None or "ready" not in message:
                continue  # module banners and the like before the ready line
            if message["ready"] is not True:
                error = message.get("error")
                detail = error.get("message", "") if isinstance(error, dict) else ""
                raise TenantUnavailable(
                    f"the PowerShell worker could not start: {detail}", operation="start worker"
                )
            self._check_version(str(message.get("moduleVersion", "")))
            return
        raise TenantUnavailable("the PowerShell worker exited before it was ready")

    def _check_version(self, version: str) -> None:
        if parse_version(version) < MIN_MODULE_VERSION:
            raise TenantUnavailable(
                f"MicrosoftTeams {version or '(unknown)'} is older than 5.5.0",
                operation="start worker",
            )
        self.module_version = version

    async def _read(self, channel: WorkerChannel) -> None:
        while line := await channel.receive():
            message = parse_line(line)
            response = parse_response(message) if message is not None else None
            future = self._pending.get(response.id) if response is not None else None
            if future is None or future.done():
                logger.warning("powershell worker wrote an unexpected line (%d bytes)", len(line))
                continue
            future.set_result(response)
        logger.warning("powershell worker %s exited", channel.pid)
        if self._channel is channel:
            self._channel = None  # the reader stays known until the process is reaped
        self._fail_pending(TenantUnavailable("the PowerShell worker exited"))
        await channel.kill()  # reap the process

    async def _reap_exited(self) -> None:
        """Wait for the reader of a worker that exited by itself to finish reaping it."""
        reader, self._reader = self._reader, None
        if reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    def _fail_pending(self, error: Exception) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        self._pending.clear()

    async def _restart_after_failure(self, channel: WorkerChannel) -> None:
        async with self._start_lock:
            if self._channel is channel:
                await self._stop(graceful=False)
        # the next call starts a new worker (bounded by the restart budget)

    async def _stop(self, *, graceful: bool) -> None:
        channel, reader = self._channel, self._reader
        if channel is None:
            await self._reap_exited()
        self._channel, self._reader = None, None
        if channel is not None and reader is not None:
            reader.cancel()  # first, so that the exit is not reported as a crash
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        if channel is not None:
            await (channel.close() if graceful else channel.kill())
        self._fail_pending(TenantUnavailable("the PowerShell worker was stopped"))
