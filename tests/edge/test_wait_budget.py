"""The turn's wait budget: retries inside an interactive turn never outwait the person."""

from __future__ import annotations

import asyncio

import pytest

from sharedcalling import correlation
from sharedcalling.adapters.tenant.retry import RetryPolicy, WaitBudgetExceeded, with_retries
from sharedcalling.services.ports import TenantThrottled, TenantUnavailable


def _policy(sleeps: list[float]) -> RetryPolicy:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return RetryPolicy(attempts=5, base_delay=1.0, sleep=sleep, jitter=lambda: 1.0)


def _failing(*errors: Exception):  # type: ignore[no-untyped-def]
    queue = list(errors)

    async def operation() -> str:
        if queue:
            raise queue.pop(0)
        return "done"

    return operation


async def test_outside_a_turn_retries_wait_as_long_as_the_service_says() -> None:
    sleeps: list[float] = []
    errors = [TenantThrottled("slow", retry_after=30) for _ in range(2)]
    assert await with_retries(_failing(*errors), policy=_policy(sleeps)) == "done"
    assert sleeps == [30.0, 30.0]


async def test_inside_a_turn_a_wait_beyond_the_budget_raises_the_last_error_at_once() -> None:
    sleeps: list[float] = []
    error = TenantThrottled("slow", retry_after=30, request_id="r-1")

    async def turn() -> None:
        correlation.begin_wait_budget(5.0)
        await with_retries(_failing(error), policy=_policy(sleeps))

    with pytest.raises(TenantThrottled) as raised:
        await asyncio.create_task(turn())  # its own context: the budget ends with it
    assert raised.value is error, "the service's own error, with its request id and wait"
    assert sleeps == []


async def test_waits_that_fit_are_spent_from_one_budget() -> None:
    sleeps: list[float] = []
    errors = [TenantUnavailable("down") for _ in range(4)]  # backoff 1, 2, 4, 8 s

    async def turn() -> None:
        correlation.begin_wait_budget(5.0)
        await with_retries(_failing(*errors), policy=_policy(sleeps))

    with pytest.raises(TenantUnavailable):
        await asyncio.create_task(turn())  # its own context: the budget ends with it
    assert sleeps == [1.0, 2.0], "the 4 s wait would have exceeded the 2 s left"


async def test_an_adapters_own_retry_loop_is_bounded_by_the_budget_too() -> None:
    sleeps: list[float] = []
    policy = _policy(sleeps)

    async def turn() -> None:
        correlation.begin_wait_budget(3.0)
        await policy.sleep(2.0)
        await policy.sleep(2.0)

    with pytest.raises(WaitBudgetExceeded) as raised:
        await asyncio.create_task(turn())  # its own context: the budget ends with it
    assert raised.value.retry_after == 2.0
    assert sleeps == [2.0]


async def test_a_budget_belongs_to_its_turn() -> None:
    async def turn() -> float | None:
        correlation.begin_wait_budget(5.0)
        budget = correlation.current_wait_budget()
        return budget.remaining() if budget else None

    left = await asyncio.create_task(turn())
    assert left is not None
    assert 4.0 < left <= 5.0
    assert correlation.current_wait_budget() is None
