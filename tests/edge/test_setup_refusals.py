"""Who may not set up Shared Calling, and input the set-up refuses: a clear message, and the
state (step, revision, choices) exactly as it was. Forged actions included."""

from __future__ import annotations

from typing import Any

import pytest

from cards.setup import inputs
from tests.cards.card_checks import actions_of, walk
from tests.edge.setup_driver import (
    DIEGO_UPN,
    NUMBER_0193,
    RA_MAINLINE,
    RA_SYDNEY,
    SetupDriver,
    notices,
)
from tests.edge.teams import CHANNEL, GROUP_CHAT, Teams
from tests.edge.test_setup_journey import requests_of, through_users

FOREIGN_USER = "11111111-2222-4333-8444-000000000005"


def errors(setup: SetupDriver) -> list[str]:
    return list(notices(setup.card or {}))


def chosen_numbers(setup: SetupDriver) -> list[str]:
    """The emergency numbers the card lists as chosen (each has a Remove button)."""
    return [
        a["data"]["number"]
        for a in actions_of(setup.card or {})
        if a.get("verb") == "setup.number_remove"
    ]


async def refused(setup: SetupDriver, title: str, message: str, **data: Any) -> None:
    """Press `title` with `data`; the same step and revision must come back, with `message`."""
    before = setup.step()
    await setup.click(title, **data)
    assert setup.step() == before, "a refused action must not move the set-up"
    assert any(message in e for e in errors(setup)), errors(setup)


@pytest.mark.parametrize("person", ["alex", "diego"])
async def test_a_non_admin_is_refused_and_nothing_is_stored(teams: Teams, person: str) -> None:
    reply = await teams.ask(person, "set up shared calling")
    assert "Only Shared Calling admins can set up Shared Calling" in reply.text
    assert reply.cards == []
    setup = SetupDriver(teams, person=person)
    await setup.invoke("setup.start", {})
    assert "Only Shared Calling admins" in setup.shown()
    await setup.invoke("setup.next", {"step": "account", "rev": 0, inputs.ACCOUNT: RA_MAINLINE})
    assert "Only Shared Calling admins" in setup.shown()
    assert await requests_of(teams) == []


async def test_the_typeahead_answers_admins_only(teams: Teams) -> None:
    answer = await SetupDriver(teams, person="alex").search("setup.people", "Die")
    assert answer["statusCode"] == 403
    assert answer["type"] == "application/vnd.microsoft.error"


@pytest.mark.parametrize("place", [GROUP_CHAT, CHANNEL], ids=["group chat", "channel"])
async def test_the_set_up_runs_in_a_personal_chat_only(teams: Teams, place: Any) -> None:
    reply = await teams.ask("megan", "set up shared calling", place)
    assert "in our personal chat" in reply.text


async def test_nothing_chosen_is_refused_at_every_step(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await setup.start()
    await refused(setup, "Next", "Pick the resource account")
    await setup.click("Next", **{inputs.ACCOUNT: RA_MAINLINE})
    await refused(setup, "Next", "Pick a policy to reuse, or type a name")
    await setup.click("Next", **{inputs.POLICY_NEW: "Redmond"})
    await refused(setup, "Add", "Pick a number from the list, or type one")
    await setup.click("Next")
    await refused(setup, "Add", "Search for people, pick a group or paste a list")
    await refused(setup, "Next", "Choose at least one person")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Tag:Redmond", "may hold letters A to Z"),
        ("x" * 65, "at most 64 characters"),
        ("seattle", "A Shared Calling policy named Seattle already exists"),
        ("HELPDESK", "named HelpDesk already exists"),
        ("Global", "tenant-wide default"),
        ("Red\u00a0mond", "may hold letters A to Z"),
    ],
)
async def test_bad_or_taken_policy_names_are_refused(teams: Teams, name: str, message: str) -> None:
    setup = SetupDriver(teams)
    await setup.start()
    await setup.click("Next", **{inputs.ACCOUNT: RA_MAINLINE})
    await refused(setup, "Next", message, **{inputs.POLICY_NEW: name})


