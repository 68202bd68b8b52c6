"""Counting a tenant gateway's port calls for /metrics, at one place: a class decorator."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sharedcalling.metrics as metrics
from sharedcalling.services.ports import TenantReader, TenantThrottled, TenantWriter

PORT_OPERATIONS = tuple(
    sorted(
        name
        for port in (TenantReader, TenantWriter)
        for name, member in vars(port).items()
        if not name.startswith("_") and inspect.iscoroutinefunction(member)
    )
)
"""Every read and write of the tenant port: the `operation` label's whole value set."""

Gateway = TypeVar("Gateway", bound=type)


def count_port_calls(backend: str) -> Callable[[Gateway], Gateway]:
    """Wrap each port operation of the decorated class so that every call is counted by
    outcome: ok, throttled (TenantThrottled, e.g. an injected fault) or error (any other
    exception; a not-found answer too, as Graph's 404 is)."""

    def decorate(cls: Gateway) -> Gateway:
        for name in PORT_OPERATIONS:
            setattr(cls, name, _counting(backend, name, getattr(cls, name)))
        return cls

    return decorate


def _counting(
    backend: str, operation: str, call: Callable[..., Awaitable[Any]]
) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(call)
    async def counted(*args: Any, **kwargs: Any) -> Any:
        try:
            result = await call(*args, **kwargs)
        except TenantThrottled:
            metrics.tenant_call(backend, operation, metrics.THROTTLED)
            raise
        except Exception:
            metrics.tenant_call(backend, operation, metrics.ERROR)
            raise
        metrics.tenant_call(backend, operation, metrics.OK)
        return result

    return counted
