"""Paging through /api/messages (`setup.page`): 45 people are three pages on the users step
(20 a page) and five at review (10 a page); forged pages and lists are refused and change
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from cards.actions import SETUP_PAGE
from cards.setup import inputs
from tests.cards.card_checks import actions_of, walk
from tests.dialogs.setup_kit import refused_invoke, stored_flow
from tests.edge.setup_driver import SetupDriver
from tests.edge.teams import Teams
from tests.edge.test_setup_journey import through_users

PEOPLE = 45


def employee(n: int) -> str:
    return f"Contoso Employee {n:04d} (user{n:04d}@contoso.example)"


def generated_id(n: int) -> str:
    return f"00000000-0000-4000-9000-{n:012d}"


async def with_45_people(setup: SetupDriver) -> None:
    await through_users(
        setup, pasted="\n".join(f"user{n:04d}@contoso.example" for n in range(1, PEOPLE + 1))
    )


def users_page(setup: SetupDriver) -> list[str]:
    """The ids the users card lists on the page shown (one Remove tick box each)."""
    return [value for _title, value in setup.choices(inputs.REMOVE)]


def review_page(setup: SetupDriver) -> list[str]:
    """Who the review's per-person list shows on the page shown."""
    return [
        str(fact["title"])
        for node in walk(setup.card or {})
        if isinstance(node, dict) and node.get("type") == "FactSet"
        for fact in node["facts"]
        if str(fact["title"]).startswith("Contoso Employee")
    ]


def pager_titles(setup: SetupDriver) -> set[str]:
    return {a["title"] for a in actions_of(setup.card or {}) if a.get("verb") == SETUP_PAGE}


async def test_next_and_previous_page_show_the_right_people(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await with_45_people(setup)
    assert users_page(setup) == [generated_id(n) for n in range(1, 21)]
    assert "45 people \u00b7 page 1 of 3" in setup.shown()
    assert pager_titles(setup) == {"Next page"}
    await setup.click("Next page")
    assert users_page(setup) == [generated_id(n) for n in range(21, 41)]
    assert "45 people \u00b7 page 2 of 3" in setup.shown()
    assert pager_titles(setup) == {"Previous page", "Next page"}
    await setup.click("Next page")
    assert users_page(setup) == [generated_id(n) for n in range(41, 46)]
    assert pager_titles(setup) == {"Previous page"}
    await setup.click("Previous page")
    assert users_page(setup) == [generated_id(n) for n in range(21, 41)]

    await setup.click("Next")
    await setup.click("Next", **{inputs.ASSIGN_MODE: inputs.MODE_PER_USER})
    # The review pages on its own: it starts at its first page, 10 people a page.
    assert review_page(setup) == [employee(n) for n in range(1, 11)]
    assert "45 people \u00b7 page 1 of 5" in setup.shown()
    await setup.click("Next page")
    assert review_page(setup) == [employee(n) for n in range(11, 21)]
    for _ in range(3):
        await setup.click("Next page")
    assert review_page(setup) == [employee(n) for n in range(41, 46)]
    assert "45 people \u00b7 page 5 of 5" in setup.shown()
    assert pager_titles(setup) == {"Previous page"}
    await setup.click("Previous page")
    assert review_page(setup) == [employee(n) for n in range(31, 41)]

    # Back on the users step, its list is where Megan left it.
    await setup.click("Back")
    await setup.click("Back")
    assert users_page(setup) == [generated_id(n) for n in range(21, 41)]
    assert (await stored_flow(setup))["pages"] == {"users": 2, "review": 4}


BAD_PAGES = [-1, 0, 4, 10**9, "2", 2.5, True, None]


@pytest.mark.parametrize("page", BAD_PAGES, ids=repr)
async def test_a_forged_page_of_the_users_step_is_refused(teams: Teams, page: Any) -> None:
    setup = SetupDriver(teams)
    await with_45_people(setup)
    await setup.click("Next page")
    forged = {} if page is None else {"page": page}
    await refused_invoke(
        setup, SETUP_PAGE, "That page does not exist: the pages run from 1 to 3.",
        list="users", **forged,
    )  # fmt: skip
    assert users_page(setup) == [generated_id(n) for n in range(21, 41)]  # still page 2


@pytest.mark.parametrize("name", ["nobody", "", "accounts", "review"])
async def test_a_list_the_step_does_not_show_is_refused(teams: Teams, name: str) -> None:
    setup = SetupDriver(teams)
    await with_45_people(setup)
    await refused_invoke(setup, SETUP_PAGE, "This step has no such list", list=name, page=2)
    assert users_page(setup) == [generated_id(n) for n in range(1, 21)]


async def test_forged_pages_of_the_review_and_the_accounts_are_refused(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await setup.start()
    # Five resource accounts fit on one page.
    await refused_invoke(setup, SETUP_PAGE, "the pages run from 1 to 1.", list="accounts", page=2)
    await with_45_people(setup)  # "set up shared calling" again: it continues at step 1
    await setup.click("Next")
    await setup.click("Next", **{inputs.ASSIGN_MODE: inputs.MODE_PER_USER})
    await refused_invoke(setup, SETUP_PAGE, "the pages run from 1 to 5.", list="review", page=6)
    await refused_invoke(setup, SETUP_PAGE, "This step has no such list", list="users", page=2)
    assert review_page(setup) == [employee(n) for n in range(1, 11)]
    await setup.invoke(
        SETUP_PAGE, {"step": "review", "rev": setup.step()[1], "list": "review", "page": 5}
    )
    assert review_page(setup) == [employee(n) for n in range(41, 46)]
