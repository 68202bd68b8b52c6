"""TenantPacer: bounded concurrency, a call rate, Retry-After for every caller, a retry budget."""

from __future__ import annotations

import asyncio

import pytest

from sharedcalling.services.apply.pacing import RetryBudget, TenantPacer
from sharedcalling.services.ports import (
    TenantThrottled,
    TenantUnavailable,
    TenantValidationError,
)


class VirtualTime:
    """A clock that sleeping moves forward; the sleeps are recorded, never waited."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds
        await asyncio.sleep(0)


def pacer(time: VirtualTime, **options: object) -> TenantPacer:
    return TenantPacer(monotonic=time.monotonic, sleep=time.sleep, jitter=lambda: 0.0, **options)  # type: ignore[arg-type]


def failing(errors: list[Exception], result: str = "ok"):  # type: ignore[no-untyped-def]
    async def operation() -> str:
        if errors:
            raise errors.pop(0)
        return result

    return operation


async def test_no_more_calls_than_the_concurrency_run_at_once() -> None:
    gate, running, peak = asyncio.Event(), 0, 0

    async def operation() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1

    paced = TenantPacer(concurrency=4)
    calls = [asyncio.create_task(paced.call("op", operation)) for _ in range(20)]
    await asyncio.sleep(0.01)
    assert (running, peak) == (4, 4)
    gate.set()
    await asyncio.gather(*calls)
    assert (peak, paced.stats.calls) == (4, 20)


async def test_a_retry_after_is_waited_exactly_and_the_call_succeeds() -> None:
    time = VirtualTime()
    throttle = [TenantThrottled("slow", retry_after=2), TenantThrottled("slow", retry_after=3)]
    paced = pacer(time)
    assert await paced.call("op", failing(throttle)) == "ok"
    assert time.sleeps == [2.0, 3.0]
    assert (paced.stats.calls, paced.stats.throttled, paced.stats.waited) == (3, 2, 5.0)


async def test_a_retry_after_holds_every_other_call_too() -> None:
    time = VirtualTime()
    paced = pacer(time)
    started: list[float] = []

    async def record() -> None:
        started.append(time.now)

    await paced.call("a", failing([TenantThrottled("slow", retry_after=5)]))
    time.now = 1.0  # another call comes while the service still wants us to wait
    await paced.call("b", record)
    assert started == [5.0]


async def test_calls_are_spaced_by_the_rate() -> None:
    time = VirtualTime()
    paced = pacer(time, calls_per_second=10)
    starts: list[float] = []

    async def record() -> None:
        starts.append(round(time.now, 6))

    for _ in range(4):
        await paced.call("op", record)
    assert starts == [0.0, 0.1, 0.2, 0.3]


async def test_the_last_error_is_raised_when_the_wait_budget_is_spent() -> None:
    time = VirtualTime()
    paced = pacer(time, budget=RetryBudget(attempts=10, wait_seconds=300))
    throttle = [TenantThrottled("slow", retry_after=200) for _ in range(3)]
    with pytest.raises(TenantThrottled):
        await paced.call("op", failing(throttle))
    assert paced.stats.calls == 2  # the second wait of 200 s would pass the 300 s budget
    assert len(throttle) == 1


async def test_unavailable_backs_off_and_attempts_are_bounded() -> None:
    time = VirtualTime()
    paced = pacer(time, budget=RetryBudget(attempts=3, base_delay=1.0))
    errors: list[Exception] = [TenantUnavailable("down") for _ in range(5)]
    with pytest.raises(TenantUnavailable):
        await paced.call("op", failing(errors))
    assert time.sleeps == [0.5, 1.0]  # half of 1 s and 2 s with no jitter; then 3 attempts
    assert paced.stats.calls == 3


async def test_an_error_that_is_not_transient_is_raised_at_once() -> None:
    time = VirtualTime()
    paced = pacer(time)
    with pytest.raises(TenantValidationError):
        await paced.call("op", failing([TenantValidationError("no")]))
    assert (paced.stats.calls, time.sleeps) == (1, [])
