"""The self-service cards: the offer, the caller-ID button, the self-service request card."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pytest

from cards.actions import FINGERPRINT, SELF_SERVICE_REASON, SELF_SERVICE_START, SELF_SERVICE_SUBMIT
from cards.callerid import caller_id_card
from cards.requests import request_card
from cards.selfservice import self_service_card, self_service_view
from cards.views import caller_id_view, may_offer_self_service
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.requests import RequestKind
from sharedcalling.domain.rules import Severity
from sharedcalling.services.approvals.policy import ApprovalPolicy
from sharedcalling.services.approvals.views import Audience, RequestView, Roster
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.planning import preview_plan
from sharedcalling.services.selfservice.outcomes import Offered
from tests.cards.card_checks import (
    actions_of,
    assert_card_ok,
    sdk_available,
    sdk_problems,
    verb_of,
    walk,
)
from tests.cards.test_callerid_cards import answered
from tests.cards.test_request_cards import ROSTER, request
from tests.demo_ids import DIEGO, MEGAN, RA_MAINLINE


async def offered(notice: str = "") -> Offered:
    tenant = EmulatedTenantGateway.seeded()
    preview = await preview_plan(DesiredState(RA_MAINLINE, "Seattle", (DIEGO,)), tenant=tenant)
    warnings = tuple(f for f in preview.plan.findings if f.severity is Severity.WARN)
    return Offered(preview, "Contoso Main Line", "+14255550100", "Seattle", warnings, notice)


def texts(card: dict[str, Any]) -> str:
    return "\n".join(str(n["text"]) for n in walk(card) if isinstance(n, dict) and "text" in n)


async def test_the_offer_shows_the_number_the_changes_and_asks_a_bounded_reason() -> None:
    offer = await offered()
    card = self_service_card(self_service_view(offer))
    assert_card_ok(card)
    shown = texts(card)
    assert "With Shared Calling you call out as +1\u00a0425\u2011555\u20110100." in shown
    for line in (
        "- Turn on Enterprise Voice for you",
        "- Voice routing policy NoPSTN (was Global)",
        "- Shared Calling policy Seattle (was Global)",
    ):
        assert line in shown
    assert "SC-R07" in shown
    [reason] = [n for n in walk(card) if isinstance(n, dict) and n.get("type") == "Input.Text"]
    assert (reason["id"], reason["isRequired"], reason["maxLength"]) == (
        SELF_SERVICE_REASON, True, 500,
    )  # fmt: skip
    [send] = actions_of(card)
    assert (verb_of(send), send["data"]) == (SELF_SERVICE_SUBMIT, {FINGERPRINT: offer.fingerprint})


async def test_a_notice_is_shown_above_the_plan() -> None:
    card = self_service_card(self_service_view(await offered("Your plan changed <b>now</b>")))
    assert card["body"][1]["style"] == "warning"
    assert "Your plan changed \\<b\\>now\\</b\\>" in texts(card)


async def test_the_caller_id_card_offers_the_button_only_when_asked_to() -> None:
    diego = await answered(5, about_self=True)
    assert may_offer_self_service(diego)
    plain = caller_id_card(caller_id_view(diego))
    with_button = caller_id_card(replace(caller_id_view(diego), offer_self_service=True))
    assert SELF_SERVICE_START not in {verb_of(a) for a in actions_of(plain)}
    assert verb_of(with_button["actions"][0]) == SELF_SERVICE_START
    assert_card_ok(with_button)
    adele = await answered(3, about_self=True)  # already on Shared Calling
    assert not may_offer_self_service(adele)
    assert not may_offer_self_service(await answered(5))  # an admin asking about Diego


def self_service_request_view(audience: Audience) -> RequestView:
    req = replace(
        request(1), kind=RequestKind.SELF_SERVICE, requester_id=DIEGO,
        requester_name="Diego Siciliani", beneficiary_id=DIEGO, justification="Customers",
    )  # fmt: skip
    roster = replace(ROSTER, admin_ids=(MEGAN,), admin_group_name="Voice Admins")
    notice = Notice("Sent for approval.", Tone.GOOD)
    return RequestView(req, audience, roster, ApprovalPolicy(), notice=notice)


def test_the_request_card_says_who_asked_for_themselves_and_who_decides() -> None:
    card = request_card(self_service_request_view(Audience.DECIDE))
    assert_card_ok(card)
    assert card["body"][0]["text"].startswith("Self-service request SC-7K2M9QF4 by Diego")
    shown = texts(card)
    assert "Diego Siciliani, for themselves (self-service request)" in str(card)
    assert (
        "1 approval from Voice Approvers, Voice Admins or a Teams admin \\\\(never the requester"
        in str(card)
    )
    assert "Sent for approval." in shown
    setup = request_card(RequestView(request(1), Audience.STATUS, ROSTER, ApprovalPolicy()))
    assert "Voice Admins" not in str(setup)
    assert setup["body"][0]["text"] == "Shared Calling request SC-7K2M9QF4"


def test_admins_are_eligible_for_self_service_requests_only_and_never_for_their_own() -> None:
    roster = Roster("Voice Approvers", ROSTER.approver_ids, admin_ids=(MEGAN, DIEGO))
    self_service = replace(request(1), kind=RequestKind.SELF_SERVICE, requester_id=DIEGO,
                           beneficiary_id=DIEGO)  # fmt: skip
    assert set(roster.eligible(self_service)) == {*ROSTER.approver_ids, MEGAN}
    assert set(roster.eligible(request(1))) == set(ROSTER.approver_ids) - {MEGAN}


@pytest.mark.skipif(
    not sdk_available() and os.environ.get("CI") != "true",
    reason="npm ci --prefix tests/cards (adaptivecards); always run in CI",
)
async def test_the_official_sdk_finds_no_problem_in_the_self_service_cards() -> None:
    diego = await answered(5, about_self=True)
    cards = [
        self_service_card(self_service_view(await offered())),
        self_service_card(self_service_view(await offered("The plan changed."))),
        caller_id_card(replace(caller_id_view(diego), offer_self_service=True)),
        request_card(self_service_request_view(Audience.DECIDE)),
        request_card(self_service_request_view(Audience.REQUESTER)),
    ]
    assert sdk_problems(cards) == [[] for _ in cards]
