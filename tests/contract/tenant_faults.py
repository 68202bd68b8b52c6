"""The contract's TenantFaults for each adapter, injected where that adapter meets its service."""

from __future__ import annotations

from collections.abc import Mapping

from sharedcalling.adapters.tenant.emulated_faults import Faults
from sharedcalling.services.ports import TenantPermissionDenied, TenantThrottled
from tests.fakes.fake_graph import FakeGraph, Fault, GraphStack
from tests.fakes.standin_worker import StandinFaults

# For each operation the contract faults: one Graph request that every attempt of one call of it
# sends exactly once, and where (`outer` plain request, or `batch` item).
# get_user and a scoped snapshot read the tenant's SKUs (which name the licenses) inside the
# accounts' `$batch`.
_GRAPH_REQUESTS: dict[str, tuple[str, str]] = {
    "get_user": ("/subscribedSkus", "batch"),
    "list_numbers": ("/numberAssignments", "outer"),
    "snapshot": ("/subscribedSkus", "batch"),
}
# The cmdlets a write runs in the PowerShell worker (Grant-* for every policy type).
_CMDLETS: dict[str, tuple[str, ...]] = {
    "grant_policy": (
        "Grant-CsTeamsSharedCallingRoutingPolicy",
        "Grant-CsOnlineVoiceRoutingPolicy",
        "Grant-CsTeamsEmergencyCallRoutingPolicy",
        "Grant-CsCallingLineIdentity",
    ),
}


def _known(table: Mapping[str, object], operation: str) -> None:
    if operation not in table:
        raise NotImplementedError(f"no fault mapping for {operation!r}; known: {sorted(table)}")


class EmulatedTenantFaults:
    """The emulated tenant's own fault injection, which runs before the operation touches state."""

    def __init__(self, faults: Faults) -> None:
        self._faults = faults

    def throttle(self, operation: str, *, retry_after: float, times: int = 1) -> None:
        self._faults.throttle(operation, times=times, retry_after=retry_after)

    def deny(self, operation: str, *, times: int = 1) -> None:
        error = TenantPermissionDenied(f"{operation}: access denied", operation=operation)
        self._faults.fail(operation, error, times=times)


class GraphTenantFaults:
    """HTTP 429 with Retry-After, or 403, from the fake Graph on a request the operation sends."""

    def __init__(self, fake: FakeGraph, *, attempts: int) -> None:
        self._fake = fake
        self._attempts = attempts

    @classmethod
    def of(cls, stack: GraphStack) -> GraphTenantFaults:
        return cls(stack.fake, attempts=stack.gateway.client.retry.attempts)

    def throttle(self, operation: str, *, retry_after: float, times: int = 1) -> None:
        _known(_GRAPH_REQUESTS, operation)
        match, where = _GRAPH_REQUESTS[operation]
        # The adapter retries a 429 `attempts` times within one call: throttle every attempt, so
        # the throttling reaches the caller (the stack's retry sleeps are recorded, not waited).
        fault = Fault(match, 429, times * self._attempts, retry_after=retry_after, where=where)
        self._fake.inject(fault)

    def deny(self, operation: str, *, times: int = 1) -> None:
        _known(_GRAPH_REQUESTS, operation)
        match, where = _GRAPH_REQUESTS[operation]
        self._fake.inject(Fault(match, 403, times, retry_after=None, where=where))


class CompositeTenantFaults:
    """Graph faults for what the composite reads through Graph; worker errors for the writes it
    runs as PowerShell cmdlets, reported through the worker protocol."""

    def __init__(self, graph: GraphTenantFaults, worker: StandinFaults) -> None:
        self._graph = graph
        self._worker = worker

    def throttle(self, operation: str, *, retry_after: float, times: int = 1) -> None:
        if operation not in _CMDLETS:
            self._graph.throttle(operation, retry_after=retry_after, times=times)
            return
        error = TenantThrottled("Too many requests.", retry_after=retry_after)
        self._worker.fail(_CMDLETS[operation], error, times=times)

    def deny(self, operation: str, *, times: int = 1) -> None:
        if operation not in _CMDLETS:
            self._graph.deny(operation, times=times)
            return
        error = TenantPermissionDenied("Access denied: the caller lacks the Teams admin role.")
        self._worker.fail(_CMDLETS[operation], error, times=times)
