from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from cards.actions import ACTION_IDS, CALLERID_PICK, CALLERID_REFRESH, USER_ID
from cards.callerid import caller_id_ambiguous_card, caller_id_card
from cards.text import unbroken
from cards.views import (
    CallerIdChoicesView,
    CallerIdView,
    PersonChoice,
    caller_id_view,
    choices_view,
)
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.access import Principal, Role
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.services.callerid import Ambiguous, Answered, explain_caller_id
from tests.cards.card_checks import (
    actions_of,
    assert_card_ok,
    sdk_available,
    sdk_problems,
    verb_of,
    walk,
)

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
GOLDEN = Path(__file__).resolve().parent / "golden"
PEOPLE = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 17)


def uid(nn: int) -> UserId:
    return UserId(f"00000000-0000-4000-8000-{nn:012d}")


ADMIN = Principal(TENANT, uid(1), "Megan Bowen", frozenset({Role.USER, Role.ADMIN}))


async def answered(nn: int, *, about_self: bool = False) -> Answered:
    tenant = EmulatedTenantGateway.seeded()
    asker = Principal(TENANT, uid(nn), "self") if about_self else ADMIN
    result = await explain_caller_id(asker, None if about_self else str(uid(nn)), tenant=tenant)
    assert isinstance(result, Answered)
    return result


async def ambiguous() -> Ambiguous:
    tenant = EmulatedTenantGateway.seeded()
    result = await explain_caller_id(ADMIN, "Contoso Employee", tenant=tenant)
    assert isinstance(result, Ambiguous)
    return result


def texts(card: dict[str, Any]) -> str:
    return "\n".join(
        str(n.get("text", "")) + str(n.get("value", "")) for n in walk(card) if isinstance(n, dict)
    )


def assert_golden(name: str, card: dict[str, Any]) -> None:
    path = GOLDEN / f"{name}.json"
    rendered = json.dumps(card, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8"), f"{path.name} changed; UPDATE_GOLDEN=1"


async def test_adele_sees_the_shared_main_line_in_large_type() -> None:
    card = caller_id_card(caller_id_view(await answered(3, about_self=True)))
    assert card["body"][0]["text"] == "Your caller ID"
    assert card["body"][1]["text"] == unbroken("+1 425-555-0100")
    assert card["body"][1]["size"] == "ExtraLarge"
    assert "When you call an outside number" in texts(card)
    assert "Contoso Main AA" in texts(card)
    assert f"{unbroken('+1 425-555-0191')}, {unbroken('+1 425-555-0192')}" in texts(card)
    assert_golden("caller_id_adele_self", card)


async def test_an_admin_sees_pattis_help_desk_number_with_the_callback_caveat() -> None:
    card = caller_id_card(caller_id_view(await answered(9)))
    assert card["body"][0]["text"] == "Caller ID of Patti Fernandez"
    assert card["body"][1]["text"] == unbroken("+1 425-555-0150")
    warnings = [n for n in walk(card) if isinstance(n, dict) and n.get("style") == "warning"]
    assert warnings
    assert "SC-R10" in texts(warnings[0])
    assert_golden("caller_id_patti_admin", card)


async def test_lynnes_card_shows_the_problem_and_its_rule_code() -> None:
    view = caller_id_view(await answered(10))
    card = caller_id_card(view)
    assert view.is_problem
    assert card["body"][1]["color"] == "Attention"
    assert card["body"][1]["text"] == "Outside calls may fail"
    problems = [n for n in walk(card) if isinstance(n, dict) and n.get("style") == "attention"]
    assert "SC-U07" in texts(problems[0])


async def test_a_disabled_account_card_says_no_outside_calls_and_why() -> None:
    card = caller_id_card(caller_id_view(await answered(13)))
    assert card["body"][1]["text"] == "No outside calls"
    assert "SC-U02" in texts(card)


async def test_the_refresh_action_carries_only_the_subject_id() -> None:
    card = caller_id_card(caller_id_view(await answered(4)))
    [action] = actions_of(card)
    assert action["verb"] == CALLERID_REFRESH
    assert action["data"] == {USER_ID: str(uid(4))}


async def test_many_candidates_are_offered_as_one_list_and_one_button() -> None:
    result = await ambiguous()
    card = caller_id_ambiguous_card(choices_view(result))
    [action] = actions_of(card)
    assert verb_of(action) == CALLERID_PICK
    [choices] = [n for n in walk(card) if isinstance(n, dict) and n.get("id") == USER_ID]
    assert choices["type"] == "Input.ChoiceSet"
    assert [c["value"] for c in choices["choices"]] == [p.id for p in result.candidates]
    assert len(choices["choices"]) == 10
    assert choices["choices"][0]["title"] == "Contoso Employee 0001 (user0001@contoso.example)"
    assert_golden("caller_id_ambiguous", card)


def test_a_few_candidates_get_one_pick_button_each() -> None:
    people = tuple(PersonChoice(f"id-{n}", f"Lee {n}", f"lee{n}@contoso.example") for n in range(3))
    card = caller_id_ambiguous_card(CallerIdChoicesView("Lee", people))
    actions = actions_of(card)
    assert [verb_of(a) for a in actions] == [CALLERID_PICK] * 3
    assert [a["data"] for a in actions] == [{USER_ID: f"id-{n}"} for n in range(3)]
    assert actions[2]["title"] == "Lee 2 (lee2@contoso.example)"
    assert_card_ok(card)


@pytest.mark.parametrize("nn", PEOPLE)
async def test_every_demo_persons_card_passes_the_card_checks(nn: int) -> None:
    for about_self in (True, False):
        assert_card_ok(caller_id_card(caller_id_view(await answered(nn, about_self=about_self))))


async def test_the_ambiguous_card_passes_the_card_checks() -> None:
    assert_card_ok(caller_id_ambiguous_card(choices_view(await ambiguous())))


def test_a_card_with_a_very_long_summary_stays_valid() -> None:
    view = CallerIdView("id", "Your caller ID", "+1", "x" * 20_000, "y", (("Setup", "y"),))
    assert_card_ok(caller_id_card(view))


def test_every_action_id_is_dotted_lower_case() -> None:
    for action_id in ACTION_IDS:
        assert re.fullmatch(r"[a-z]+(\.[a-z_]+)+", action_id), action_id


@pytest.mark.skipif(
    not sdk_available() and os.environ.get("CI") != "true",
    reason="npm ci --prefix tests/cards (adaptivecards); always run in CI",
)
async def test_the_official_sdk_finds_nothing_wrong_with_the_caller_id_cards() -> None:
    cards = [caller_id_card(caller_id_view(await answered(nn))) for nn in PEOPLE]
    cards.append(caller_id_ambiguous_card(choices_view(await ambiguous())))
    few = tuple(PersonChoice(f"id-{n}", f"Lee {n}", f"lee{n}@contoso.example") for n in range(5))
    cards.append(caller_id_ambiguous_card(CallerIdChoicesView("Lee", few)))
    assert sdk_problems(cards) == [[] for _ in cards]


@pytest.mark.skipif(
    not sdk_available() and os.environ.get("CI") != "true",
    reason="npm ci --prefix tests/cards (adaptivecards); always run in CI",
)
def test_the_sdk_validator_reports_a_broken_card() -> None:
    broken = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Bogus"}]}
    [problems] = sdk_problems([broken])
    assert any("Bogus" in p for p in problems)
