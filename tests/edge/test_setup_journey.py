"""Megan sets up Shared Calling through /api/messages: per user, by group, with Back, Cancel and a
bot restart in between. Every step is one card answering in place (Action.Execute)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import SERVICES, create_app
from cards.setup import inputs
from sharedcalling.adapters.tenant.seeds import __file__ as seeds_init
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.planning.codec import desired_from_json
from sharedcalling.domain.requests import RequestKind, RequestState
from sharedcalling.services import Services
from sharedcalling.services.exports.json_export import PLAN_FORMAT
from sharedcalling.services.requests import find_requests
from tests.demo_ids import DIEGO, PRADEEP, RA_MAINLINE
from tests.edge.conftest import edge_settings
from tests.edge.setup_driver import (
    CARD_ACTIVITY_ID,
    DIEGO_UPN,
    NUMBER_0193,
    NUMBER_0194,
    PRADEEP_UPN,
    RA_SPARE,
    RA_SYDNEY,
    SetupDriver,
    inputs_of,
    notices,
)
from tests.edge.teams import Teams, personal
from tests.fakes.fake_connector import FakeConnector

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
PILOT = "00000000-0000-4000-a000-000000000041"
PILOT_WAVE_2 = "00000000-0000-4000-a000-000000000042"


def services_of(teams: Teams) -> Services:
    return teams.client.app[SERVICES]


async def requests_of(teams: Teams) -> list[Any]:
    return await find_requests(TENANT, uow=services_of(teams).uow)


async def through_users(setup: SetupDriver, pasted: str = f"{DIEGO_UPN}\n{PRADEEP_UPN}") -> None:
    """Steps 1 to 4: ra-mainline, new policy Redmond, numbers 0193 and 0194, Diego and Pradeep."""
    await setup.start()
    await setup.click("Next", **{inputs.ACCOUNT: RA_MAINLINE})
    await setup.click("Next", **{inputs.POLICY_NEW: "Redmond"})
    await setup.click("Add", **{inputs.NUMBERS_PICK: f"{NUMBER_0193},{NUMBER_0194}"})
    await setup.click("Next")
    if pasted:
        await setup.click("Add", **{inputs.PASTE: pasted})


def attestations(card: dict[str, Any]) -> dict[str, str]:
    return {k: "true" for k in inputs_of(card) if k.startswith(inputs.ATTEST_PREFIX)}


async def test_megan_sets_up_diego_and_pradeep_on_the_main_line(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    announced: list[Any] = []

    async def after_submit(self: Services, request: Any) -> None:
        announced.append(request)

    monkeypatch.setattr(Services, "after_submit", after_submit)
    setup = SetupDriver(teams)

    card = await setup.start()
    assert setup.step() == ("account", 0)
    shown = setup.shown()
    assert "Contoso Main Line \u00b7 +1\u00a0425\u2011555\u20110100" in shown
    assert "auto attendant Contoso Main AA" in shown
    assert "Calling Plan service number, US" in shown
    pickable = {value for _title, value in setup.choices(inputs.ACCOUNT)}
    assert RA_MAINLINE in pickable
    assert {RA_SYDNEY, RA_SPARE}.isdisjoint(pickable)  # blocked: shown, never offered
    assert "SC-R05: Calling Plan service numbers in AU are not supported" in shown
    assert "SC-R03: Contoso Spare" in shown
    assert len(json.dumps(card).encode()) < 28 * 1024

    await setup.click("Next", **{inputs.ACCOUNT: RA_MAINLINE})
    assert setup.step() == ("policy", 1)
    assert (
        "Seattle (+1\u00a0425\u2011555\u20110191, +1\u00a0425\u2011555\u20110192)" in setup.shown()
    )

    await setup.click("Next", **{inputs.POLICY_NEW: "Redmond"})
    assert setup.step()[0] == "numbers"
    eligible = [value for _title, value in setup.choices(inputs.NUMBERS_PICK)]
    assert eligible == ["+14255550193", "+14255550194", "+14255550195"]
    assert "SC-E05: +14255550191 is already an emergency number in policy Seattle" in setup.shown()
    assert "SC-E08" in setup.shown()  # what an empty list means, before any number is added

    await setup.click("Add", **{inputs.NUMBERS_PICK: f"{NUMBER_0193},{NUMBER_0194}"})
    assert "reused first when every number is held" in setup.shown()
    await setup.click("Next")
    assert setup.step()[0] == "users"

    await setup.click("Add", **{inputs.PASTE: f"{DIEGO_UPN}\n{PRADEEP_UPN}"})
    assert "Added 2." in list(notices(setup.card or {}))
    assert "Chosen: 2 of at most 5,000" in setup.shown()
    await setup.click("Next")
    assert setup.step()[0] == "assignment"
    await setup.click("Next", **{inputs.ASSIGN_MODE: inputs.MODE_PER_USER})
    assert setup.step()[0] == "review"
    review = setup.card or {}
    shown = setup.shown()
    assert "2 people: 2 will change, 0 already compliant, 0 blocked" in shown
    assert "Create Shared Calling policy Redmond for Contoso Main Line" in shown
    assert {k.split(".")[2] for k in attestations(review)} == {"SC-R07", "SC-U09"}

    status = await setup.click(
        "Submit for approval",
        **{inputs.JUSTIFICATION: "Pilot of Shared Calling for two new hires"},
        **attestations(review),
    )
    shown = setup.shown()
    [request] = await requests_of(teams)
    # The clicked card turns into Megan's copy of the request card, kept up to date in place.
    assert f"Shared Calling request {request.id}" in shown
    assert "Waiting for approval" in shown
    assert "Still pending: Alex Wilber, Miriam Graham" in shown
    assert any(a.get("verb") == "request.cancel" for a in _actions(status))
    async with services_of(teams).uow() as work:
        copies = await work.card_copies.of_request(request.id)
    status_copies = [c for c in copies if c.purpose == "status"]
    assert [(c.activity_id, c.recipient_id) for c in status_copies] == [
        (CARD_ACTIVITY_ID, request.requester_id)
    ]
    megan_chat = personal("megan").conversation["id"]
    assert not [m for m in teams.connector.messages() if m.conversation_id == megan_chat
                and "request" in m.text.lower()]  # fmt: skip

    assert request.state is RequestState.PENDING
    assert request.kind is RequestKind.SETUP
    assert request.requester_name == "Megan Bowen"
    assert request.justification == "Pilot of Shared Calling for two new hires"
    assert set(request.user_ids) == {DIEGO, PRADEEP}
    assert request.plan["format"] == PLAN_FORMAT
    assert request.plan["fingerprint"] == request.fingerprint
    assert request.plan["tell_people"] is True  # the review's toggle left on (issue 15)
    desired = desired_from_json(request.desired)
    assert desired.resource_account_id == RA_MAINLINE
    assert desired.policy_name == "Redmond"
    assert desired.emergency_numbers == (NUMBER_0193, NUMBER_0194)
    assert desired.group_assignment is None
    assert f"SC-U09:{PRADEEP}" in request.attested
    assert f"SC-R07:{RA_MAINLINE}" in request.attested
    assert [r.id for r in announced] == [request.id]
    async with services_of(teams).uow() as work:
        holders = await work.locks.holders(TENANT, [UserId(DIEGO), UserId(PRADEEP)])
    assert set(holders.values()) == {request.id}

    # The set-up has ended: an old card's button is answered, and changes nothing.
    await setup.invoke("setup.next", {"step": "review", "rev": 7})
    assert "No set-up is in progress" in setup.shown()
    assert len(await requests_of(teams)) == 1


def _actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    from tests.cards.card_checks import actions_of

    return actions_of(card)


def demo_seed() -> dict[str, Any]:
    """The shipped demo tenant as a tenant file document, to vary for one test."""
    document: dict[str, Any] = json.loads(
        (Path(seeds_init).parent / "contoso.json").read_text(encoding="utf-8")
    )
    return document


def _pilot_seed(tmp_path: Path) -> Path:
    """The demo tenant plus a pilot group: Diego and Pradeep, and a nested group."""
    seed = demo_seed()
    groups = seed["objects"]["group"]
    groups.append(
        {"id": PILOT, "display_name": "Shared Calling Pilot",
         "member_ids": [DIEGO, PRADEEP], "nested_group_ids": [PILOT_WAVE_2]}
    )  # fmt: skip
    groups.append({"id": PILOT_WAVE_2, "display_name": "Pilot wave 2", "member_ids": [LEE_ID]})
    path = tmp_path / "pilot-tenant.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    return path


LEE_ID = "00000000-0000-4000-8000-000000000004"


@pytest.fixture
async def pilot_teams(
    tmp_path: Path, database_url: str, connector: FakeConnector
) -> AsyncIterator[Teams]:
    settings = edge_settings(database_url, EMULATED_SEED=str(_pilot_seed(tmp_path)))
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        yield Teams(client, connector)


async def test_the_same_set_up_by_group_policy_assignment(pilot_teams: Teams) -> None:
    setup = SetupDriver(pilot_teams)
    await through_users(setup, pasted="")
    await setup.click("Add", **{inputs.GROUP: PILOT})
    [added] = list(notices(setup.card or {}))[:1]
    assert added == "Added 2."
    assert "Its 1 nested groups were not added" in setup.shown()
    await setup.click("Next")
    group_box = inputs_of(setup.card or {})[inputs.ASSIGN_GROUP]
    assert group_box["value"] == PILOT  # the group of the users step is offered
    assert group_box["choices.data"] == {"type": "Data.Query", "dataset": "setup.groups"}
    await setup.click(
        "Next",
        **{inputs.ASSIGN_MODE: inputs.MODE_GROUP, inputs.ASSIGN_GROUP: PILOT, inputs.RANK: 1},
    )
    shown = setup.shown()
    assert "Assigned: group Shared Calling Pilot, rank 1" in shown
    assert "Assign Redmond to group Shared Calling Pilot at rank 1" in shown
    assert "SC-P08: Shared Calling Pilot has 1 nested groups whose members" in shown
    assert "SC-P08: Propagation of the group assignment" in shown
    assert "receives Redmond through group Shared Calling Pilot" in shown
    review = setup.card or {}
    assert inputs_of(review)[inputs.TELL_PEOPLE]["value"] == "true"
    await setup.click(
        "Submit for approval",
        **{inputs.JUSTIFICATION: "Pilot", inputs.TELL_PEOPLE: "false"},
        **attestations(review),
    )
    [request] = await find_requests(TENANT, uow=services_of(pilot_teams).uow)
    assert request.plan["tell_people"] is False  # turned off: nobody is messaged after it
    desired = desired_from_json(request.desired)
    assert desired.group_assignment is not None
    assert (desired.group_assignment.group_id, desired.group_assignment.rank) == (PILOT, 1)
    kinds = [c["change"] for c in request.plan["changes"]]
    assert kinds[-1] == "scp.grant_group"
    assert "scp.grant_user" not in kinds  # both are direct members without a direct policy
    assert set(request.user_ids) == {DIEGO, PRADEEP}


async def test_back_returns_to_each_earlier_step_with_the_answers_kept(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await through_users(setup)
    await setup.click("Back")
    assert setup.step()[0] == "numbers"
    assert "+1\u00a0425\u2011555\u20110193" in setup.shown()  # the chosen numbers are still there
    await setup.click("Back")
    assert setup.step()[0] == "policy"
    assert inputs_of(setup.card or {})[inputs.POLICY_NEW]["value"] == "Redmond"
    await setup.click("Back")
    assert setup.step()[0] == "account"
    assert inputs_of(setup.card or {})[inputs.ACCOUNT]["value"] == RA_MAINLINE
    assert not any(a["title"] == "Back" for a in _actions(setup.card or {}))
    # Forward again with the same account: the later answers were kept.
    await setup.click("Next", **{inputs.ACCOUNT: RA_MAINLINE})
    await setup.click("Next", **{inputs.POLICY_NEW: "Redmond"})
    await setup.click("Next")
    assert "Chosen: 2 of at most 5,000" in setup.shown()


async def test_cancel_ends_the_set_up_and_stores_nothing(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await through_users(setup)
    old = setup.card or {}
    await setup.click("Cancel set-up")
    assert "Set-up cancelled. Nothing was submitted" in setup.shown()
    assert await requests_of(teams) == []
    setup.card = old
    await setup.click("Next")
    assert "No set-up is in progress" in setup.shown()
    # A new set-up starts from the beginning.
    await setup.start()
    assert setup.step() == ("account", 0)


async def test_a_bot_restart_resumes_where_megan_was(
    database_url: str, connector: FakeConnector
) -> None:
    async with TestClient(TestServer(create_app(edge_settings(database_url)))) as client:
        setup = SetupDriver(Teams(client, connector))
        await through_users(setup)
        card_before = setup.card
    # A new app (a restarted process) on the same database.
    async with TestClient(TestServer(create_app(edge_settings(database_url)))) as client:
        setup = SetupDriver(Teams(client, connector), card=card_before)
        await setup.click("Next")
        assert setup.step()[0] == "assignment"
        assert "People: 2" in setup.shown()
        await setup.say("set up shared calling")
        assert setup.step()[0] == "assignment"
        assert any("Welcome back" in n for n in notices(setup.card or {}))
