"""Pacing of tenant calls during apply: bounded concurrency, an optional call rate, Retry-After.

One TenantPacer serves every apply job of a process on its tenant. A call waits for a free slot
(at most `concurrency` calls in flight), for its turn under `calls_per_second` when one is set,
and for the end of any wait the service asked for: a 429's Retry-After holds every call, not only
the one that was throttled, since the service throttles the app, not the call. Throttled and
unavailable calls are retried within a budget of attempts and waiting time; the last error is
raised when the budget is spent.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sharedcalling.services.ports import TenantThrottled, TenantUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")
CATCH_UP = 2
"""Calls a paced caller may start early to make up for timer lateness (a burst of 2)."""
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryBudget:
    """How long one call may keep trying: attempts, and seconds of waiting in total."""

    attempts: int = 8
    """Attempts after outages (errors without Retry-After); a throttled call is retried for as
    long as the wait budget lasts, since the service says when to come back."""
    wait_seconds: float = 300.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    """Caps the backoff of errors without Retry-After; a service's Retry-After is never capped
    (it only has to fit the wait budget)."""


@dataclass
class PacerStats:
    """What the pacer saw, for logs and benchmarks."""

    calls: int = 0
    throttled: int = 0
    unavailable: int = 0
    waited: float = 0.0


@dataclass
class TenantPacer:
    concurrency: int = 8
    calls_per_second: float | None = None
    budget: RetryBudget = field(default_factory=RetryBudget)
    monotonic: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep
    jitter: Callable[[], float] = random.random
    stats: PacerStats = field(default_factory=PacerStats)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._slots = asyncio.Semaphore(self.concurrency)
        self._hold_until = 0.0
        self._next_start = 0.0

    def hold(self, seconds: float) -> None:
        """No call starts for `seconds` (the service's Retry-After)."""
        self._hold_until = max(self._hold_until, self.monotonic() + max(0.0, seconds))

    async def _admit(self) -> None:
        while True:
            now = self.monotonic()
            start = max(now, self._hold_until)
            if self.calls_per_second:
                start = max(start, self._next_start)
            if start <= now:
                break
            await self.sleep(start - now)
        if self.calls_per_second:
            # On the ideal timeline, not from when this caller woke up: timer lateness would
            # otherwise slow every later call. Catching up is limited to CATCH_UP intervals.
            interval = 1.0 / self.calls_per_second
            self._next_start = max(self._next_start, now - CATCH_UP * interval) + interval

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.budget.max_delay, self.budget.base_delay * (2 ** (attempt - 1)))
        return float(ceiling * (0.5 + self.jitter() / 2))

    async def call(self, name: str, operation: Callable[[], Awaitable[T]]) -> T:
        """Run `operation` paced and retried; raises its last error when the budget is spent."""
        attempt, waited = 0, 0.0
        while True:
            attempt += 1
            try:
                async with self._slots:
                    await self._admit()
                    self.stats.calls += 1
                    return await operation()
            except TenantThrottled as error:
                self.stats.throttled += 1
                after = error.retry_after
                wait = float(after) if after is not None else self._backoff(attempt)
                self.hold(wait)
                last: Exception = error
            except TenantUnavailable as error:
                self.stats.unavailable += 1
                wait, last = self._backoff(attempt), error
            out_of_attempts = (
                not isinstance(last, TenantThrottled) and attempt >= self.budget.attempts
            )
            if out_of_attempts or waited + wait > self.budget.wait_seconds:
                logger.info("giving up %s after %d attempts (%.1fs waited)", name, attempt, waited)
                raise last
            waited += wait
            self.stats.waited += wait
            if not isinstance(last, TenantThrottled):
                await self.sleep(wait)  # a throttle's wait is the hold every call honours
