"""The emulated tenant's write log: every write it accepted, with the change it carried out.

Each record is stored in the same transaction as the objects the write changed (kind `write`
of the tenant's state store), so the log and the tenant can never disagree, even when the
process is killed. Keys are zero-padded sequence numbers, in write order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sharedcalling.services.ports import WRITE_LOG_KIND, StoredObject
from sharedcalling.services.write_tags import WriteTag

WRITE_KIND = WRITE_LOG_KIND


@dataclass(frozen=True, slots=True)
class WriteRecord:
    """One accepted write: the operation and its arguments, whether it changed anything, when,
    and the planned change it carried out (`tag`, from the apply engine; None otherwise)."""

    seq: int
    operation: str
    arguments: Mapping[str, Any]
    changed: bool
    at: datetime
    tag: Mapping[str, Any] | None
    objects: tuple[tuple[str, str], ...] = ()
    """(kind, key) of the objects the write changed: other processes reload them."""


def new_record(
    seq: int,
    operation: str,
    arguments: Mapping[str, Any],
    objects: Iterable[StoredObject],
    tag: WriteTag | None,
) -> WriteRecord:
    keys = tuple((o.kind, o.key) for o in objects)
    when = datetime.now(UTC)
    return WriteRecord(
        seq, operation, dict(arguments), bool(keys), when, tag.as_json() if tag else None, keys
    )


def last_key(next_seq: int) -> str:
    """The key of the newest record before `next_seq` ("" before the first)."""
    return f"{next_seq - 1:010d}" if next_seq > 0 else ""


def stored_record(record: WriteRecord) -> StoredObject:
    document = {
        "seq": record.seq,
        "operation": record.operation,
        "arguments": dict(record.arguments),
        "changed": record.changed,
        "at": record.at.isoformat(),
        "tag": dict(record.tag) if record.tag is not None else None,
        "objects": [list(key) for key in record.objects],
    }
    return StoredObject(WRITE_KIND, f"{record.seq:010d}", document)


def write_log_of(stored: Iterable[StoredObject]) -> list[WriteRecord]:
    """The write records among a tenant's stored objects, in write order."""
    records = [
        WriteRecord(
            seq=int(s.document["seq"]),
            operation=str(s.document["operation"]),
            arguments=dict(s.document["arguments"]),
            changed=bool(s.document["changed"]),
            at=datetime.fromisoformat(str(s.document["at"])),
            tag=s.document.get("tag"),
            objects=tuple((str(k), str(n)) for k, n in s.document.get("objects", ())),
        )
        for s in stored
        if s.kind == WRITE_KIND
    ]
    return sorted(records, key=lambda r: r.seq)
