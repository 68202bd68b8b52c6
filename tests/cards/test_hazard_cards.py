"""Hazard cards: what they must show, golden JSON, the official SDK at 1.5, under 28 KB."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cards.actions import HAZARD_ID, HAZARD_PAGE, HAZARD_PLAN_FIX, PAGE
from cards.hazard_views import hazard_view, list_view, notice_view
from cards.hazards import hazard_card, hazard_summary_card, hazards_card
from sharedcalling.domain.hazards import HazardClass, HazardState
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.rules.model import Subject, SubjectKind
from sharedcalling.services.hazard_store import CheckRecord
from sharedcalling.services.hazards.presenter import HazardNotice
from sharedcalling.services.hazards.queries import HazardPage
from tests.cards.card_checks import (
    MAX_CARD_BYTES,
    actions_of,
    assert_card_ok,
    sdk_available,
    sdk_problems,
    verb_of,
    walk,
)
from tests.cards.test_callerid_cards import assert_golden

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
RA = Subject(SubjectKind.RESOURCE_ACCOUNT, "00000000-0000-4000-8000-000000000051",
             "Contoso Main Line (ra-mainline@contoso.example)")  # fmt: skip

BROKEN_RA = Hazard(
    id="HZ-7K2M9QF4",
    tenant_id=TENANT,
    key="SC-R03|resource_account:00000000-0000-4000-8000-000000000051",
    code="SC-R03",
    state=HazardState.DRIFTED,
    hazard_class=HazardClass.OUTBOUND_BROKEN,
    subject=RA,
    message=(
        "Contoso Main Line (ra-mainline@contoso.example) has no usable number (it has no "
        "number); outbound calls for its users would fail."
    ),
    expected="exactly one activated number (held when request SC-B2ERZQBC was planned)",
    observed="Contoso Main Line (ra-mainline@contoso.example) has no usable number.",
    first_seen=AT,
    last_seen=AT + timedelta(hours=2),
    changes=(("numbers", "+14255550100 (CallingPlan, Activated)", "none"),),
    policy_names=("Seattle",),
    request_ids=(RequestId("SC-B2ERZQBC"),),
    affected_user_ids=(UserId("00000000-0000-4000-8000-000000000005"),),
    affected_count=3,
)


def texts(card: dict[str, Any]) -> str:
    return "\n".join(
        str(n.get("text", "")) + str(n.get("value", "")) for n in walk(card) if isinstance(n, dict)
    )


def size(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode())


def test_an_announcement_says_what_changed_since_when_whom_it_affects_and_offers_a_fix() -> None:
    card = hazard_card(notice_view(HazardNotice(BROKEN_RA, ("Diego Siciliani",))))
    shown = texts(card)
    assert card["body"][0]["items"][0]["text"] == "Outside calls broken"
    assert card["body"][0]["style"] == "attention"
    for phrase in ("SC-R03", "HZ-7K2M9QF4", "exactly one activated number",
                   "+14255550100 (CallingPlan, Activated) \u2192 none", "2026-12-01 10:00 UTC",
                   "3 users: Diego Siciliani and 2 more", "SC-B2ERZQBC"):  # fmt: skip
        assert phrase in shown, phrase
    fix, listing = actions_of(card)
    assert (verb_of(fix), fix["data"]) == (HAZARD_PLAN_FIX, {HAZARD_ID: "HZ-7K2M9QF4"})
    assert (verb_of(listing), listing["data"]) == (HAZARD_PAGE, {PAGE: 0})
    assert_card_ok(card)
    assert_golden("hazard_announcement", card)


def test_a_resolved_hazard_offers_no_fix_and_says_why_it_closed() -> None:
    closed = replace(BROKEN_RA, state=HazardState.OK, closed_at=AT + timedelta(hours=3),
                     resolution="the check found it as set up again")  # fmt: skip
    card = hazard_card(hazard_view(closed))
    assert card["body"][0]["items"][0]["text"] == "Resolved: Outside calls broken"
    assert "the check found it as set up again" in texts(card)
    assert [verb_of(a) for a in actions_of(card)] == [HAZARD_PAGE]
    assert_card_ok(card)


def test_an_unknown_finding_offers_no_fix() -> None:
    doubt = replace(BROKEN_RA, state=HazardState.UNKNOWN)
    card = hazard_card(hazard_view(doubt))
    assert card["body"][0]["items"][0]["text"].startswith("Cannot tell")
    assert HAZARD_PLAN_FIX not in [verb_of(a) for a in actions_of(card)]


def page_of(hazards: list[Hazard], page: int = 0, pages: int = 1) -> HazardPage:
    record = CheckRecord("c1", TENANT, "schedule", "replica-1", AT, AT, "ok", {})
    counts = {"hazards": len(hazards), "warnings": 0, "unknown": 0}
    return HazardPage(tuple(hazards), page, pages, len(hazards), counts, record)


def test_the_list_pages_and_offers_a_fix_per_hazard() -> None:
    hazards = [replace(BROKEN_RA, id=f"HZ-0000000{n}") for n in range(5)]
    card = hazards_card(list_view(page_of(hazards, page=1, pages=3)))
    verbs = [(verb_of(a), a["data"]) for a in actions_of(card)]
    assert verbs.count((HAZARD_PLAN_FIX, {HAZARD_ID: "HZ-00000003"})) == 1
    assert (HAZARD_PAGE, {PAGE: 0}) in verbs
    assert (HAZARD_PAGE, {PAGE: 2}) in verbs
    assert "Last check 2026-12-01 10:00 UTC" in texts(card)
    assert_card_ok(card)
    assert_golden("hazards_page", card)


def test_nothing_open_says_so() -> None:
    card = hazards_card(list_view(page_of([])))
    assert "Nothing is open" in texts(card)
    assert actions_of(card) == []


def huge(n: int) -> Hazard:
    return replace(
        BROKEN_RA,
        id=f"HZ-{n:08d}",
        message="m" * 50_000,
        expected="e" * 10_000,
        observed="o" * 10_000,
        changes=tuple((f"fact {i} " * 30, "b" * 5000, "a" * 5000) for i in range(50)),
        policy_names=tuple(f"policy {i}" for i in range(50)),
        request_ids=tuple(RequestId(f"SC-{i:08d}") for i in range(50)),
        affected_user_ids=tuple(UserId(f"u{i}") for i in range(5000)),
        affected_count=10_000,
    )


def test_cards_stay_under_28_kb_whatever_the_hazards_hold() -> None:
    names = ("N" * 300,) * 5000
    cards = [
        hazard_card(notice_view(HazardNotice(huge(1), names))),
        hazards_card(list_view(page_of([huge(n) for n in range(5)], pages=9999))),
        hazard_summary_card([hazard_view(huge(n)) for n in range(40)]),
        hazard_summary_card([hazard_view(replace(BROKEN_RA, id=f"HZ-{n}")) for n in range(10_000)]),
    ]
    for card in cards:
        assert size(card) < MAX_CARD_BYTES
        assert_card_ok(card)


@pytest.mark.skipif(
    not sdk_available() and os.environ.get("CI") != "true",
    reason="npm ci --prefix tests/cards (adaptivecards); always run in CI",
)
def test_the_official_sdk_finds_nothing_wrong_with_the_hazard_cards() -> None:
    closed = replace(BROKEN_RA, state=HazardState.OK, closed_at=AT, resolution="fixed")
    cards = [
        hazard_card(notice_view(HazardNotice(BROKEN_RA, ("Diego Siciliani",), reminder=True))),
        hazard_card(hazard_view(closed)),
        hazard_card(hazard_view(BROKEN_RA, note="Fix request SC-1 submitted.", note_color="Good")),
        hazards_card(list_view(page_of([BROKEN_RA] * 5, page=1, pages=3))),
        hazards_card(list_view(page_of([]))),
        hazard_summary_card([hazard_view(huge(n)) for n in range(40)]),
        hazard_card(notice_view(HazardNotice(huge(1), ("x" * 300,) * 10))),
    ]
    assert sdk_problems(cards) == [[] for _ in cards]
