"""A stand-in for worker.ps1: the same JSON-lines protocol, answered from an emulated tenant.

Run as `python -m tests.fakes.standin_worker` (stdin/stdout), or in-process with
`InProcessChannel`. Environment knobs (all optional):

    STANDIN_STATE_PATH      JSON file holding the tenant's state, so a restarted worker keeps it
    STANDIN_RECORD_PATH     append every request received, one JSON line each (proves data-only)
    STANDIN_CRASH_AFTER     exit after answering this many requests
    STANDIN_HANG_ON         never answer requests for this cmdlet
    STANDIN_GARBAGE         write a non-JSON line before every answer
    STANDIN_MODULE_VERSION  the version in the ready line (default 6.9.0)
    STANDIN_FAIL_START      answer the ready line with this error instead
    STANDIN_DELAY_MS        answer each request after up to this many ms, concurrently, so
                            answers come back out of order
    STANDIN_ERRORS          JSON {cmdlet: {"category", "message", "retryAfter"?}} to fail with
    STANDIN_VARIANT_SHAPES  ResourceAccount as a UPN and single emergency numbers as strings
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import zlib
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.powershell_protocol import (
    PING,
    ProtocolViolation,
    check_request,
)
from sharedcalling.domain.ids import TenantId
from sharedcalling.services.ports import (
    StoredObject,
    TenantConflict,
    TenantError,
    TenantGateway,
    TenantNotFound,
    TenantPermissionDenied,
    TenantStateStore,
    TenantThrottled,
    TenantUnavailable,
)
from tests.fakes.standin_cmdlets import CMDLETS

_CATEGORIES: tuple[tuple[type[TenantError], str], ...] = (
    (ProtocolViolation, "ProtocolError"),
    (TenantNotFound, "ObjectNotFound"),
    (TenantConflict, "ResourceExists"),
    (TenantPermissionDenied, "PermissionDenied"),
    (TenantThrottled, "LimitsExceeded"),
    (TenantUnavailable, "ConnectionError"),
)


class JsonFileStateStore(TenantStateStore):
    """The emulated tenant's objects in one JSON file (one tenant per file)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def _read(self) -> dict[str, dict[str, Any]]:
        if not self._path.exists():
            return {}
        data: dict[str, dict[str, Any]] = json.loads(self._path.read_text("utf-8"))
        return data

    def _write(self, data: Mapping[str, Any]) -> None:
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), "utf-8")
        tmp.replace(self._path)

    async def load(self, tenant_id: TenantId) -> list[StoredObject]:
        return [StoredObject(d["kind"], d["key"], d["document"]) for d in self._read().values()]

    async def upsert(self, tenant_id: TenantId, objects: Collection[StoredObject]) -> None:
        data = self._read()
        for o in objects:
            data[f"{o.kind}/{o.key}"] = {"kind": o.kind, "key": o.key, "document": o.document}
        self._write(data)

    async def remove(self, tenant_id: TenantId, keys: Collection[tuple[str, str]]) -> None:
        data = self._read()
        for kind, key in keys:
            data.pop(f"{kind}/{key}", None)
        self._write(data)

    async def clear(self, tenant_id: TenantId) -> None:
        self._write({})


def _failure(request_id: Any, exc: Exception) -> dict[str, Any]:
    category = next((c for cls, c in _CATEGORIES if isinstance(exc, cls)), "InvalidArgument")
    error: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc), "category": category}
    if isinstance(exc, TenantThrottled) and exc.retry_after is not None:
        error["retryAfter"] = exc.retry_after
    return {"id": request_id, "ok": False, "error": error}


@dataclass
class _Armed:
    cmdlets: frozenset[str]
    error: TenantError
    remaining: int


class StandinFaults:
    """Errors to answer the next requests for some cmdlets with. They go through the stand-in's
    own error mapping, so the worker reports them exactly as it reports a cmdlet's failure."""

    def __init__(self) -> None:
        self._armed: list[_Armed] = []

    def fail(self, cmdlets: Collection[str], error: TenantError, *, times: int = 1) -> None:
        self._armed.append(_Armed(frozenset(cmdlets), error, times))

    def take(self, cmdlet: object) -> TenantError | None:
        for armed in self._armed:
            if cmdlet in armed.cmdlets and armed.remaining > 0:
                armed.remaining -= 1
                return armed.error
        return None


