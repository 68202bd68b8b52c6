"""Apply progress and report cards: what they say, their buttons, size, the official SDK."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.apply_cards import CardPresenter
from cards.actions import APPLY_RETRY, APPLY_REVERT, REQUEST_ID, USER_ID
from cards.apply import apply_progress_card, apply_report_card
from cards.apply_views import MAX_LISTED, apply_card_view
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.access import Principal
from sharedcalling.domain.apply import ChangeStatus, Finding, JobOutcome, UserOutcome
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.planning.codec import desired_to_json
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
from sharedcalling.services.apply.store import ChangeRow
from sharedcalling.services.apply.views import ApplyView, PeopleTold, Phase, apply_view
from sharedcalling.services.callerid import Answered, explain_caller_id
from sharedcalling.services.planning import preview_plan
from tests.cards.card_checks import actions_of, assert_card_ok, sdk_available, sdk_problems, walk
from tests.cards.test_callerid_cards import assert_golden, texts
from tests.demo_ids import DIEGO, MEGAN, PRADEEP, RA_MAINLINE

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GENERATED = tuple(UserId(f"00000000-0000-4000-9000-{n:012d}") for n in range(1, 1001))
S = ChangeStatus


def request(users: tuple[UserId, ...], kind: RequestKind = RequestKind.SETUP) -> ChangeRequest:
    desired = DesiredState(RA_MAINLINE, "Seattle", users)
    return ChangeRequest(
        RequestId("SC-7K2M9QF4"),
        TENANT,
        kind,
        RequestState.APPLYING,
        MEGAN,
        "Megan Bowen",
        "pilot",
        "sha256:x",
        AT,
        AT,
        desired=desired_to_json(desired),
    )


def rows_for(users: tuple[UserId, ...]) -> list[ChangeRow]:
    desired = DesiredState(RA_MAINLINE, "Seattle", users)
    preview = asyncio.run(preview_plan(desired, tenant=EmulatedTenantGateway.seeded()))
    return [ChangeRow(seq, change) for seq, change in enumerate(preview.plan.changes)]


def with_status(rows: list[ChangeRow], status: ChangeStatus, *, every: int = 1) -> list[ChangeRow]:
    return [replace(r, status=status) if r.seq % every == 0 else r for r in rows]


SMALL = rows_for((DIEGO, PRADEEP))
LARGE = rows_for(GENERATED)


def report_view(rows: list[ChangeRow], outcome: JobOutcome, **options: Any) -> ApplyView:
    users = tuple({UserId(r.change.subject.id) for r in rows})
    return apply_view(request(users), rows, Phase.DONE, outcome=outcome, **options)


def test_progress_says_how_many_of_how_many_and_failures_so_far() -> None:
    rows = with_status(SMALL, S.SUCCEEDED, every=2)
    rows[1] = replace(rows[1], status=S.FAILED, error="grant_policy: rejected")
    view = apply_view(request((DIEGO, PRADEEP)), rows, Phase.APPLYING)
    card = apply_progress_card(apply_card_view(view))
    assert card["body"][0]["text"] == "Applying SC-7K2M9QF4"
    assert (
        card["body"][1]["text"]
        == f"{view.finished} of {len(rows)} changes done ({100 * view.finished // len(rows)}%)"
    )
    assert ("Failed", "1") in [(f["title"], f["value"]) for f in card["body"][2]["facts"]]
    assert "rejected" in texts(card)
    assert actions_of(card) == []
    assert_card_ok(card)


def test_a_partly_applied_report_names_the_failed_user_and_offers_retry_and_revert() -> None:
    rows = with_status(SMALL, S.SUCCEEDED)
    failed = next(r for r in rows if r.change.subject.id == PRADEEP)
    rows[failed.seq] = replace(failed, status=S.FAILED, error="grant_policy: rejected")
    card = apply_report_card(apply_card_view(report_view(rows, JobOutcome.PARTIALLY_APPLIED)))
    assert card["body"][0]["text"] == "SC-7K2M9QF4 is partly applied"
    people = card["body"][3]
    assert people["items"][0]["text"] == "Per person"
    lines = sorted(item["text"] for item in people["items"][1:])
    assert lines[0].startswith("Diego Siciliani (DiegoS@contoso.example): done")
    assert lines[1].startswith("Pradeep Gupta (PradeepG@contoso.example): failed, grant_policy")
    verbs = [(a["verb"], a["data"]) for a in actions_of(card)]
    assert verbs == [
        (APPLY_RETRY, {REQUEST_ID: "SC-7K2M9QF4"}),
        (APPLY_REVERT, {REQUEST_ID: "SC-7K2M9QF4"}),
    ]
    assert_card_ok(card)
    assert_golden("apply_report_partial", card)


def test_an_applied_report_offers_revert_only() -> None:
    card = apply_report_card(
        apply_card_view(report_view(with_status(SMALL, S.SUCCEEDED), JobOutcome.APPLIED))
    )
    assert card["body"][1]["text"] == "Every change is in place and verified."
    assert [a["verb"] for a in actions_of(card)] == [APPLY_REVERT]
    assert_golden("apply_report_applied", card)


def test_a_thousand_failures_are_counted_not_listed_and_the_card_stays_small() -> None:
    rows = [replace(r, status=S.FAILED, error="x" * 500) for r in LARGE]
    card = apply_report_card(apply_card_view(report_view(rows, JobOutcome.FAILED)))
    attention = [n for n in walk(card) if isinstance(n, dict) and n.get("style") == "attention"]
    lines = [n for n in walk(attention[0]) if isinstance(n, dict) and n.get("type") == "TextBlock"]
    assert len(lines) == MAX_LISTED + 2  # the heading, 25 people, the count of the rest
    assert "and 975 more" in lines[-1]["text"]
    assert_card_ok(card)


def test_unverified_and_awaiting_people_are_explained() -> None:
    findings = [
        Finding(DIEGO, UserOutcome.UNVERIFIED, "Teams shows Global"),
        Finding("x", UserOutcome.AWAITING, "waiting for the group", "Alex Wilber"),
    ]
    view = report_view(
        with_status(SMALL, S.SUCCEEDED), JobOutcome.PARTIALLY_APPLIED, findings=findings
    )
    text = texts(apply_report_card(apply_card_view(view)))
    assert "Diego Siciliani (DiegoS@contoso.example): not confirmed, Teams shows Global" in text
    assert "Alex Wilber: waiting for Teams, waiting for the group" in text


def test_stale_paused_verifying_and_revert_titles() -> None:
    users = (DIEGO, PRADEEP)
    stale = apply_view(request(users), [], Phase.STALE, note="the tenant changed")
    assert (
        apply_report_card(apply_card_view(stale))["body"][0]["text"]
        == "SC-7K2M9QF4 was not applied"
    )
    paused = apply_view(request(users), SMALL, Phase.PAUSED, note="Frozen by Megan")
    assert "Frozen by Megan" in texts(apply_progress_card(apply_card_view(paused)))
    revert = apply_view(
        request(users, RequestKind.REVERT),
        with_status(SMALL, S.SUCCEEDED),
        Phase.DONE,
        outcome=JobOutcome.APPLIED,
    )
    card = apply_report_card(apply_card_view(revert))
    assert card["body"][0]["text"] == "Revert SC-7K2M9QF4 is applied"
    assert actions_of(card) == []  # a revert is not reverted from its card


@pytest.mark.skipif(
    not sdk_available() and os.environ.get("CI") != "true",
    reason="npm ci --prefix tests/cards (adaptivecards); always run in CI",
)
def test_the_official_sdk_finds_nothing_wrong_with_the_apply_cards() -> None:
    rows = with_status(SMALL, S.SUCCEEDED)
    rows[0] = replace(rows[0], status=S.FAILED, error="denied")
    views = [
        apply_view(request((DIEGO, PRADEEP)), rows, Phase.APPLYING),
        report_view(rows, JobOutcome.PARTIALLY_APPLIED),
        report_view([replace(r, status=S.FAILED, error="x") for r in LARGE], JobOutcome.FAILED),
        apply_view(request((DIEGO,)), [], Phase.STALE, note="changed"),
        report_view(rows, JobOutcome.APPLIED, people=THOUSAND_NOT_TOLD),
        report_view(rows, JobOutcome.APPLIED, people=PeopleTold(enabled=False)),
    ]
    cards = [apply_progress_card(apply_card_view(views[0]))]
    cards += [apply_report_card(apply_card_view(v)) for v in views[1:]]
    cards.append(notice_card())
    assert sdk_problems(cards) == [[] for _ in cards]


THOUSAND_NOT_TOLD = PeopleTold(
    True, 3, tuple(f"Contoso Employee {n:04d} (app not installed)" for n in range(1, 1001))
)


def fact_value(card: dict[str, Any], title: str) -> str:
    [value] = [
        f["value"]
        for n in walk(card)
        if isinstance(n, dict) and n.get("type") == "FactSet"
        for f in n["facts"]
        if f["title"] == title
    ]
    return str(value)


def notice_card() -> dict[str, Any]:
    tenant = EmulatedTenantGateway.seeded()
    answered = asyncio.run(
        explain_caller_id(Principal(TENANT, DIEGO, "Diego", frozenset()), None, tenant=tenant)
    )
    assert isinstance(answered, Answered)
    card = CardPresenter().caller_id_changed("SC-7K2M9QF4", answered).card
    assert card is not None
    return dict(card)


def test_the_report_names_who_was_not_told_a_bounded_few_and_counts_the_rest() -> None:
    card = apply_report_card(
        apply_card_view(report_view(SMALL, JobOutcome.APPLIED, people=THOUSAND_NOT_TOLD))
    )
    assert_card_ok(card)
    shown = texts(card)
    assert "Not told: Contoso Employee 0001 (app not installed)" in shown
    assert f"Not told: Contoso Employee {MAX_LISTED:04d} (app not installed)" in shown
    assert f"Contoso Employee {MAX_LISTED + 1:04d}" not in shown
    assert f"and {1000 - MAX_LISTED:,} more." in shown
    assert fact_value(card, "Told their new caller ID") == "3, 1,000 not told"
    off = apply_report_card(
        apply_card_view(report_view(SMALL, JobOutcome.APPLIED, people=PeopleTold(enabled=False)))
    )
    assert fact_value(off, "Told their new caller ID") == "nobody: turned off for this request"
    assert "Not told:" not in texts(off)


def test_the_personal_notice_is_the_caller_id_card_with_the_persons_name() -> None:
    card = notice_card()
    assert_card_ok(card)
    assert card["body"][0]["text"] == "Diego Siciliani, your caller ID changed"
    assert card["body"][3]["facts"][0]["title"] == "Setup"  # the caller-ID card's own facts
    assert card["actions"][0]["data"] == {USER_ID: DIEGO}  # "Check again" answers for Diego
