from __future__ import annotations

import json

import pytest

from cards.actions import CALLERID_PICK, USER_ID
from cards.text import unbroken
from tests.edge.teams import CHANNEL, GROUP_CHAT, Place, Teams, execute_invoke, message, object_id

NO_CALLS = "No outside calls"

# (person, headline on the card, "Setup" fact, a phrase of the one-line summary)
DEMO_TENANT = [
    ("megan", "+1 425-555-0110", "Own number", "You call out as **+1 425-555-0110**"),
    ("alex", NO_CALLS, "Not set up for outside calls", "not set up to call outside numbers"),
    (
        "adele",
        "+1 425-555-0100",
        "Shared Calling",
        "You call out as **+1 425-555-0100**, the shared",
    ),
    ("lee", "+1 425-555-0142", "Own number", "You call out as **+1 425-555-0142**"),
    ("diego", NO_CALLS, "Not set up for outside calls", "enterprise voice is disabled"),
    ("isaiah", NO_CALLS, "Not set up for outside calls", "no Teams Phone license"),
    ("johanna", "+49 30 23125142", "Own number (Direct Routing)", "through direct routing"),
    ("nestor", "+1 425-555-0100", "Shared Calling", "policy Seattle"),
    ("patti", "+1 425-555-0150", "Shared Calling", "shared number of Contoso Help Desk"),
    ("lynne", "Outside calls may fail", "Inconsistent setup", "incomplete (SC-U07)"),
    ("grady", "+1 425-555-0100", "Shared Calling", "caller-ID policy Anonymous may change"),
    ("pradeep", NO_CALLS, "No phone number", "no phone number"),
    ("henrietta", NO_CALLS, "Not set up for outside calls", "the account is disabled"),
    ("miriam", NO_CALLS, "Not set up for outside calls", "not set up to call outside numbers"),
    ("joni", "+1 425-555-0196", "Own number", "You call out as **+1 425-555-0196**"),
]


def _facts(card: dict[str, object]) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in card["body"]:  # type: ignore[attr-defined]
        if element.get("type") == "FactSet":
            found.update({f["title"]: f["value"] for f in element["facts"]})
    return found


@pytest.mark.parametrize(("person", "headline", "setup", "summary"), DEMO_TENANT)
async def test_everyone_in_the_demo_tenant_gets_their_true_caller_id(
    teams: Teams, person: str, headline: str, setup: str, summary: str
) -> None:
    reply = await teams.ask(person, "which number do I call out as?")
    assert summary in reply.text
    assert "\n" not in reply.text
    assert reply.text.count(". ") == 0, "the message text is one sentence; the card explains"
    [card] = reply.cards
    shown = unbroken(headline) if headline.startswith("+") else headline
    assert card["body"][1]["text"] == shown  # a number never wraps inside itself
    assert _facts(card)["Setup"] == setup
    assert card["body"][0]["text"] == "Your caller ID"


async def test_an_admin_asks_about_someone_by_name(teams: Teams) -> None:
    reply = await teams.ask("megan", "what's Patti Fernandez's caller id?")
    assert "Patti Fernandez" in reply.text
    assert "+1 425-555-0150" in reply.text
    assert reply.cards[0]["body"][0]["text"] == "Caller ID of Patti Fernandez"


async def test_an_admin_asks_about_someone_by_upn(teams: Teams) -> None:
    reply = await teams.ask("megan", "which number does LeeG@contoso.example call out as?")
    assert reply.cards[0]["body"][1]["text"] == unbroken("+1 425-555-0142")
    assert "Lee Gu" in reply.text


async def test_a_user_may_not_ask_about_someone_else(teams: Teams) -> None:
    reply = await teams.ask("adele", "which number does Lee Gu call out as?")
    assert "only ask about yourself" in reply.text
    assert reply.cards == []
    assert "0142" not in json.dumps(reply.activity)


async def test_an_ambiguous_name_lists_the_candidates(teams: Teams) -> None:
    reply = await teams.ask("megan", "caller id for Contoso Employee 00")
    assert "Several people match" in reply.text
    card_json = json.dumps(reply.cards[0])
    assert card_json.count("00000000-0000-4000-9000-") > 1
    assert CALLERID_PICK in card_json
    assert "Contoso Employee 00" in card_json


async def test_an_unknown_person_is_reported(teams: Teams) -> None:
    reply = await teams.ask("megan", "caller id for Nobody Atall")
    assert "can't find anyone" in reply.text
    assert "Nobody Atall" in reply.text


async def test_picking_a_candidate_answers_with_a_card_over_http(teams: Teams) -> None:
    invoke = execute_invoke(teams.connector, "megan", CALLERID_PICK, {USER_ID: object_id("adele")})
    response = await teams.post(invoke, expect=200)
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["body"][1]["text"] == unbroken("+1 425-555-0100")
    assert body["value"]["body"][0]["text"] == "Caller ID of Adele Vance"


async def test_a_picked_person_is_rechecked_for_a_non_admin(teams: Teams) -> None:
    invoke = execute_invoke(teams.connector, "adele", CALLERID_PICK, {USER_ID: object_id("lee")})
    body = await (await teams.post(invoke, expect=200)).json()
    assert "0142" not in json.dumps(body)
    assert "only ask about yourself" in json.dumps(body)


async def test_an_unknown_card_action_is_a_bad_request(teams: Teams) -> None:
    invoke = execute_invoke(teams.connector, "megan", "no.such.verb", {})
    body = await (await teams.post(invoke, expect=200)).json()
    assert body["statusCode"] == 400


async def test_action_submit_is_routed_like_execute(teams: Teams) -> None:
    before = len(teams.connector.sent)
    submit = message(
        teams.connector, "megan", "", value={"verb": CALLERID_PICK, USER_ID: object_id("joni")}
    )
    await teams.post(submit)
    [reply] = teams.connector.sent[before:]
    assert reply.cards[0]["body"][1]["text"] == unbroken("+1 425-555-0196")


@pytest.mark.parametrize("place", [CHANNEL, GROUP_CHAT], ids=["channel", "group-chat"])
async def test_the_bot_mention_is_stripped_in_shared_conversations(
    teams: Teams, place: Place
) -> None:
    reply = await teams.ask("nestor", "what's my caller ID?", place)
    assert reply.cards[0]["body"][1]["text"] == unbroken("+1 425-555-0100")
    assert reply.conversation_id == place.conversation["id"]