async def test_unknown_people_refuse_the_whole_paste(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await through_users(setup, pasted="")
    pasted = f"{DIEGO_UPN}\nnobody@contoso.example\nnot-an-address"
    await refused(
        setup,
        "Add",
        "Not a UPN or e-mail address: \u201cnot-an-address\u201d",
        **{inputs.PASTE: pasted},
    )
    pasted = f"{DIEGO_UPN}, nobody@contoso.example"
    await refused(
        setup,
        "Add",
        "Not found in this tenant: \u201cnobody@contoso.example\u201d",
        **{inputs.PASTE: pasted},
    )
    assert "Nobody chosen yet." in setup.shown()


async def test_five_thousand_and_one_entries_are_refused(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await through_users(setup, pasted="")
    pasted = "\n".join(f"user{n:04d}@contoso.example" for n in range(1, 5002))
    await refused(
        setup, "Add", "That list has 5,001 entries; paste at most 5,000", **{inputs.PASTE: pasted}
    )
    assert "Nobody chosen yet." in setup.shown()


async def test_duplicates_are_added_once_and_named(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await through_users(
        setup, pasted=f"{DIEGO_UPN}\ndiegos@CONTOSO.example\nPradeepG@contoso.example"
    )
    found = errors(setup)
    assert "Added 2." in found
    assert any("Listed more than once (added once): diegos@CONTOSO.example" in e for e in found)
    await setup.click("Add", **{inputs.PASTE: DIEGO_UPN})
    assert any("1 were already chosen" in e for e in errors(setup))
    assert "Chosen: 2 of at most 5,000" in setup.shown()


async def test_blocked_people_are_kept_and_shown_with_their_reason(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await through_users(setup, pasted="LeeG@contoso.example\nIsaiahL@contoso.example")
    shown = setup.shown()
    assert "Lee Gu (LeeG@contoso.example) \u00b7 blocked: SC-U05" in shown
    assert "Isaiah Langer (IsaiahL@contoso.example) \u00b7 blocked: SC-U03" in shown


async def test_a_forged_blocked_resource_account_is_refused(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await setup.start()
    await refused(
        setup, "Next", "Contoso Sydney cannot be chosen: SC-R04", **{inputs.ACCOUNT: RA_SYDNEY}
    )
    await refused(
        setup, "Next", "not a resource account of this tenant", **{inputs.ACCOUNT: FOREIGN_USER}
    )
    await refused(
        setup,
        "Next",
        "not a resource account",
        **{inputs.ACCOUNT: "00000000-0000-4000-8000-000000000005"},
    )


async def test_a_forged_ineligible_number_is_refused(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await setup.start()
    await setup.click("Next", **{inputs.ACCOUNT: RA_MAINLINE})
    await setup.click("Next", **{inputs.POLICY_NEW: "Redmond"})
    await refused(setup, "Add", "SC-E05", **{inputs.NUMBERS_PICK: f"{NUMBER_0193},+14255550191"})
    await refused(setup, "Add", "SC-E04", **{inputs.NUMBERS_PICK: "+14255550196"})
    # With a Calling Plan account, a number the tenant does not have cannot be typed (SC-E01).
    await refused(
        setup, "Add", "not a number of this tenant", **{inputs.NUMBERS_TYPED: "+1 425 555 0199"}
    )
    await refused(setup, "Add", "is not a valid phone number", **{inputs.NUMBERS_TYPED: "+1 000"})
    assert chosen_numbers(setup) == []


async def test_a_forged_person_from_another_tenant_is_refused(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await through_users(setup, pasted="")
    picked = f"00000000-0000-4000-8000-000000000005,{FOREIGN_USER}"
    await refused(setup, "Add", "not a user of this tenant", **{inputs.PEOPLE: picked})
    await refused(setup, "Add", "not a user of this tenant", **{inputs.PEOPLE: RA_MAINLINE})
    await refused(setup, "Add", "That group is not in this tenant", **{inputs.GROUP: FOREIGN_USER})
    assert "Nobody chosen yet." in setup.shown()


async def test_a_skipped_step_or_an_old_card_changes_nothing(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await setup.start()
    await setup.invoke("setup.next", {"step": "review", "rev": 0})
    assert setup.step() == ("account", 0)
    assert any("not the step you are on" in e for e in errors(setup))
    await setup.invoke("setup.submit", {"step": "account", "rev": 0, "fingerprint": "sha256:x"})
    assert setup.step() == ("account", 0)
    assert any("not part of this step" in e for e in errors(setup))
    first = setup.card
    await setup.click("Next", **{inputs.ACCOUNT: RA_MAINLINE})
    setup.card = first  # step 1's card again, after step 1 is done
    await setup.click("Next", **{inputs.ACCOUNT: RA_SYDNEY})
    assert setup.step() == ("policy", 1)
    assert any("not the step you are on" in e for e in errors(setup))
    assert await requests_of(teams) == []


async def test_an_older_card_of_the_same_step_is_redrawn_not_obeyed(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await setup.start()
    await setup.click("Next", **{inputs.ACCOUNT: RA_MAINLINE})
    await setup.click("Next", **{inputs.POLICY_NEW: "Redmond"})
    older = setup.card
    await setup.click("Add", **{inputs.NUMBERS_PICK: NUMBER_0193})
    step, revision = setup.step()
    setup.card = older
    await setup.click("Add", **{inputs.NUMBERS_PICK: "+14255550195"})
    assert setup.step() == (step, revision)
    assert any("out of date" in e for e in errors(setup))
    assert chosen_numbers(setup) == [NUMBER_0193]


@pytest.mark.parametrize("place", [GROUP_CHAT, CHANNEL], ids=["group chat", "channel"])
async def test_help_in_a_group_chat_or_channel_says_to_mention_the_bot(
    teams: Teams, place: Any
) -> None:
    reply = await teams.ask("megan", "help", place)
    assert "@mention me first" in reply.text
    shown = "\n".join(str(n.get("text", "")) for n in walk(reply.cards[0]) if isinstance(n, dict))
    assert "A plain message never reaches me" in shown
    assert all(a.get("verb") != "setup.start" for a in actions_of(reply.cards[0]))
    personal_help = await teams.ask("megan", "help")
    assert [a.get("verb") for a in actions_of(personal_help.cards[0])] == ["setup.start"]
