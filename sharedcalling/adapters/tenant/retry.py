"""Bounded retries for tenant calls: honour Retry-After, else jittered exponential backoff."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sharedcalling.services.ports import TenantThrottled, TenantUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]

RETRYABLE: tuple[type[Exception], ...] = (TenantThrottled, TenantUnavailable)
"""Throttling and transient unavailability are worth another attempt; nothing else is."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait. `max_delay` caps backoff, never a server's Retry-After."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Sleep = field(default=asyncio.sleep)
    jitter: Callable[[], float] = field(default=random.random)

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

    The last retryable error is re-raised unchanged once `policy.attempts` calls have failed.
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
            await policy.sleep(wait)
            attempt += 1
