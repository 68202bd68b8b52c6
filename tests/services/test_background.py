from __future__ import annotations

import asyncio

from sharedcalling.services.background import Background, PeriodicJob


async def test_jobs_run_repeatedly_and_survive_their_own_failures() -> None:
    runs: list[str] = []

    async def flaky() -> None:
        runs.append("flaky")
        if len(runs) == 1:
            raise RuntimeError("first run fails")

    background = Background([PeriodicJob("flaky", 0.01, flaky)], jitter=0)
    background.start()
    for _ in range(200):
        if len(runs) >= 3:
            break
        await asyncio.sleep(0.01)
    await background.stop()
    assert len(runs) >= 3
    count = len(runs)
    await asyncio.sleep(0.05)
    assert len(runs) == count  # stopped means stopped


async def test_a_job_waits_for_its_first_delay() -> None:
    runs: list[int] = []

    async def job() -> None:
        runs.append(1)

    background = Background([PeriodicJob("late", 0.01, job, first_delay=10)])
    background.start()
    await asyncio.sleep(0.05)
    await background.stop()
    assert runs == []
