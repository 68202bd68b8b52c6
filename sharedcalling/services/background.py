"""Work the bot does on its own, outside any turn: periodic jobs run by one task each.

The apply worker, the request expiry sweep and the hazard check are PeriodicJobs. Each replica
runs its own loop; jobs that must run once across replicas take a lease inside their `run`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sharedcalling import correlation

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """`run` every `interval` seconds (first after `first_delay`); a failure is logged, and
    the next run comes as planned."""

    name: str
    interval: float
    run: Callable[[], Awaitable[None]]
    first_delay: float = 0.0


class Background:
    """Runs PeriodicJobs until stopped; `stop()` cancels them at their next await."""

    def __init__(self, jobs: Sequence[PeriodicJob], *, jitter: float = 0.1) -> None:
        self._jobs = tuple(jobs)
        self._jitter = jitter
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        if self._tasks:
            raise RuntimeError("background jobs already started")
        self._tasks = [
            asyncio.create_task(self._loop(job), name=f"background:{job.name}")
            for job in self._jobs
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _loop(self, job: PeriodicJob) -> None:
        await asyncio.sleep(job.first_delay)
        while True:
            correlation.begin_turn(None)
            try:
                await job.run()
            except asyncio.CancelledError:
                raise
            except Exception:  # a job's failure must not end its loop
                logger.exception("Background job %s failed", job.name)
            # Jitter keeps replicas started together from polling in lock-step.
            spread = job.interval * self._jitter
            await asyncio.sleep(max(0.0, job.interval + random.uniform(-spread, spread)))  # noqa: S311
