from __future__ import annotations

import contextvars
import logging

from sharedcalling import correlation
from sharedcalling.correlation import CorrelationFilter


def _in_fresh_context(activity_id: str | None) -> str:
    def run() -> str:
        correlation.begin_turn(activity_id)
        return correlation.current()

    return contextvars.copy_context().run(run)


def test_the_activity_id_becomes_the_correlation_id() -> None:
    assert _in_fresh_context("1700000000000") == "1700000000000"


def test_without_an_activity_id_a_uuid_is_made() -> None:
    first, second = _in_fresh_context(None), _in_fresh_context("")
    assert len(first) == 32
    assert first != second


def test_hostile_characters_never_reach_the_logs() -> None:
    assert _in_fresh_context("abc\nFAKE LOG LINE %s") == "abcFAKELOGLINEs"


def test_the_filter_stamps_records_outside_a_turn_with_a_dash() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    assert contextvars.Context().run(CorrelationFilter().filter, record)
    assert record.correlation_id == "-"  # type: ignore[attr-defined]
