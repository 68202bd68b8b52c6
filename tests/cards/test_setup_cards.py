"""The set-up cards: what each must show, golden snapshots, the official SDK, 28 KB with 5,000
people, and phone numbers that never wrap in the middle."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cards.actions import SEARCH_DATASETS, SETUP_BACK, SETUP_CANCEL, SETUP_NEXT, SETUP_SUBMIT
from cards.help import help_card
from cards.setup.accounts import accounts_card, fix_card
from cards.setup.assignment import assignment_card
from cards.setup.numbers import numbers_card
from cards.setup.policy import policy_card
from cards.setup.review import review_card
from cards.setup.status import status_card
from cards.setup.users import users_card
from cards.welcome import welcome_card
from dialogs.setup_flow import CANCELLED_TEXT, ended_card
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.access import Role
from tests.cards.card_checks import (
    MAX_CARD_BYTES,
    TYPEAHEAD,
    actions_of,
    assert_card_ok,
    sdk_available,
    teams_sdk_problems,
    walk,
)
from tests.cards.setup_views import (
    DOWNLOAD,
    DRAFT,
    EXPIRED_TEXT,
    VOICE_APPROVERS,
    accounts_card_view,
    assignment_card_view,
    big_tenant,
    fix_card_view,
    generated,
    group_assignment_card_view,
    numbers_card_view,
    policy_card_view,
    review_card_view,
    review_with_download_view,
    status_card_view,
    users_card_view,
    vrp_fix_card_view,
)
from tests.cards.test_callerid_cards import assert_golden
from tests.edge.setup_driver import inputs_of, texts

ADMIN = {Role.USER, Role.ADMIN}
NBSP, NBHY = "\u00a0", "\u2011"
MAIN_LINE = f"+1{NBSP}425{NBHY}555{NBHY}0100"


@pytest.fixture(scope="module")
def tenant() -> EmulatedTenantGateway:
    return EmulatedTenantGateway.seeded()


async def every_card(tenant: EmulatedTenantGateway) -> dict[str, dict[str, Any]]:
    return {
        "setup_accounts": accounts_card(await accounts_card_view(tenant)),
        "setup_fix_location": fix_card(await fix_card_view(tenant)),
        "setup_fix_vrp": fix_card(await vrp_fix_card_view(tenant)),
        "setup_policy": policy_card(await policy_card_view(tenant)),
        "setup_numbers": numbers_card(await numbers_card_view(tenant)),
        "setup_users": users_card(await users_card_view(tenant)),
        "setup_assignment": assignment_card(await assignment_card_view(tenant)),
        "setup_assignment_group": assignment_card(await group_assignment_card_view(tenant)),
        "setup_review": review_card(await review_card_view(tenant)),
        "setup_review_download": review_card(await review_with_download_view(tenant)),
        "setup_status": status_card(status_card_view()),
        "setup_ended_cancelled": ended_card(CANCELLED_TEXT),
        "setup_ended_expired": ended_card(EXPIRED_TEXT),
    }


def verbs(card: dict[str, Any]) -> list[str]:
    return [str(a.get("verb")) for a in actions_of(card) if a["type"] == "Action.Execute"]


async def test_every_set_up_card_passes_the_card_checks_and_matches_its_snapshot(
    tenant: EmulatedTenantGateway,
) -> None:
    for name, card in (await every_card(tenant)).items():
        assert_card_ok(card)
        assert_golden(name, card)


async def test_every_step_has_back_next_and_cancel_that_leave_without_inputs(
    tenant: EmulatedTenantGateway,
) -> None:
    cards = await every_card(tenant)
    for name in ("setup_fix_location", "setup_fix_vrp", "setup_policy", "setup_numbers",
                 "setup_users", "setup_assignment", "setup_assignment_group", "setup_review",
                 "setup_review_download"):  # fmt: skip
        actions = {a.get("verb"): a for a in cards[name]["actions"]}
        assert {SETUP_BACK, SETUP_CANCEL} <= set(actions), name
        assert actions[SETUP_BACK]["associatedInputs"] == "none"
        assert actions[SETUP_CANCEL]["associatedInputs"] == "none"
    first = {a.get("verb") for a in cards["setup_accounts"]["actions"]}
    assert first == {SETUP_NEXT, SETUP_CANCEL}  # nothing to go back to
    review = {a.get("verb") for a in cards["setup_review"]["actions"]}
    assert SETUP_SUBMIT in review


async def test_the_accounts_card_shows_every_account_and_offers_only_usable_ones(
    tenant: EmulatedTenantGateway,
) -> None:
    card = accounts_card(await accounts_card_view(tenant))
    shown = texts(card)
    for name in ("Contoso Main Line", "Contoso Help Desk", "Contoso Berlin", "Contoso Sydney",
                 "Contoso Spare"):  # fmt: skip
        assert name in shown
    assert f"Contoso Main Line \u00b7 {MAIN_LINE}" in shown
    assert "Operator Connect, US" in shown
    assert "call queue Help Desk" in shown
    assert "Direct Routing, DE" in shown
    assert "Blocked: cannot be used" in shown
    offered = [c["title"] for c in inputs_of(card)["setup.account"]["choices"]]
    assert not any("Sydney" in t or "Spare" in t for t in offered)
    assert len(offered) == 3


async def test_the_fix_card_asks_for_a_location_of_the_numbers_country(
    tenant: EmulatedTenantGateway,
) -> None:
    card = fix_card(await fix_card_view(tenant))
    choices = inputs_of(card)["setup.location"]["choices"]
    assert [c["value"][-2:] for c in choices] == ["01", "02"]  # US locations, not Berlin's
    assert "Contoso HQ, 1 Microsoft Way, Redmond, WA 98052" in texts(card)
    assert "SC-R04" in texts(card)


async def test_the_vrp_card_offers_only_policies_with_pstn_usages(
    tenant: EmulatedTenantGateway,
) -> None:
    card = fix_card(await vrp_fix_card_view(tenant))
    boxes = inputs_of(card)
    assert [(c["title"], c["value"]) for c in boxes["setup.vrp"]["choices"]] == [
        ("DE-Berlin-PSTN", "DE-Berlin-PSTN")
    ]  # not NoPSTN (no usages), not Global
    assert "setup.location" not in boxes  # the number has its location: only SC-R08 to fix
    shown = texts(card)
    assert f"Contoso Berlin \u00b7 +49{NBSP}30{NBSP}23125100" in shown
    assert "SC-R08: the account needs a voice routing policy with PSTN usages." in shown


async def test_the_numbers_card_keeps_the_admins_order_and_names_ineligible_numbers(
    tenant: EmulatedTenantGateway,
) -> None:
    card = numbers_card(await numbers_card_view(tenant, ("+14255550194", "+14255550193")))
    removes = [a["data"]["number"] for a in actions_of(card) if a["verb"] == "setup.number_remove"]
    assert removes == ["+14255550194", "+14255550193"]
    ups = [a["data"]["number"] for a in actions_of(card) if a["verb"] == "setup.number_up"]
    assert ups == ["+14255550193"]  # the first cannot move up
    shown = texts(card)
    assert "SC-E05: +14255550191 is already an emergency number in policy Seattle." in shown
    assert "SC-E04: +14255550196 is assigned to Joni Sherman" in shown


async def test_an_empty_number_list_shows_the_rules_warning(tenant: EmulatedTenantGateway) -> None:
    card = numbers_card(await numbers_card_view(tenant, ()))
    assert "No numbers: SC-E08: Policy Redmond has no emergency callback numbers" in texts(card)


async def test_the_users_card_offers_the_typeaheads_and_the_paste(
    tenant: EmulatedTenantGateway,
) -> None:
    card = users_card(await users_card_view(tenant))
    boxes = inputs_of(card)
    people, group = boxes["setup.people_pick"], boxes["setup.group_pick"]
    assert (people["style"], people["isMultiSelect"]) == ("filtered", True)
    assert people[TYPEAHEAD] == {"type": "Data.Query", "dataset": "setup.people"}
    assert group[TYPEAHEAD] == {"type": "Data.Query", "dataset": "setup.groups"}
    assert people["choices"], "a choice set is never empty (the SDK requires a choice)"
    assert boxes["setup.paste"]["isMultiline"] is True
    assert "Pradeep Gupta (PradeepG@contoso.example) \u00b7 will change" in texts(card)


async def test_the_review_card_summarises_and_asks_for_confirmations_and_a_reason(
    tenant: EmulatedTenantGateway,
) -> None:
    card = review_card(await review_card_view(tenant))
    shown = texts(card)
    assert "2 people: 2 will change, 0 already compliant, 0 blocked" in shown
    toggles = [i for i in inputs_of(card).values() if i["type"] == "Input.Toggle"]
    tell = inputs_of(card)["setup.tell_people"]
    assert (tell["type"], tell["value"]) == ("Input.Toggle", "true")  # on unless turned off
    toggles.remove(tell)
    assert sorted(t["id"].split(".")[2] for t in toggles) == ["SC-R07", "SC-U09"]
    assert "SC-U09 (1 person): Pradeep Gupta" in " ".join(t["title"] for t in toggles)
    justification = inputs_of(card)["setup.justification"]
    assert justification["isRequired"] is True
    assert justification["errorMessage"]
    [submit] = [a for a in actions_of(card) if a.get("verb") == SETUP_SUBMIT]
    assert submit["data"]["fingerprint"].startswith("sha256:")
    assert {a.get("data", {}).get("format") for a in actions_of(card)} >= {"ps1", "json"}


async def test_the_group_mode_assignment_card_keeps_the_group_and_rank(
    tenant: EmulatedTenantGateway,
) -> None:
    card = assignment_card(await group_assignment_card_view(tenant))
    boxes = inputs_of(card)
    assert boxes["setup.assign"]["value"] == "group"
    group = boxes["setup.assign_group"]
    assert group["value"] == VOICE_APPROVERS
    assert group["choices"][0] == {"title": "Voice Approvers", "value": VOICE_APPROVERS}
    assert [c["value"] for c in group["choices"]].count(VOICE_APPROVERS) == 1
    assert group[TYPEAHEAD] == {"type": "Data.Query", "dataset": "setup.groups"}
    rank = boxes["setup.rank"]
    assert (rank["value"], rank["min"], rank["max"]) == (1, 1, 2)  # Seattle Floor 2 holds rank 1
    assert "Seattle Floor 2: Seattle, rank 1" in texts(card)


async def test_the_review_with_a_download_link_keeps_what_was_typed(
    tenant: EmulatedTenantGateway,
) -> None:
    card = review_card(await review_with_download_view(tenant))
    [link] = [a for a in actions_of(card) if a["type"] == "Action.OpenUrl"]
    assert (link["title"], link["url"]) == (f"Download {DOWNLOAD.filename}", DOWNLOAD.url)
    assert DOWNLOAD.note in texts(card)
    boxes = inputs_of(card)
    assert boxes["setup.justification"]["value"] == "Pilot of Shared Calling for two new hires"
    assert boxes["setup.tell_people"]["value"] == "false"
    assert SETUP_SUBMIT in verbs(card)  # a download does not take Submit away


def test_the_ended_cards_say_why_and_offer_a_new_set_up() -> None:
    for text in (CANCELLED_TEXT, EXPIRED_TEXT):
        card = ended_card(text)
        assert texts(card).splitlines() == [text, "[Start a new set-up]"]
        assert verbs(card) == ["setup.start"]


def test_the_status_card_names_the_request_its_state_and_what_happens_next() -> None:
    card = status_card(status_card_view())
    shown = texts(card)
    assert "Request SC-7K2M9QF4 is waiting for approval" in shown
    assert "State: PENDING" in shown
    assert "An approver decides" in shown
    assert verbs(card) == ["setup.request_status", "setup.request_cancel"]


async def test_phone_numbers_never_wrap_inside_a_number(tenant: EmulatedTenantGateway) -> None:
    for name, card in (await every_card(tenant)).items():
        for node in walk(card):
            if isinstance(node, str) and "+1 425" in node:
                pytest.fail(f"{name}: a breakable number in {node!r}")
    card = numbers_card(await numbers_card_view(tenant))
    assert f"+1{NBSP}425{NBHY}555{NBHY}0193" in texts(card)


def test_help_and_welcome_in_a_group_chat_say_to_mention_the_bot() -> None:
    for card in (
        help_card(ADMIN, "Shared Calling"),
        welcome_card("Megan", ADMIN, "Shared Calling"),
    ):
        shown = texts(card)
        assert "\u201c@Shared Calling help\u201d" in shown
        assert "A plain message never reaches me" in shown
        assert "setup.start" not in verbs(card)  # the set-up runs in a personal chat only
        assert_card_ok(card)


def test_help_and_welcome_in_a_personal_chat_offer_admins_the_set_up_button() -> None:
    for card in (help_card(ADMIN), welcome_card("Megan", ADMIN)):
        assert verbs(card) == ["setup.start"]
        assert "\u201cset up shared calling\u201d" in texts(card)
        assert "@" not in texts(card)
    assert verbs(help_card({Role.USER})) == []


@pytest.fixture(scope="module")
def five_thousand(tmp_path_factory: pytest.TempPathFactory) -> EmulatedTenantGateway:
    return big_tenant(tmp_path_factory.mktemp("big"))


@pytest.mark.slow
async def test_with_5000_people_chosen_every_card_stays_under_28_kb(
    five_thousand: EmulatedTenantGateway,
) -> None:
    draft = replace(DRAFT, user_ids=tuple(generated(n) for n in range(1, 5001)))
    users = users_card(await users_card_view(five_thousand, draft))
    review = review_card(await review_card_view(five_thousand, draft))
    for card in (users, review):
        assert_card_ok(card)
        assert len(json.dumps(card, ensure_ascii=False).encode()) < MAX_CARD_BYTES
    assert "5,000 people \u00b7 page 1 of 250" in texts(users)
    assert "5,000 people: 5,000 will change" in texts(review)
    assert "5,000 people \u00b7 page 1 of 500" in texts(review)
    assert len(inputs_of(users)["setup.remove"]["choices"]) == 20
    problems = teams_sdk_problems([users, review]) if sdk_available() else [[], []]
    assert problems == [[], []]


@pytest.mark.skipif(
    not sdk_available() and os.environ.get("CI") != "true",
    reason="npm ci --prefix tests/cards (adaptivecards); always run in CI",
)
async def test_the_official_sdk_finds_nothing_wrong_with_the_set_up_cards(
    tenant: EmulatedTenantGateway,
) -> None:
    cards = list((await every_card(tenant)).values())
    cards += [help_card(ADMIN), help_card(ADMIN, "Shared Calling"), welcome_card("Megan", ADMIN)]
    assert teams_sdk_problems(cards) == [[] for _ in cards]
    datasets = {
        n[TYPEAHEAD]["dataset"]
        for c in cards
        for n in walk(c)
        if isinstance(n, dict) and TYPEAHEAD in n
    }
    assert datasets == set(SEARCH_DATASETS)


@pytest.mark.skipif(
    not sdk_available() and os.environ.get("CI") != "true",
    reason="npm ci --prefix tests/cards (adaptivecards); always run in CI",
)
def test_the_typeahead_check_still_reports_a_card_at_1_5_that_misuses_it() -> None:
    box = {"type": "Input.ChoiceSet", "id": "x", "style": "filtered", "choices": [],
           TYPEAHEAD: {"type": "Data.Query", "dataset": "d"}}  # fmt: skip
    broken = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
              "type": "AdaptiveCard", "version": "1.5", "body": [box]}  # fmt: skip
    [problems] = teams_sdk_problems([broken])
    assert any("at least one choice" in p for p in problems)


def test_golden_files_exist_for_every_set_up_card() -> None:
    golden = Path(__file__).resolve().parent / "golden"
    names = {"setup_accounts", "setup_fix_location", "setup_fix_vrp", "setup_policy",
             "setup_numbers", "setup_users", "setup_assignment", "setup_assignment_group",
             "setup_review", "setup_review_download", "setup_status", "setup_ended_cancelled",
             "setup_ended_expired"}  # fmt: skip
    assert names <= {p.stem for p in golden.glob("*.json")}
