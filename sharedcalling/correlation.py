"""Per-turn context: the correlation id (stamped on logs, sent to Graph as client-request-id),
the turn's wait budget for retries, and escaping of untrusted values for the log."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

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


# ----------------------------------------------------------------------------- log safety

# C0 and C1 controls, DEL and the Unicode line and paragraph separators: anything a log viewer
# could read as the start of a new line or a terminal escape.
_UNSAFE = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}
_UNSAFE.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
MAX_LOGGED_VALUE = 200


def log_safe(value: object, limit: int = MAX_LOGGED_VALUE) -> str:
    """`value` as one escaped, bounded line: untrusted input can never forge a log line."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[:limit] + "\u2026"
    return text.translate(_UNSAFE)


class LogSafetyFilter(logging.Filter):
    """Escapes control characters in every rendered message (the traceback stays multi-line).

    The second line of defence: call sites already pass untrusted values through `log_safe`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        escaped = message.translate(_UNSAFE)
        if escaped != message or record.args:
            record.msg, record.args = escaped, None
        return True


# ----------------------------------------------------------------------------- wait budget


@dataclass(slots=True)
class WaitBudget:
    """How long retries may still wait in this turn: a person is waiting for the answer."""

    seconds: float
    deadline: float = field(default=0.0)
    spent: float = 0.0

    def remaining(self) -> float:
        return max(0.0, min(self.deadline - time.monotonic(), self.seconds - self.spent))

    def spend(self, seconds: float) -> None:
        self.spent += seconds


wait_budget: ContextVar[WaitBudget | None] = ContextVar("wait_budget", default=None)


def begin_wait_budget(seconds: float) -> Token[WaitBudget | None]:
    """Give the running turn `seconds` of waiting for retries in total (throttling, backoff)."""
    return wait_budget.set(WaitBudget(seconds, deadline=time.monotonic() + seconds))


def end_wait_budget(token: Token[WaitBudget | None]) -> None:
    wait_budget.reset(token)


def current_wait_budget() -> WaitBudget | None:
    """The budget of the running interactive turn; None for jobs, which may wait as told."""
    return wait_budget.get()