class StandinWorker:
    """Answers protocol requests from a TenantGateway (normally an EmulatedTenantGateway)."""

    def __init__(
        self,
        gateway: TenantGateway,
        env: Mapping[str, str] | None = None,
        *,
        after_write: Callable[[], Awaitable[object]] | None = None,
        faults: StandinFaults | None = None,
    ) -> None:
        self.gateway = gateway
        self.env = dict(env if env is not None else os.environ)
        self.after_write = after_write
        self.faults = faults if faults is not None else StandinFaults()
        self.answered = 0
        self.received: list[dict[str, Any]] = []

    def ready_message(self) -> dict[str, Any]:
        if self.env.get("STANDIN_FAIL_START"):
            failure = {"type": "Exception", "message": self.env["STANDIN_FAIL_START"]}
            return {"ready": False, "error": failure}
        version = self.env.get("STANDIN_MODULE_VERSION", "6.9.0")
        return {"ready": True, "moduleVersion": version, "pid": os.getpid()}

    @property
    def crash_due(self) -> bool:
        limit = self.env.get("STANDIN_CRASH_AFTER")
        return limit is not None and self.answered >= int(limit)

    def delay_for(self, line: bytes) -> float:
        limit = int(self.env.get("STANDIN_DELAY_MS", "0"))
        return (zlib.crc32(line) % (limit + 1)) / 1000 if limit else 0.0

    async def handle(self, line: bytes) -> dict[str, Any] | None:
        """The answer to one request line, or None to never answer (the hang knob)."""
        try:
            request = json.loads(line)
        except ValueError:
            return _failure(None, ProtocolViolation("a request must be JSON"))
        self._record(request)
        if not isinstance(request, dict) or not isinstance(request.get("id"), str):
            return _failure(None, ProtocolViolation("a request needs a string id"))
        cmdlet, params = request.get("cmdlet"), request.get("parameters") or {}
        if cmdlet == self.env.get("STANDIN_HANG_ON"):
            return None
        injected = json.loads(self.env.get("STANDIN_ERRORS", "{}")).get(cmdlet)
        if injected is not None:
            error = {"type": "Microsoft.Teams.Standin", "message": "injected", **injected}
            return {"id": request["id"], "ok": False, "error": error}
        armed = self.faults.take(cmdlet)
        if armed is not None:
            return _failure(request["id"], armed)
        try:
            result = await self._run(cmdlet, params)
        except (TenantError, ValueError) as exc:
            return _failure(request["id"], exc)
        return {"id": request["id"], "ok": True, "result": result}

    async def _run(self, cmdlet: Any, params: Any) -> Any:
        if cmdlet == PING:
            return {"pong": True, "moduleVersion": self.ready_message().get("moduleVersion")}
        if not isinstance(cmdlet, str) or not isinstance(params, dict):
            raise ProtocolViolation("cmdlet must be a string and parameters an object")
        check_request(cmdlet, params)  # the same allow-list the real worker holds
        variant = bool(self.env.get("STANDIN_VARIANT_SHAPES"))
        result = await CMDLETS[cmdlet](self.gateway, params, variant)
        if self.after_write is not None and not cmdlet.startswith("Get-"):
            await self.after_write()
        return result

    def _record(self, request: Any) -> None:
        self.received.append(request)
        path = self.env.get("STANDIN_RECORD_PATH")
        if path:
            with open(path, "a", encoding="utf-8") as f:
                f.write(json.dumps(request) + "\n")


async def _open_gateway(env: Mapping[str, str]) -> EmulatedTenantGateway:
    path = env.get("STANDIN_STATE_PATH")
    if not path:
        return EmulatedTenantGateway.seeded()
    return await EmulatedTenantGateway.open(JsonFileStateStore(Path(path)))


def _write(message: Mapping[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def _serve_one(worker: StandinWorker, line: bytes) -> None:
    await asyncio.sleep(worker.delay_for(line))
    answer = await worker.handle(line)
    if answer is None:
        return
    if worker.env.get("STANDIN_GARBAGE"):
        sys.stdout.write("WARNING: this is not JSON {\n")
    _write(answer)
    worker.answered += 1


class InProcessChannel:
    """A WorkerChannel to a StandinWorker in this event loop, so that it can share one emulated
    tenant instance with another fake (the fake Graph) without a second process."""

    def __init__(self, worker: StandinWorker) -> None:
        self.pid: int | None = None
        self._worker = worker
        self._lines: asyncio.Queue[bytes] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._lines.put_nowait(json.dumps(worker.ready_message()).encode() + b"\n")

    async def send(self, line: bytes) -> None:
        task = asyncio.create_task(self._serve(line))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, line: bytes) -> None:
        answer = await self._worker.handle(line)
        if answer is not None:
            self._lines.put_nowait(json.dumps(answer).encode() + b"\n")

    async def receive(self) -> bytes:
        return await self._lines.get()

    async def kill(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._lines.put_nowait(b"")

    async def close(self) -> None:
        await self.kill()


def in_process_launcher(
    gateway: TenantGateway,
    env: Mapping[str, str] | None = None,
    *,
    after_write: Callable[[], Awaitable[object]] | None = None,
    faults: StandinFaults | None = None,
) -> Any:
    """A `Launcher` for PowerShellWorker that answers from `gateway` in this process;
    `after_write` runs after each successful write (e.g. to refresh another fake's view);
    `faults` outlives restarts of the worker."""

    async def launch() -> InProcessChannel:
        worker = StandinWorker(gateway, env or {}, after_write=after_write, faults=faults)
        return InProcessChannel(worker)

    return launch


async def main() -> None:
    worker = StandinWorker(await _open_gateway(os.environ))
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=32 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    _write(worker.ready_message())
    if not worker.ready_message()["ready"]:
        sys.exit(1)
    tasks: set[asyncio.Task[None]] = set()
    while line := await reader.readline():
        if worker.crash_due:
            os._exit(3)  # a crash: no clean-up, no answer
        if not line.strip():
            continue
        if worker.env.get("STANDIN_DELAY_MS"):
            task = asyncio.create_task(_serve_one(worker, line))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        else:
            await _serve_one(worker, line)


if __name__ == "__main__":
    asyncio.run(main())
