"""The real clock: timezone-aware UTC now."""

from __future__ import annotations

from datetime import UTC, datetime

from sharedcalling.services.ports import Clock


class SystemClock(Clock):
    """Reads the system clock; tests use a fixed clock instead."""

    def now(self) -> datetime:
        return datetime.now(UTC)
