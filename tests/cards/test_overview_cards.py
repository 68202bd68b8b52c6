"""The admin overview card: facts per policy, paging, the CSV link, size, the official SDK."""

from __future__ import annotations

import json
import os

import pytest

from cards.actions import PAGE, STATUS_EXPORT, STATUS_PAGE
from cards.overview import status_card, status_view
from sharedcalling.services.overview import (
    PAGE_SIZE,
    PolicyStatus,
    StatusOverview,
    status_csv,
    status_page,
)
from tests.cards.card_checks import actions_of, assert_card_ok, sdk_available, sdk_problems

LONG = "x" * 256


def overview(count: int) -> StatusOverview:
    policies = tuple(
        PolicyStatus(
            name=f"Branch {n:03d} {LONG}",
            resource_account=f"Branch line {n:03d} {LONG}",
            resource_account_upn=f"branch{n:03d}@contoso.example",
            number=f"+1425555{n:04d}",
            direct=n * 1000,
            via_group=n,
            open_requests=tuple(f"SC-{n:04d}{m:04d}" for m in range(40)),
            hazard_codes=("SC-R03", "SC-E04", "SC-R03"),
        )
        for n in range(count)
    )
    return StatusOverview(policies, 100_000, {"users": 1, "open_requests": 2, "open_hazards": 3})


def test_a_full_page_of_the_longest_policies_stays_under_28_kb() -> None:
    page = status_page(overview(64), 3)
    card = status_card(
        status_view(page, download_url="https://bot.example/exports/t", download_note="once")
    )
    assert_card_ok(card)
    assert len(json.dumps(card, ensure_ascii=False).encode()) < 28 * 1024
    texts = json.dumps(card, ensure_ascii=False)
    assert (
        "40: SC-00180000, SC-00180001, SC-00180002, SC-00180003, SC-00180004 and 35 more" in texts
    )
    assert "3 (SC-R03, SC-E04)" in texts
    verbs = [(a["title"], a.get("verb"), a.get("data")) for a in actions_of(card) if a.get("verb")]
    assert verbs == [
        ("Previous", STATUS_PAGE, {PAGE: 2}),
        (f"Next (5 of {64 // PAGE_SIZE + 1})", STATUS_PAGE, {PAGE: 4}),
        ("CSV (a link that works once)", STATUS_EXPORT, {PAGE: 3}),
    ]


def test_the_csv_has_every_policy_and_quotes_what_a_spreadsheet_would_run() -> None:
    rows = status_csv(overview(64)).splitlines()
    assert len(rows) == 65
    assert rows[0].startswith("policy,resource_account,")
    assert ",'+14255550000," in rows[1]


@pytest.mark.skipif(
    not sdk_available() and os.environ.get("CI") != "true",
    reason="npm ci --prefix tests/cards (adaptivecards); always run in CI",
)
def test_the_official_sdk_finds_nothing_wrong_with_the_overview_cards() -> None:
    cards = [
        status_card(status_view(status_page(overview(0), 0))),
        status_card(status_view(status_page(overview(20), 1), download_url="https://b.example/x")),
    ]
    assert sdk_problems(cards) == [[] for _ in cards]
