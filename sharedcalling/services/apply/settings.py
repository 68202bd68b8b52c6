"""ApplySettings: how the apply engine paces, leases, reports and re-verifies (from config)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ApplySettings:
    concurrency: int = 8
    """Tenant calls in flight at once per bot process (APPLY_CONCURRENCY)."""
    calls_per_second: float | None = None
    """Started tenant calls per second per process; None: as fast as the service allows."""
    retry_attempts: int = 8
    retry_wait_seconds: float = 300.0
    """Seconds one change may spend waiting on throttling and outages before it fails."""
    lease_seconds: float = 30.0
    """A crashed worker's job passes to another after this long (renewed every third)."""
    poll_seconds: float = 2.0
    progress_interval_seconds: float = 5.0
    """At most one progress update per card every this many seconds (Teams allows a bot 60
    operations per 30 s in one conversation; this stays far below)."""
    group_reverify_seconds: float = 900.0
    group_verify_hours: float = 48.0
    """How long group assignments may take to reach every member before they are reported
    unverified (Microsoft: 24 hours and more for large groups)."""
    chunk_size: int = 50
    """Changes tested with one tenant read before they are written."""
    max_jobs: int = 2
    """Jobs one process runs at once (they share the concurrency above)."""
    notices_per_second: float = 10.0
    """Personal caller-ID messages sent per second after an apply (issue 15): a fifth of the
    50 requests a second Teams allows an app per tenant, each to another conversation."""
