"""Correlation ids: one per turn or job, stamped on logs and sent to Graph as client-request-id."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar, Token

_NO_ID = "-"
# Activity ids come from the channel; keep only a bounded, log-safe subset of characters.
_SAFE_ID = re.compile(r"[^A-Za-z0-9._:-]")

correlation_id: ContextVar[str] = ContextVar("correlation_id", default=_NO_ID)


def begin_turn(activity_id: str | None) -> Token[str]:
    """Set the correlation id for this turn from the activity id, or a new UUID."""
    cleaned = _SAFE_ID.sub("", activity_id or "")[:64]
    return correlation_id.set(cleaned or uuid.uuid4().hex)


def end_turn(token: Token[str]) -> None:
    correlation_id.reset(token)


def current() -> str:
    """The correlation id of the running turn or job, `-` outside one."""
    return correlation_id.get()


class CorrelationFilter(logging.Filter):
    """Adds `record.correlation_id` so that formats can show it as `%(correlation_id)s`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True
