"""Bounded retries for tenant calls: honour Retry-After, else jittered exponential backoff.

Inside an interactive turn (see `correlation.begin_wait_budget`) every wait a RetryPolicy takes,
in `with_retries` or in an adapter's own loop (Graph `$batch` items), counts against the turn's
budget. A wait that does not fit is not started: `with_retries` raises the last error at once,
and a bare `policy.sleep` raises WaitBudgetExceeded (a TenantThrottled naming the wait), so the
person hears "ask again in N seconds" instead of waiting past Teams' patience.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sharedcalling import correlation
from sharedcalling.services.ports import TenantThrottled, TenantUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]

RETRYABLE: tuple[type[Exception], ...] = (TenantThrottled, TenantUnavailable)
"""Throttling and transient unavailability are worth another attempt; nothing else is."""


class WaitBudgetExceeded(TenantThrottled):
    """A retry wait would outlast the running turn's budget; `retry_after` is that wait."""


@dataclass(frozen=True, slots=True)
class _BudgetedSleep:
    """A sleep that first takes its time from the running turn's wait budget."""

    sleep: Sleep

    async def __call__(self, seconds: float) -> None:
        budget = correlation.current_wait_budget()
        if budget is not None:
            left = budget.remaining()
            if seconds > left:
                logger.info("not waiting %.2fs for a retry: %.2fs left in this turn", seconds, left)
                raise WaitBudgetExceeded(
                    f"waiting {seconds:.0f} s would exceed the turn's budget", retry_after=seconds
                )
            budget.spend(seconds)
        await self.sleep(seconds)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait. `max_delay` caps backoff, never a server's Retry-After.

    `sleep` is wrapped so that it honours the turn's wait budget (see the module docstring).
    """

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Sleep = field(default=asyncio.sleep)
    jitter: Callable[[], float] = field(default=random.random)

    def __post_init__(self) -> None:
        if not isinstance(self.sleep, _BudgetedSleep):
            object.__setattr__(self, "sleep", _BudgetedSleep(self.sleep))

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the given 1-based attempt number."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return ceiling * self.jitter()

    def delay(self, error: Exception, attempt: int) -> float:
        """Seconds to wait after `error`: the service's Retry-After when it gave one."""
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, int | float) and retry_after >= 0:
            return float(retry_after)
        return self.backoff(attempt)


async def with_retries(
    operation: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy | None = None,
    retry_on: tuple[type[Exception], ...] = RETRYABLE,
    name: str = "",
) -> T:
    """Run `operation` until it succeeds, raises a non-retryable error, or attempts run out.

    The last retryable error is re-raised unchanged once `policy.attempts` calls have failed, or
    at once when the next wait does not fit the running turn's budget.
    """
    policy = policy or RetryPolicy()
    attempt = 1
    while True:
        try:
            return await operation()
        except retry_on as error:
            if attempt >= policy.attempts:
                raise
            wait = policy.delay(error, attempt)
            logger.info(
                "retrying %s after %s (attempt %d of %d, waiting %.2fs)",
                name or "tenant call",
                type(error).__name__,
                attempt,
                policy.attempts,
                wait,
            )
            try:
                await policy.sleep(wait)
            except WaitBudgetExceeded:
                raise error from None
            attempt += 1
