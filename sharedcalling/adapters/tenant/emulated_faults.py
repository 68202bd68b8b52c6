"""Fault injection for the emulated tenant: throttling, delays and failures per operation.

Operation names are the TenantGateway method names; `*` matches every operation. The demo
environment variable EMULATED_FAULTS uses a comma-separated list of `operation=fault` items:

    throttle:<times>[:<retry_after seconds>]   raise TenantThrottled `times` times
    delay:<seconds>[:<times>]                  sleep before the operation (every time if no times)
    fail:<times>[:<error>]                     raise `error` `times` times; error is one of
                                               unavailable (default), denied, conflict,
                                               validation, notfound

Example: `grant_policy=throttle:2:1.5,snapshot=delay:0.2,*=fail:1:unavailable`.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from dataclasses import dataclass

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
    """How many more times the fault fires; None is forever."""
    error: TenantError | None = None
    delay: float = 0.0


class Faults:
    """The faults armed on one gateway. Each fault fires in the order it was added."""

    def __init__(self, sleep: Callable[[float], object] | None = None) -> None:
        self._faults: list[_Fault] = []
        self._sleep = sleep or asyncio.sleep
        self.fired: list[str] = []
        """Operation names, one per fault that fired (for tests and demos)."""

    def throttle(self, operation: str, *, times: int = 1, retry_after: float | None = 1.0) -> None:
        error = TenantThrottled(
            f"{operation}: too many requests", retry_after=retry_after, operation=operation
        )
        self._faults.append(_Fault(operation, times, error=error))

    def delay(self, operation: str, seconds: float, *, times: int | None = None) -> None:
        self._faults.append(_Fault(operation, times, delay=seconds))

    def fail(self, operation: str, error: TenantError, *, times: int = 1) -> None:
        self._faults.append(_Fault(operation, times, error=error))

    def clear(self) -> None:
        self._faults.clear()

    async def before(self, operation: str) -> None:
        """Run the armed faults for `operation`: sleep for delays, raise the first error."""
        for fault in list(self._faults):
            if fault.operation not in (operation, ANY_OPERATION):
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            self.fired.append(operation)
            if fault.delay:
                await _maybe_await(self._sleep(fault.delay))
            if fault.error is not None:
                # A fresh copy per raise, so tracebacks of earlier raises do not pile up.
                raise copy.copy(fault.error)


async def _maybe_await(result: object) -> None:
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        await result


def parse_faults(spec: str, faults: Faults | None = None) -> Faults:
    """Arm the faults of an EMULATED_FAULTS string (format in the module docstring)."""
    armed = faults if faults is not None else Faults()
    for item in filter(None, (part.strip() for part in spec.split(","))):
        operation, _, fault = item.partition("=")
        kind, *args = fault.strip().split(":")
        try:
            _arm(armed, operation.strip(), kind, args)
        except (ValueError, IndexError, KeyError) as exc:
            raise FaultSpecError(f"Bad fault {item!r}: {exc}. Format: {_FORMAT}") from None
    return armed


_FORMAT = (
    "operation=throttle:<times>[:<seconds>] | delay:<seconds>[:<times>] | fail:<times>[:<error>]"
)


def _arm(faults: Faults, operation: str, kind: str, args: list[str]) -> None:
    if not operation:
        raise ValueError("no operation")
    if kind == "throttle":
        retry_after = float(args[1]) if len(args) > 1 else None
        faults.throttle(operation, times=_count(args[0]), retry_after=retry_after)
    elif kind == "delay":
        times = _count(args[1]) if len(args) > 1 else None
        faults.delay(operation, _seconds(args[0]), times=times)
    elif kind == "fail":
        name = args[1] if len(args) > 1 else "unavailable"
        if name not in _ERRORS:
            raise ValueError(f"unknown error {name!r}, use one of {', '.join(_ERRORS)}")
        faults.fail(operation, _ERRORS[name](operation), times=_count(args[0]))
    else:
        raise ValueError(f"unknown fault {kind!r}")


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
