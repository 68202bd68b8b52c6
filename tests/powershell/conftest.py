"""Fixtures for the PowerShell adapter: the stand-in worker as a real subprocess or in-process."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.powershell import PowerShellTenantGateway
from sharedcalling.adapters.tenant.powershell_worker import (
    Launcher,
    PowerShellWorker,
    SubprocessChannel,
    WorkerChannel,
)
from tests.fakes.standin_worker import in_process_launcher

REPO = Path(__file__).resolve().parents[2]
MakeWorker = Callable[..., PowerShellWorker]


def standin_launcher(env: Mapping[str, str] | None = None) -> Launcher:
    """Start `python -m tests.fakes.standin_worker` as a child process, as pwsh would be."""
    argv = [sys.executable, "-m", "tests.fakes.standin_worker"]
    environment = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", **(env or {})}

    async def launch() -> WorkerChannel:
        return await SubprocessChannel.start(argv, environment)

    return launch


@pytest.fixture
async def make_worker() -> AsyncIterator[MakeWorker]:
    """Build PowerShellWorkers over a stand-in subprocess; all are closed after the test."""
    workers: list[PowerShellWorker] = []

    def make(env: Mapping[str, str] | None = None, **options: float) -> PowerShellWorker:
        options.setdefault("call_timeout", 10.0)
        options.setdefault("start_timeout", 10.0)
        worker = PowerShellWorker(standin_launcher(env), **options)  # type: ignore[arg-type]
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        await worker.close()


@pytest.fixture
def tenant() -> EmulatedTenantGateway:
    return EmulatedTenantGateway.seeded()


@pytest.fixture
async def gateway(tenant: EmulatedTenantGateway) -> AsyncIterator[PowerShellTenantGateway]:
    """The PowerShell gateway over an in-process stand-in sharing `tenant` with the test."""
    worker = PowerShellWorker(in_process_launcher(tenant), call_timeout=5.0)
    yield PowerShellTenantGateway(worker, tenant.tenant_id)
    await worker.close()
