"""Prometheus metrics of the bot (`GET /metrics`), in a registry of its own.

Counters are process-wide and only grow; gauges of stored state (requests by state, approvals
pending, apply jobs by state) are refreshed from the database when /metrics is scraped. The
tenant adapters count their calls here, each at its one way out (GraphClient.send,
PowerShellWorker._call, the emulated gateway's port methods); no label takes a value from input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

TURNS = Counter(
    "sharedcalling_turns",
    "Requests to /api/messages by activity type and HTTP status.",
    ["kind", "status"],
    registry=REGISTRY,
)
TURN_SECONDS = Histogram(
    "sharedcalling_turn_seconds",
    "Time to answer /api/messages, by activity type.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0),
    registry=REGISTRY,
)
TENANT_CALLS = Counter(
    "sharedcalling_tenant_calls",
    "Calls to the tenant by backend (graph, powershell, emulated), operation and outcome "
    "(ok, throttled, error). Graph counts HTTP exchanges ($batch once), PowerShell cmdlets.",
    ["backend", "operation", "outcome"],
    registry=REGISTRY,
)
TENANT_THROTTLES = Counter(
    "sharedcalling_tenant_throttles",
    "Answers that asked the bot to slow down (HTTP 429, 503 with Retry-After, also inside a "
    "$batch; a throttled cmdlet or injected fault), by backend.",
    ["backend"],
    registry=REGISTRY,
)
REQUESTS = Gauge(
    "sharedcalling_requests",
    "Change requests by state (stored, all replicas).",
    ["state"],
    registry=REGISTRY,
)
APPROVALS_PENDING = Gauge(
    "sharedcalling_approvals_pending",
    "Requests waiting for approvers.",
    registry=REGISTRY,
)
JOBS = Gauge(
    "sharedcalling_apply_jobs",
    "Apply jobs by state (stored, all replicas).",
    ["state"],
    registry=REGISTRY,
)

KNOWN_KINDS = frozenset(
    {"message", "invoke", "conversationUpdate", "installationUpdate", "messageReaction", "event"}
)


def activity_kind(kind: object) -> str:
    """A bounded label value: untrusted activity types must not grow the label set."""
    return kind if isinstance(kind, str) and kind in KNOWN_KINDS else "other"


OK, THROTTLED, ERROR = "ok", "throttled", "error"


_CALL_CHILDREN: dict[tuple[str, str, str], Any] = {}


def tenant_call(backend: str, operation: str, outcome: str) -> None:
    """Count one call to the tenant; a throttled one is also a throttle. Callers pass bounded
    values only: a backend name, an operation from their own fixed set, and an outcome above."""
    key = (backend, operation, outcome)
    child = _CALL_CHILDREN.get(key)
    if child is None:  # `labels()` validates and locks: 5 us a call, once per label set here
        child = _CALL_CHILDREN[key] = TENANT_CALLS.labels(*key)
    child.inc()
    if outcome == THROTTLED:
        TENANT_THROTTLES.labels(backend=backend).inc()


def throttled(backend: str, count: int = 1) -> None:
    """Throttles that are not calls of their own (the items of a `$batch`)."""
    if count:
        TENANT_THROTTLES.labels(backend=backend).inc(count)


def set_states(gauge: Gauge, counts: Mapping[str, int], states: list[str]) -> None:
    """Set one gauge child per known state, zero for states without rows."""
    for state in states:
        gauge.labels(state=state).set(counts.get(state, 0))


def exposition() -> bytes:
    return generate_latest(REGISTRY)


__all__ = [
    "APPROVALS_PENDING",
    "CONTENT_TYPE",
    "ERROR",
    "JOBS",
    "OK",
    "REQUESTS",
    "TENANT_CALLS",
    "TENANT_THROTTLES",
    "THROTTLED",
    "TURNS",
    "TURN_SECONDS",
    "activity_kind",
    "exposition",
    "set_states",
    "tenant_call",
    "throttled",
]
