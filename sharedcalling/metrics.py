"""Prometheus metrics of the bot (`GET /metrics`), in a registry of its own.

Counters are process-wide and only grow; gauges of stored state (requests by state, approvals
pending) are refreshed from the database when /metrics is scraped.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    "Calls to the tenant backend by operation and outcome (ok, throttled, error).",
    ["operation", "outcome"],
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


def set_states(gauge: Gauge, counts: Mapping[str, int], states: list[str]) -> None:
    """Set one gauge child per known state, zero for states without rows."""
    for state in states:
        gauge.labels(state=state).set(counts.get(state, 0))


def exposition() -> bytes:
    return generate_latest(REGISTRY)


__all__ = [
    "APPROVALS_PENDING",
    "CONTENT_TYPE",
    "JOBS",
    "REQUESTS",
    "TENANT_CALLS",
    "TURNS",
    "TURN_SECONDS",
    "activity_kind",
    "exposition",
    "set_states",
]
