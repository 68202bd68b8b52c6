"""Fault injection for the emulated tenant: throttling, delays, failures and a rate limit.

Operation names are the TenantGateway method names; `*` matches every operation. A write's
subject (the user, group or resource account id, the policy name, the number) may narrow a
fault to one object: `operation@subject`. The demo environment variable EMULATED_FAULTS is a
comma-separated list of `operation[@subject]=fault` items:

    throttle:<times>[:<retry_after seconds>]   raise TenantThrottled `times` times
    delay:<seconds>[:<times>]                  sleep before the operation (every time if no times)
    fail:<times>[:<error>]                     raise `error` `times` times; error is one of
                                               unavailable (default), denied, conflict,
                                               validation, notfound
    limit:<calls per second>[:<burst>]         a token bucket: beyond it, TenantThrottled with
                                               the seconds until the next call is allowed

`<times>` is a count, `*` (every time) or a percentage such as `30%` (that share of the calls,
chosen at random from a fixed seed, so that a run can be repeated).

Example: `grant_policy=throttle:2:1.5,snapshot=delay:0.2,*=throttle:30%:0.05,*=limit:200`.
"""

from __future__ import annotations

import asyncio
import copy
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from sharedcalling.domain.names import same
from sharedcalling.services.ports import (
    TenantConflict,
    TenantError,
    TenantNotFound,
    TenantPermissionDenied,
    TenantThrottled,
    TenantUnavailable,
    TenantValidationError,
)

ANY_OPERATION = "*"
DEFAULT_SEED = 12

_ERRORS: dict[str, Callable[[str], TenantError]] = {
    "unavailable": lambda op: TenantUnavailable(f"{op}: the service is unavailable", operation=op),
    "denied": lambda op: TenantPermissionDenied(f"{op}: access denied", operation=op),
    "conflict": lambda op: TenantConflict(f"{op}: conflicting change", operation=op),
    "validation": lambda op: TenantValidationError(f"{op}: rejected", operation=op),
    "notfound": lambda op: TenantNotFound(f"{op}: object not found", operation=op),
}


class FaultSpecError(ValueError):
    """An EMULATED_FAULTS string is malformed; the message names the bad item."""


@dataclass
class _Fault:
    operation: str
    remaining: int | None
    """How many more times the fault fires; None is forever (or `share` of the calls)."""
    error: TenantError | None = None
    delay: float = 0.0
    subject: str | None = None
    share: float | None = None
    """Fire on this fraction of the calls instead of counting down."""

    def matches(self, operation: str, subject: str | None) -> bool:
        if self.operation not in (operation, ANY_OPERATION):
            return False
        return self.subject is None or same(self.subject, subject)


@dataclass
class _Bucket:
    """A token bucket over the calls that match `operation`."""

    operation: str
    rate: float
    burst: float
    tokens: float
    updated: float


