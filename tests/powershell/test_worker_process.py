from __future__ import annotations

import asyncio

import pytest

from sharedcalling.adapters.tenant.powershell_worker import PowerShellWorker
from sharedcalling.services.ports import TenantNotFound, TenantUnavailable
from tests.powershell.conftest import MakeWorker

SCP = "Get-CsTeamsSharedCallingRoutingPolicy"


async def test_worker_answers_a_ping_with_its_module_version(make_worker: MakeWorker) -> None:
    worker = make_worker()
    answer = await worker.ping()
    assert answer["pong"] is True
    assert worker.module_version == "6.9.0"
    assert worker.pid is not None


async def test_a_cmdlet_round_trips_as_powershell_shaped_objects(make_worker: MakeWorker) -> None:
    result = await make_worker().run(SCP, {"Identity": "Seattle"})
    assert result == [
        {
            "Identity": "Tag:Seattle",
            "ResourceAccount": "00000000-0000-4000-8000-000000000051",
            "EmergencyNumbers": ["+14255550191", "+14255550192"],
            "Description": result[0]["Description"],
        }
    ]


async def test_a_worker_error_is_raised_as_the_ports_error(make_worker: MakeWorker) -> None:
    with pytest.raises(TenantNotFound, match="Get-CsOnlineVoiceRoutingPolicy failed"):
        await make_worker().run("Get-CsOnlineVoiceRoutingPolicy", {"Identity": "Nope"})


async def test_a_module_older_than_5_5_0_is_refused(make_worker: MakeWorker) -> None:
    worker = make_worker({"STANDIN_MODULE_VERSION": "5.4.1"})
    with pytest.raises(TenantUnavailable, match=r"5\.4\.1 is older than 5\.5\.0"):
        await worker.ping()
    assert worker.pid is None


async def test_a_worker_that_cannot_connect_reports_why(make_worker: MakeWorker) -> None:
    worker = make_worker({"STANDIN_FAIL_START": "AADSTS700027: certificate not valid"})
    with pytest.raises(TenantUnavailable, match="AADSTS700027"):
        await worker.ping()


async def test_a_missing_pwsh_is_reported_as_unavailable() -> None:
    from sharedcalling.adapters.tenant.powershell_worker import pwsh_launcher

    worker = PowerShellWorker(pwsh_launcher("/nonexistent/pwsh", {}))
    with pytest.raises(TenantUnavailable, match="cannot start"):
        await worker.ping()


@pytest.mark.slow
async def test_a_timed_out_call_kills_the_worker_and_the_next_call_restarts_it(
    make_worker: MakeWorker,
) -> None:
    worker = make_worker({"STANDIN_HANG_ON": "Get-CsCallingLineIdentity"}, call_timeout=0.5)
    await worker.ping()
    first_pid = worker.pid
    with pytest.raises(TenantUnavailable, match="timed out"):
        await worker.run("Get-CsCallingLineIdentity")
    assert worker.pid is None
    assert await worker.run(SCP, {"Identity": "HelpDesk"})
    assert worker.pid not in (None, first_pid)
    assert worker.restarts == 1


async def test_a_crashed_worker_fails_the_call_and_is_restarted_on_the_next(
    make_worker: MakeWorker,
) -> None:
    worker = make_worker({"STANDIN_CRASH_AFTER": "1"})
    await worker.ping()
    first_pid = worker.pid
    with pytest.raises(TenantUnavailable, match="exited"):
        await worker.run(SCP)
    assert (await worker.ping())["pong"] is True
    assert worker.pid != first_pid


async def test_restarts_are_bounded(make_worker: MakeWorker) -> None:
    worker = make_worker({"STANDIN_CRASH_AFTER": "0"}, max_restarts=2)
    for _ in range(3):
        with pytest.raises(TenantUnavailable, match="exited"):
            await worker.ping()
    with pytest.raises(TenantUnavailable, match="failed 3 times"):
        await worker.ping()


async def test_garbage_lines_on_stdout_are_skipped(make_worker: MakeWorker) -> None:
    worker = make_worker({"STANDIN_GARBAGE": "1"})
    assert (await worker.ping())["pong"] is True
    assert len(await worker.run(SCP)) == 3


async def test_concurrent_answers_out_of_order_reach_their_own_callers(
    make_worker: MakeWorker,
) -> None:
    worker = make_worker({"STANDIN_DELAY_MS": "40"}, max_in_flight=16)
    names = ["Global", "NoPSTN", "DE-Berlin-PSTN"] * 6
    results = await asyncio.gather(
        *(worker.run("Get-CsOnlineVoiceRoutingPolicy", {"Identity": n}) for n in names)
    )
    assert [r[0]["Identity"].removeprefix("Tag:") for r in results] == names


async def test_closing_the_worker_ends_the_process(make_worker: MakeWorker) -> None:
    worker = make_worker()
    await worker.ping()
    await worker.close()
    assert worker.pid is None
