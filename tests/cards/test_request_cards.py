"""Request cards: approval, status, requester and decided views; valid 1.5, under 28 KB, paged."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cards.actions import (
    APPROVAL_APPROVE,
    APPROVAL_INSTALL,
    APPROVAL_PAGE,
    APPROVAL_REFRESH,
    APPROVAL_REJECT,
    REQUEST_CANCEL,
    REQUEST_REPLAN,
)
from cards.request_lists import request_list_card
from cards.request_plan import CHANGES_PER_PAGE, change_line
from cards.requests import request_card
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.requests import ChangeRequest, Decision, RequestKind, RequestState
from sharedcalling.services.approvals.policy import ApprovalPolicy
from sharedcalling.services.approvals.queries import RequestList
from sharedcalling.services.approvals.views import Audience, RequestView, Roster
from sharedcalling.services.notices import Notice, Tone
from tests.cards.card_checks import (
    MAX_CARD_BYTES,
    actions_of,
    assert_card_ok,
    sdk_available,
    sdk_problems,
    verb_of,
)
from tests.demo_ids import ALEX, MEGAN, MIRIAM

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FP = "sha256:" + "ab" * 32


def plan_for(users: int) -> dict[str, Any]:
    """A stored plan for `users` people: three changes each, findings, the account facts."""
    changes = []
    for n in range(users):
        who = {"kind": "user", "id": f"00000000-0000-4000-9000-{n:012d}",
               "display": f"Contoso Employee {n:04d} <b>*bold*</b>"}  # fmt: skip
        changes += [
            {"change": "user.enable_voice", "subject": who, "before": False, "after": True},
            {"change": "user.grant_vrp", "subject": who, "before": "Global", "after": "NoPSTN"},
            {"change": "scp.grant_user", "subject": who, "before": "Global", "after": "Seattle"},
        ]
    findings = [
        {"code": "SC-R07", "severity": "WARN", "subject": {"kind": "resource_account",
         "id": "ra", "display": "Contoso Main Line"}, "message": "Callbacks reach the AA.",
         "attest": True},
        {"code": "SC-U01", "severity": "BLOCK", "subject": {"kind": "user", "id": "u9",
         "display": "Isaiah"}, "message": "No Teams Phone license.", "attest": False},
    ] * 10  # fmt: skip
    return {
        "format": "sharedcalling.plan", "version": 1, "fingerprint": FP,
        "counts": {"users": users, "changing": users, "compliant": 0, "blocked": 0},
        "findings": findings, "changes": changes,
        "resource_account": {"id": "ra", "display": "Contoso Main Line", "number": "+14255550100"},
    }  # fmt: skip


def request(users: int = 3, state: RequestState = RequestState.PENDING) -> ChangeRequest:
    return ChangeRequest(
        id=RequestId("SC-7K2M9QF4"), tenant_id=TenantId("t"), kind=RequestKind.SETUP,
        state=state, requester_id=MEGAN, requester_name="Megan Bowen",
        justification="Floor 3 pilot [link](http://x)", fingerprint=FP, created_at=T0,
        updated_at=T0, expires_at=T0 + timedelta(hours=72), required_approvals=2,
        user_ids=tuple(UserId(f"u{n}") for n in range(users)), attested=("SC-R07:ra",),
        desired={"resource_account_id": "ra", "policy_name": "Seattle",
                 "emergency_numbers": ["+14255550191"]},
        plan=plan_for(users),
    )  # fmt: skip


ROSTER = Roster("Voice Approvers", (ALEX, MIRIAM), {ALEX: "Alex Wilber", MIRIAM: "Miriam Graham"})


def view(req: ChangeRequest, audience: Audience, **fields: Any) -> RequestView:
    return RequestView(req, audience, ROSTER, ApprovalPolicy(required_approvals=2), **fields)


APPROVED = replace(
    request(state=RequestState.APPROVED),
    decisions=(
        Decision(ALEX, "Alex Wilber", True, T0, FP),
        Decision(MIRIAM, "Miriam", True, T0, FP),
    ),
)
REJECTED = replace(
    request(state=RequestState.REJECTED),
    decisions=(Decision(MIRIAM, "Miriam Graham", False, T0, FP, "Not this week"),),
)
BIG = request(5000)
VIEWS = {
    "approval": view(request(), Audience.DECIDE),
    "status": view(request(), Audience.STATUS),
    "requester": view(request(), Audience.REQUESTER, offer_install=True,
                      notice=Notice("I couldn't reach Miriam Graham.", Tone.WARNING)),
    "approved": view(APPROVED, Audience.STATUS),
    "rejected": view(REJECTED, Audience.REQUESTER),
    "stale": view(request(state=RequestState.STALE), Audience.REQUESTER),
    "5000 users, first page": view(BIG, Audience.DECIDE),
    "5000 users, a middle page": view(BIG, Audience.STATUS, page=300),
    "5000 users, last page": view(BIG, Audience.DECIDE, page=10**5),
}  # fmt: skip


def verbs(card: dict[str, Any]) -> set[str | None]:
    body_only = {k: v for k, v in card.items() if k != "refresh"}
    return {verb_of(a) for a in actions_of(body_only)}


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_view_passes_the_card_checks_under_28_kb(name: str) -> None:
    card = request_card(VIEWS[name])
    assert_card_ok(card)
    assert len(json.dumps(card).encode()) < MAX_CARD_BYTES
    assert card["refresh"]["action"]["verb"] == APPROVAL_REFRESH
    payloads = [a["data"] for a in actions_of(card)]
    assert all(set(p) <= {"requestId", "fingerprint", "page"} for p in payloads), payloads


def test_only_the_approval_view_has_approve_and_reject_and_reject_needs_a_reason() -> None:
    approval = request_card(VIEWS["approval"])
    assert {APPROVAL_APPROVE, APPROVAL_REJECT} <= verbs(approval)
    [reason] = [n for n in approval["body"][-1]["items"] if n.get("type") == "Input.Text"]
    assert reason["isRequired"] is True
    assert reason["label"]
    assert reason["errorMessage"]
    [approve] = [a for a in actions_of(approval) if a.get("verb") == APPROVAL_APPROVE]
    assert approve["associatedInputs"] == "none"  # approving needs no reason
    for name in ("status", "requester", "approved", "rejected", "stale"):
        assert not {APPROVAL_APPROVE, APPROVAL_REJECT} & verbs(request_card(VIEWS[name])), name


def test_the_requester_view_offers_cancel_install_and_on_stale_replan() -> None:
    assert {REQUEST_CANCEL, APPROVAL_INSTALL} <= verbs(request_card(VIEWS["requester"]))
    assert verbs(request_card(VIEWS["stale"])) >= {REQUEST_REPLAN}
    assert REQUEST_CANCEL not in verbs(request_card(VIEWS["rejected"]))


def test_decided_views_say_who_decided_what_and_when() -> None:
    text = json.dumps(request_card(VIEWS["rejected"]))
    assert "Miriam Graham rejected at 2026-12-01 09:00 UTC: Not this week" in text
    assert "Approvals: 2 of 2" in json.dumps(request_card(VIEWS["approved"]))
    assert "Still pending: Alex Wilber, Miriam Graham" in json.dumps(request_card(VIEWS["status"]))


def _facts(card: dict[str, Any]) -> dict[str, str]:
    [facts] = [n for n in card["body"] if n.get("type") == "FactSet"]
    return {f["title"]: f["value"] for f in facts["facts"]}


def _findings(card: dict[str, Any]) -> list[str]:
    body = card["body"]
    [at] = [i for i, n in enumerate(body) if n.get("text") == "Findings"]
    return [line.removeprefix("- ") for line in body[at + 1]["text"].splitlines()]


def test_the_approval_view_shows_policy_numbers_counts_and_findings() -> None:
    counted = request()
    plan = {**counted.plan, "counts": {"users": 5, "changing": 3, "compliant": 1, "blocked": 1}}
    card = request_card(view(replace(counted, plan=plan), Audience.DECIDE))
    facts = _facts(card)
    assert facts["Shared Calling policy"] == "Seattle"
    assert facts["Emergency callback numbers"] == "+1 425-555-0191"
    assert facts["Users"] == "5: 3 change, 1 already compliant, 1 blocked"
    assert facts["Resource account"] == "Contoso Main Line (+1 425-555-0100)"
    findings = _findings(card)
    assert findings[:2] == [
        "WARN SC-R07: Callbacks reach the AA. (acknowledged)",  # attested at submit
        "BLOCK SC-U01: No Teams Phone license.",
    ]
    assert len(findings) == 9
    assert findings[-1] == "and 12 more (see the plan export)"  # 20 findings, 8 shown


@pytest.mark.parametrize(("numbers", "shown"), [(None, "keep the policy's numbers"), ([], "none")])
def test_emergency_numbers_kept_or_none_are_said_so(numbers: list[str] | None, shown: str) -> None:
    base = request()
    desired = {k: v for k, v in base.desired.items() if k != "emergency_numbers"}
    if numbers is not None:
        desired["emergency_numbers"] = numbers
    card = request_card(view(replace(base, desired=desired), Audience.DECIDE))
    assert _facts(card)["Emergency callback numbers"] == shown


def test_no_finding_that_blocks_or_warns_is_said_plainly() -> None:
    base = request()
    card = request_card(view(replace(base, plan={**base.plan, "findings": []}), Audience.DECIDE))
    assert "Findings: none that block or warn." in json.dumps(card)
    assert not [n for n in card["body"] if n.get("text") == "Findings"]


def test_a_big_plan_is_paged_and_every_change_is_on_some_page() -> None:
    first = request_card(VIEWS["5000 users, first page"])
    assert "page 1 of 600" in json.dumps(first)
    seen, big = 0, request(5000)
    for page in range(600):
        card = request_card(view(big, Audience.STATUS, page=page))
        seen += json.dumps(card).count("Contoso Employee")
    assert seen == 15000
    assert CHANGES_PER_PAGE * 600 == 15000
    last = request_card(VIEWS["5000 users, last page"])
    assert APPROVAL_PAGE in verbs(last)
    assert "page 600 of 600" in json.dumps(last)


def test_untrusted_text_is_shown_as_typed() -> None:
    text = json.dumps(request_card(VIEWS["approval"]))
    assert "\\\\[link\\\\]\\\\(http://x\\\\)" in text
    assert "\\\\<b\\\\>\\\\*bold\\\\*" in text


def test_refresh_lists_approvers_and_requester_up_to_60_then_nobody() -> None:
    assert request_card(VIEWS["approval"])["refresh"]["userIds"] == [ALEX, MIRIAM, MEGAN]
    many = Roster("Voice Approvers", tuple(UserId(f"a{n}") for n in range(75)))
    big = RequestView(request(), Audience.STATUS, many, ApprovalPolicy())
    assert request_card(big)["refresh"]["userIds"] == []


def _refresh_ids(approvers: int, *, with_requester: bool = False) -> list[str]:
    ids = [UserId(f"a{n}") for n in range(approvers)]
    roster = Roster("Voice Approvers", (*ids, *([MEGAN] if with_requester else [])))
    card = request_card(RequestView(request(), Audience.STATUS, roster, ApprovalPolicy()))
    assert card["refresh"]["action"]["verb"] == APPROVAL_REFRESH  # on demand, for anyone
    return list(card["refresh"]["userIds"])


def test_refresh_lists_exactly_60_people_and_61_means_on_demand_refresh() -> None:
    """Teams refreshes automatically for at most 60 listed users; the requester counts."""
    assert _refresh_ids(59) == [*(f"a{n}" for n in range(59)), MEGAN]  # 60 listed
    assert _refresh_ids(60) == []  # 60 approvers and the requester: 61, nobody listed
    # The requester in the approver group is listed once (never as an approver): 60 again.
    assert len(_refresh_ids(59, with_requester=True)) == 60


LISTING = RequestList("Your requests", (request(), APPROVED, REJECTED), "none")


@pytest.mark.skipif(
    not sdk_available() and os.environ.get("CI") != "true",
    reason="npm ci --prefix tests/cards (adaptivecards); always run in CI",
)
def test_the_official_sdk_finds_no_problem_in_any_request_card() -> None:
    cards = [request_card(v) for v in VIEWS.values()] + [request_list_card(LISTING)]
    assert sdk_problems(cards) == [[] for _ in cards]


def test_a_new_shared_calling_policy_shows_its_emergency_numbers_not_its_name_twice() -> None:
    change = {
        "change": "scp.create",
        "subject": {"kind": "policy", "id": "Redmond pilot", "display": "Redmond pilot"},
        "before": None,
        "after": {"name": "Redmond pilot", "resource_account_id": "x", "emergency_numbers": [
            "+14255550193", "+14255550194"]},
    }  # fmt: skip
    line = change_line(change).replace("\u00a0", " ").replace("\u2011", "-")
    assert line == (
        "Create Shared Calling policy: Redmond pilot with emergency callback numbers "
        "+1 425-555-0193, +1 425-555-0194"
    )
    change["after"]["emergency_numbers"] = []
    assert change_line(change).endswith("Redmond pilot with no emergency callback numbers")