class Faults:
    """The faults armed on one gateway. Each fault fires in the order it was added."""

    def __init__(
        self,
        sleep: Callable[[float], object] | None = None,
        *,
        seed: int = DEFAULT_SEED,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._faults: list[_Fault] = []
        self._buckets: list[_Bucket] = []
        self._sleep = sleep or asyncio.sleep
        self._random = random.Random(seed)  # noqa: S311  # reproducible fault choice, not crypto
        self._monotonic = monotonic
        self.fired: list[str] = []
        """Operation names, one per fault that fired (for tests and demos)."""
        self.calls = 0
        """Calls that passed every fault (for benchmarks: what the service answered)."""

    def throttle(
        self,
        operation: str,
        *,
        times: int | None = 1,
        retry_after: float | None = 1.0,
        subject: str | None = None,
        share: float | None = None,
    ) -> None:
        error = TenantThrottled(
            f"{operation}: too many requests", retry_after=retry_after, operation=operation
        )
        self._faults.append(_Fault(operation, times, error=error, subject=subject, share=share))

    def delay(self, operation: str, seconds: float, *, times: int | None = None) -> None:
        self._faults.append(_Fault(operation, times, delay=seconds))

    def fail(
        self,
        operation: str,
        error: TenantError,
        *,
        times: int | None = 1,
        subject: str | None = None,
        share: float | None = None,
    ) -> None:
        self._faults.append(_Fault(operation, times, error=error, subject=subject, share=share))

    def limit(self, operation: str, calls_per_second: float, *, burst: float = 1.0) -> None:
        now = self._monotonic()
        self._buckets.append(_Bucket(operation, calls_per_second, burst, burst, now))

    def clear(self) -> None:
        self._faults.clear()
        self._buckets.clear()

    def clear_subject(self, subject: str) -> None:
        """Disarm the faults aimed at one object (the fault was fixed)."""
        self._faults = [f for f in self._faults if not same(f.subject, subject)]

    async def before(self, operation: str, subject: str | None = None) -> None:
        """Run the armed faults for `operation`: sleep for delays, raise the first error."""
        for fault in list(self._faults):
            if not fault.matches(operation, subject) or not self._fires(fault):
                continue
            self.fired.append(operation)
            if fault.delay:
                await _maybe_await(self._sleep(fault.delay))
            if fault.error is not None:
                # A fresh copy per raise, so tracebacks of earlier raises do not pile up.
                raise copy.copy(fault.error)
        self._take_tokens(operation)
        self.calls += 1

    def _fires(self, fault: _Fault) -> bool:
        if fault.share is not None:
            return self._random.random() < fault.share
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
        return True

    def _take_tokens(self, operation: str) -> None:
        for bucket in self._buckets:
            if bucket.operation not in (operation, ANY_OPERATION):
                continue
            now = self._monotonic()
            bucket.tokens = min(bucket.burst, bucket.tokens + (now - bucket.updated) * bucket.rate)
            bucket.updated = now
            if bucket.tokens < 1.0:
                self.fired.append(operation)
                # Precise to the millisecond; Graph rounds up to whole seconds (docs/demo-tenant).
                wait = math.ceil((1.0 - bucket.tokens) / bucket.rate * 1000) / 1000
                raise TenantThrottled(
                    f"{operation}: rate limit of {bucket.rate:g} calls per second",
                    retry_after=wait,
                    operation=operation,
                )
        for bucket in self._buckets:
            if bucket.operation in (operation, ANY_OPERATION):
                bucket.tokens -= 1.0


async def _maybe_await(result: object) -> None:
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        await result


def parse_faults(spec: str, faults: Faults | None = None) -> Faults:
    """Arm the faults of an EMULATED_FAULTS string (format in the module docstring)."""
    armed = faults if faults is not None else Faults()
    for item in filter(None, (part.strip() for part in spec.split(","))):
        target, _, fault = item.partition("=")
        operation, _, subject = target.strip().partition("@")
        kind, *args = fault.strip().split(":")
        try:
            _arm(armed, operation.strip(), subject.strip() or None, kind, args)
        except (ValueError, IndexError, KeyError) as exc:
            raise FaultSpecError(f"Bad fault {item!r}: {exc}. Format: {_FORMAT}") from None
    return armed


_FORMAT = (
    "operation[@subject]=throttle:<times>[:<seconds>] | delay:<seconds>[:<times>] | "
    "fail:<times>[:<error>] | limit:<calls per second>[:<burst>]; times: a count, * or N%"
)


def _arm(faults: Faults, operation: str, subject: str | None, kind: str, args: list[str]) -> None:
    if not operation:
        raise ValueError("no operation")
    if kind == "throttle":
        times, share = _times(args[0])
        retry_after = float(args[1]) if len(args) > 1 else None
        faults.throttle(
            operation, times=times, retry_after=retry_after, subject=subject, share=share
        )
    elif kind == "delay":
        times = _count(args[1]) if len(args) > 1 else None
        faults.delay(operation, _seconds(args[0]), times=times)
    elif kind == "fail":
        name = args[1] if len(args) > 1 else "unavailable"
        if name not in _ERRORS:
            raise ValueError(f"unknown error {name!r}, use one of {', '.join(_ERRORS)}")
        times, share = _times(args[0])
        faults.fail(operation, _ERRORS[name](operation), times=times, subject=subject, share=share)
    elif kind == "limit":
        burst = float(args[1]) if len(args) > 1 else 1.0
        faults.limit(operation, _rate(args[0]), burst=max(1.0, burst))
    else:
        raise ValueError(f"unknown fault {kind!r}")


def _times(text: str) -> tuple[int | None, float | None]:
    """(count, share): `3` is three times, `*` every time, `30%` that share of the calls."""
    if text == "*":
        return None, None
    if text.endswith("%"):
        percent = float(text[:-1])
        if not 0 < percent <= 100:
            raise ValueError("a percentage must be above 0 and at most 100")
        return None, percent / 100
    return _count(text), None


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("times must be at least 1")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 60:
        raise ValueError("seconds must be between 0 and 60")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("a rate must be above 0 calls per second")
    return value
