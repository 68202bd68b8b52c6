from __future__ import annotations

import pytest

from sharedcalling.adapters.tenant.retry import RetryPolicy, with_retries
from sharedcalling.services.ports import TenantNotFound, TenantThrottled, TenantUnavailable


def policy(sleeps: list[float], attempts: int = 4) -> RetryPolicy:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return RetryPolicy(
        attempts=attempts, base_delay=1.0, max_delay=5.0, sleep=sleep, jitter=lambda: 1.0
    )


def failing(*errors: Exception):  # type: ignore[no-untyped-def]
    queue = list(errors)

    async def operation() -> str:
        if queue:
            raise queue.pop(0)
        return "done"

    return operation


async def test_retry_after_is_honoured_exactly_even_beyond_the_backoff_cap() -> None:
    sleeps: list[float] = []
    result = await with_retries(
        failing(TenantThrottled("slow", retry_after=30)), policy=policy(sleeps)
    )
    assert (result, sleeps) == ("done", [30.0])


async def test_without_retry_after_backoff_doubles_up_to_its_cap() -> None:
    sleeps: list[float] = []
    errors = [TenantUnavailable("down") for _ in range(3)]
    await with_retries(failing(*errors), policy=policy(sleeps))
    assert sleeps == [1.0, 2.0, 4.0]
    assert policy([]).backoff(10) == 5.0


async def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    sleeps: list[float] = []
    errors = [TenantThrottled(str(i), retry_after=1) for i in range(5)]
    with pytest.raises(TenantThrottled, match="2"):
        await with_retries(failing(*errors), policy=policy(sleeps, attempts=3))
    assert sleeps == [1.0, 1.0]


async def test_errors_that_cannot_heal_are_not_retried() -> None:
    sleeps: list[float] = []
    with pytest.raises(TenantNotFound):
        await with_retries(failing(TenantNotFound("gone")), policy=policy(sleeps))
    assert sleeps == []


def test_jitter_keeps_backoff_between_zero_and_the_ceiling() -> None:
    half = RetryPolicy(base_delay=2.0, jitter=lambda: 0.5)
    assert half.backoff(2) == 2.0
