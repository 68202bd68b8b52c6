"""Step 5 through /api/messages: a forged rank, or a group assignment without a group, is
refused with a message and changes nothing. The demo tenant assigns Seattle to Seattle Floor 2
at rank 1, so another group may take rank 1 or 2, and Seattle Floor 2 (replacing its own
assignment) rank 1 only."""

from __future__ import annotations

from typing import Any

import pytest

from cards.setup import inputs
from tests.demo_ids import SEATTLE_FLOOR_2, VOICE_APPROVERS
from tests.dialogs.setup_kit import refused_click, stored_flow
from tests.edge.setup_driver import SetupDriver
from tests.edge.teams import Teams
from tests.edge.test_setup_journey import through_users

FOREIGN_GROUP = "11111111-2222-4333-8444-000000000009"


async def at_assignment(setup: SetupDriver) -> None:
    await through_users(setup)
    await setup.click("Next")
    assert setup.step()[0] == "assignment"


def by_group(group: str | None, rank: Any) -> dict[str, Any]:
    """The assignment card's inputs for a group assignment; None leaves an input out."""
    data: dict[str, Any] = {inputs.ASSIGN_MODE: inputs.MODE_GROUP}
    if group is not None:
        data[inputs.ASSIGN_GROUP] = group
    if rank is not None:
        data[inputs.RANK] = rank
    return data


@pytest.mark.parametrize(
    "rank", [0, -1, 3, 10**12, "0", "-2", "9" * 40, "one", "1.5", "1e0", True], ids=repr
)
async def test_a_forged_rank_is_refused_and_changes_nothing(teams: Teams, rank: Any) -> None:
    setup = SetupDriver(teams)
    await at_assignment(setup)
    await refused_click(
        setup, "Next", "The rank is a whole number from 1 to 2", **by_group(VOICE_APPROVERS, rank)
    )
    stored = await stored_flow(setup)
    assert (stored["draft"]["group"], stored["draft"]["rank"], stored["group_mode"]) == (
        None, None, False)  # fmt: skip


async def test_the_group_that_has_an_assignment_may_only_replace_it_at_rank_1(
    teams: Teams,
) -> None:
    setup = SetupDriver(teams)
    await at_assignment(setup)
    await refused_click(
        setup, "Next", "The rank is a whole number from 1 to 1", **by_group(SEATTLE_FLOOR_2, 2)
    )


@pytest.mark.parametrize(
    ("group", "rank", "message"),
    [
        (None, 1, "Pick the group to assign the policy to, or assign to each person."),
        (None, None, "Pick the group to assign the policy to"),
        ("  ", 1, "Pick the group to assign the policy to"),
        (FOREIGN_GROUP, 1, "That group is not in this tenant; pick another one."),
        ("00000000-0000-4000-8000-000000000005", 1, "That group is not in this tenant"),
    ],
    ids=["no group", "no group and no rank", "a blank group", "unknown group", "a user's id"],
)
async def test_a_group_assignment_without_a_real_group_is_refused(
    teams: Teams, group: str | None, rank: Any, message: str
) -> None:
    setup = SetupDriver(teams)
    await at_assignment(setup)
    await refused_click(setup, "Next", message, **by_group(group, rank))


async def test_an_unknown_mode_is_refused(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await at_assignment(setup)
    await refused_click(
        setup, "Next", "Choose how the policy is assigned", **{inputs.ASSIGN_MODE: "global"}
    )


async def test_after_refusals_a_real_rank_goes_through(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await at_assignment(setup)
    await refused_click(setup, "Next", "The rank is a whole number", **by_group(VOICE_APPROVERS, 0))
    await setup.click("Next", **by_group(VOICE_APPROVERS, "1"))
    assert setup.step()[0] == "review"
    assert "Assigned: group Voice Approvers, rank 1" in setup.shown()
    stored = await stored_flow(setup)
    assert (stored["draft"]["group"], stored["draft"]["rank"]) == (VOICE_APPROVERS, 1)


async def test_a_rank_left_empty_goes_after_the_existing_assignments(teams: Teams) -> None:
    """Not a refusal: an emptied rank box means the end of the list (AssignmentOptions)."""
    setup = SetupDriver(teams)
    await at_assignment(setup)
    await setup.click("Next", **by_group(VOICE_APPROVERS, ""))
    assert "Assigned: group Voice Approvers, rank 2" in setup.shown()
