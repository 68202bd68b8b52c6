"""Step 2 through /api/messages: Megan reuses Seattle, the Shared Calling policy that already
names Contoso Main Line, instead of creating one; forged reuses are refused and change nothing."""

from __future__ import annotations

import pytest

from cards.setup import inputs
from sharedcalling.domain.planning.codec import desired_from_json
from tests.cards.card_checks import actions_of
from tests.demo_ids import DIEGO, PRADEEP, RA_MAINLINE
from tests.dialogs.setup_kit import refused_click, stored_flow
from tests.edge.setup_driver import DIEGO_UPN, PRADEEP_UPN, SetupDriver, inputs_of
from tests.edge.teams import Teams
from tests.edge.test_setup_journey import attestations, requests_of

SEATTLE_NUMBERS = ("+14255550191", "+14255550192")
"""Seattle's emergency callback numbers in the demo tenant, in its order."""


def chosen_numbers(setup: SetupDriver) -> list[str]:
    return [
        a["data"]["number"]
        for a in actions_of(setup.card or {})
        if a.get("verb") == "setup.number_remove"
    ]


async def at_policy_step(setup: SetupDriver) -> None:
    await setup.start()
    await setup.click("Next", **{inputs.ACCOUNT: RA_MAINLINE})
    assert setup.step()[0] == "policy"


async def test_megan_reuses_seattle_and_the_request_keeps_it_as_it_is(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await at_policy_step(setup)
    # Only the policies naming the chosen account are offered (not HelpDesk, not Global).
    assert [value for _title, value in setup.choices(inputs.POLICY_REUSE)] == ["Seattle"]

    await setup.click("Next", **{inputs.POLICY_REUSE: "Seattle"})
    assert setup.step()[0] == "numbers"
    assert "Policy: Seattle (existing)" in setup.shown()
    assert chosen_numbers(setup) == list(SEATTLE_NUMBERS)  # the policy's own, in its order
    stored = await stored_flow(setup)
    assert (stored["draft"]["policy"], stored["draft"]["policy_new"]) == ("Seattle", False)

    await setup.click("Back")
    policy_inputs = inputs_of(setup.card or {})
    assert policy_inputs[inputs.POLICY_REUSE]["value"] == "Seattle"
    assert "value" not in policy_inputs[inputs.POLICY_NEW]
    await setup.click("Next", **{inputs.POLICY_REUSE: "Seattle"})
    await setup.click("Next")
    await setup.click("Add", **{inputs.PASTE: f"{DIEGO_UPN}\n{PRADEEP_UPN}"})
    await setup.click("Next")
    review = await setup.click("Next", **{inputs.ASSIGN_MODE: inputs.MODE_PER_USER})

    shown = setup.shown()
    assert "Policy: Seattle (existing)" in shown
    assert "Grant Shared Calling policy directly Seattle: 2 people" in shown
    assert "Create Shared Calling policy" not in shown
    assert "emergency callback numbers of Seattle" not in shown  # its numbers stay as they are
    await setup.click(
        "Submit for approval", **{inputs.JUSTIFICATION: "Two more on Seattle"},
        **attestations(review),
    )  # fmt: skip

    [request] = await requests_of(teams)
    desired = desired_from_json(request.desired)
    assert desired.resource_account_id == RA_MAINLINE
    assert desired.policy_name == "Seattle"
    assert desired.emergency_numbers == SEATTLE_NUMBERS
    assert desired.group_assignment is None
    assert set(desired.user_ids) == {DIEGO, PRADEEP}
    kinds = {c["change"] for c in request.plan["changes"]}
    assert "scp.grant_user" in kinds
    assert kinds.isdisjoint({"scp.create", "scp.add_numbers", "scp.remove_numbers"})


@pytest.mark.parametrize(
    ("forged", "message"),
    [
        # HelpDesk exists, but names Contoso Help Desk, not the chosen account.
        ({inputs.POLICY_REUSE: "HelpDesk"}, "HelpDesk is not a Shared Calling policy of this"),
        ({inputs.POLICY_REUSE: "Nowhere"}, "Nowhere is not a Shared Calling policy of this"),
        ({inputs.POLICY_REUSE: "Global"}, "Global is not a Shared Calling policy of this"),
        (
            {inputs.POLICY_REUSE: "Seattle", inputs.POLICY_NEW: "Redmond"},
            "Either reuse a policy or name a new one, not both.",
        ),
    ],
    ids=["another account's policy", "unknown policy", "Global", "reuse and a new name"],
)
async def test_a_forged_reuse_is_refused_and_changes_nothing(
    teams: Teams, forged: dict[str, str], message: str
) -> None:
    setup = SetupDriver(teams)
    await at_policy_step(setup)
    await refused_click(setup, "Next", message, **forged)
    stored = await stored_flow(setup)
    assert (stored["draft"]["policy"], stored["draft"]["numbers"]) == (None, None)
    # The card stays usable: the real choice goes through.
    await setup.click("Next", **{inputs.POLICY_REUSE: "Seattle"})
    assert setup.step()[0] == "numbers"
    assert await requests_of(teams) == []
