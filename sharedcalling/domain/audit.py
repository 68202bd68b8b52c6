"""The audit trail as a hash chain: each entry's hash covers its facts and the previous hash.

Editing, deleting or reordering a stored entry breaks the chain from that entry on, and the chain
head (the newest sequence number and hash, stored apart from the entries) catches a deleted
tail. Anyone who can rewrite every entry *and* the head can forge a consistent chain; exporting
the head regularly (the audit export prints it) anchors it outside the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

GENESIS_HASH = "sha256:" + "0" * 64
"""The `prev_hash` of a chain's first entry."""

AUDIT_FORMAT_VERSION = 1


class AuditOutcome(StrEnum):
    TRANSITION = "transition"
    """The request moved from one state to another."""
    RECORDED = "recorded"
    """A decision was recorded without a state change (an approval short of the quorum)."""
    REFUSED = "refused"
    """An attempt the guards refused; nothing else changed."""
    NOTE = "note"
    """Something worth keeping that is not a transition (a tenant write, a freeze, a check)."""


@dataclass(frozen=True, slots=True)
class AuditFacts:
    """What happened, before it is placed in the chain."""

    at: datetime
    actor_id: str
    actor_name: str
    event: str
    outcome: AuditOutcome
    request_id: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    fingerprint: str | None = None
    reason: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    correlation_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """An entry at its place in the chain: sequence number, previous hash and its own hash."""

    chain: str
    seq: int
    facts: AuditFacts
    prev_hash: str
    hash: str


def entry_hash(chain: str, seq: int, facts: AuditFacts, prev_hash: str) -> str:
    """SHA-256 over canonical JSON of the entry's place, facts and predecessor."""
    body = {
        "v": AUDIT_FORMAT_VERSION,
        "chain": chain,
        "seq": seq,
        "prev": prev_hash,
        # In UTC: the database hands timestamps back in UTC whatever offset they were written in.
        "at": facts.at.astimezone(UTC).isoformat(),
        "actor": [facts.actor_id, facts.actor_name],
        "event": facts.event,
        "outcome": facts.outcome.value,
        "request": facts.request_id,
        "from": facts.from_state,
        "to": facts.to_state,
        "fingerprint": facts.fingerprint,
        "reason": facts.reason,
        "details": dict(facts.details),
        "correlation": facts.correlation_id,
    }
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def chain_entry(chain: str, seq: int, facts: AuditFacts, prev_hash: str) -> AuditEntry:
    """Place `facts` after the entry whose hash is `prev_hash`."""
    return AuditEntry(chain, seq, facts, prev_hash, entry_hash(chain, seq, facts, prev_hash))


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of verifying a chain: ok, how many entries, and the first break found."""

    chain: str
    entries: int
    head_hash: str
    problem: str | None = None
    broken_at: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(
    chain: str, entries: Iterable[AuditEntry], *, head: tuple[int, str] | None
) -> ChainReport:
    """Recompute every hash in sequence order and compare with the stored head.

    `entries` must be in the order they are stored (by sequence number); `head` is the stored
    (seq, hash) of the newest entry, None when the chain has never been written.
    """
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            return _broken(chain, count, expected_prev, entry.seq, f"entry {expected_seq} missing")
        if entry.prev_hash != expected_prev:
            return _broken(chain, count, expected_prev, entry.seq, "previous hash does not match")
        if entry_hash(chain, entry.seq, entry.facts, entry.prev_hash) != entry.hash:
            return _broken(chain, count, expected_prev, entry.seq, "entry was altered")
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    last = (expected_seq - 1, expected_prev) if count else None
    if last != head:
        stored = "none" if head is None else str(head[0])
        found = "none" if last is None else str(last[0])
        problem = f"chain head says entry {stored}, entries end at {found}"
        return ChainReport(chain, count, expected_prev, problem, None if last is None else last[0])
    return ChainReport(chain, count, expected_prev)


def _broken(chain: str, count: int, head: str, seq: int, problem: str) -> ChainReport:
    return ChainReport(chain, count, head, f"{problem} (at entry {seq})", seq)
