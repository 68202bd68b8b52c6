from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from sharedcalling.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditFacts,
    AuditOutcome,
    chain_entry,
    entry_hash,
    verify_chain,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def facts(n: int) -> AuditFacts:
    return AuditFacts(
        at=T0 + timedelta(minutes=n),
        actor_id=f"actor-{n}",
        actor_name=f"Actor {n}",
        event="approve",
        outcome=AuditOutcome.TRANSITION,
        request_id="SC-00000001",
        from_state="PENDING",
        to_state="APPROVED",
        fingerprint="sha256:" + "a" * 64,
        reason="",
        details={"n": n},
    )


def chain(length: int) -> list[AuditEntry]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, length + 1):
        entry = chain_entry("t", seq, facts(seq), prev)
        entries.append(entry)
        prev = entry.hash
    return entries


def head_of(entries: list[AuditEntry]) -> tuple[int, str]:
    return entries[-1].seq, entries[-1].hash


def test_an_untouched_chain_verifies() -> None:
    entries = chain(5)
    report = verify_chain("t", entries, head=head_of(entries))
    assert report.ok
    assert report.entries == 5
    assert report.head_hash == entries[-1].hash


def test_an_empty_chain_verifies_against_an_empty_head() -> None:
    assert verify_chain("t", [], head=None).ok
    assert not verify_chain("t", [], head=(3, "sha256:x")).ok


def test_editing_an_entry_breaks_the_chain_at_that_entry() -> None:
    entries = chain(5)
    edited = replace(entries[2], facts=replace(entries[2].facts, reason="rewritten"))
    report = verify_chain("t", [*entries[:2], edited, *entries[3:]], head=head_of(entries))
    assert not report.ok
    assert report.broken_at == 3
    assert "altered" in (report.problem or "")


def test_deleting_an_entry_in_the_middle_is_found() -> None:
    entries = chain(5)
    report = verify_chain("t", entries[:2] + entries[3:], head=head_of(entries))
    assert not report.ok
    assert report.broken_at == 4


def test_deleting_the_newest_entry_is_found_by_the_head() -> None:
    entries = chain(5)
    report = verify_chain("t", entries[:-1], head=head_of(entries))
    assert not report.ok
    assert "head" in (report.problem or "")


def test_reordering_entries_is_found_even_with_renumbered_sequence() -> None:
    entries = chain(4)
    swapped = [entries[0], replace(entries[2], seq=2), replace(entries[1], seq=3), entries[3]]
    assert not verify_chain("t", swapped, head=head_of(entries)).ok


def test_the_hash_does_not_depend_on_the_timezone_the_time_was_written_in() -> None:
    berlin = timezone(timedelta(hours=1))
    written = facts(1)
    read_back = replace(written, at=written.at.astimezone(berlin))
    assert entry_hash("t", 1, written, GENESIS_HASH) == entry_hash("t", 1, read_back, GENESIS_HASH)
