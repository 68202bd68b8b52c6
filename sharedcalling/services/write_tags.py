"""Which planned change a tenant write carries out, for backends that log their writes.

The apply engine sets the tag around each write; the emulated tenant records it in its write
log, so that tests can prove each change was applied exactly once, by which worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class WriteTag:
    request_id: str
    job_id: str
    seq: int
    kind: str
    subject_id: str
    worker: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


_current: ContextVar[WriteTag | None] = ContextVar("write_tag", default=None)


@contextmanager
def tagged(tag: WriteTag) -> Iterator[None]:
    """Writes inside the block carry `tag`."""
    token = _current.set(tag)
    try:
        yield
    finally:
        _current.reset(token)


def current_write_tag() -> WriteTag | None:
    return _current.get()
