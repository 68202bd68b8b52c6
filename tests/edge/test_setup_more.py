"""The set-up's edges: typeahead search, export links, expiry, locked people, cancelling a
request, and the choices a resource account may still need (SC-R04 location, SC-R08 VRP)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from cards.setup import inputs
from sharedcalling.bootstrap import build_services
from sharedcalling.config import Settings
from sharedcalling.domain.requests import RequestState
from sharedcalling.services import Services
from sharedcalling.services.ports import Clock
from sharedcalling.services.setup.expiry import CONVERSATION_STATE_PREFIX, forget_abandoned_setups
from tests.cards.card_checks import actions_of
from tests.edge.conftest import edge_settings
from tests.edge.setup_driver import DIEGO_UPN, RA_MAINLINE, SetupDriver, inputs_of, notices
from tests.edge.teams import Teams
from tests.edge.test_setup_journey import (
    attestations,
    demo_seed,
    requests_of,
    services_of,
    through_users,
)
from tests.fakes.fake_connector import FakeConnector

RA_BERLIN = "00000000-0000-4000-8000-000000000053"
SEATTLE_LOCATION = "00000000-0000-4000-c000-000000000002"
SEATTLE_FLOOR_2 = "00000000-0000-4000-a000-000000000003"


class SteppedClock(Clock):
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


async def _review(setup: SetupDriver) -> dict[str, Any]:
    await through_users(setup)
    await setup.click("Next")
    return await setup.click("Next", **{inputs.ASSIGN_MODE: inputs.MODE_PER_USER})


async def test_the_people_typeahead_answers_from_the_tenant_page_by_page(teams: Teams) -> None:
    setup = SetupDriver(teams)
    found = await setup.search("setup.people", "Die")
    assert found["statusCode"] == 200
    assert found["type"] == "application/vnd.microsoft.search.searchResponse"
    assert found["value"]["results"] == [
        {"title": "Diego Siciliani (DiegoS@contoso.example)",
         "value": "00000000-0000-4000-8000-000000000005"}
    ]  # fmt: skip
    first = (await setup.search("setup.people", "Contoso Employee"))["value"]["results"]
    second = (await setup.search("setup.people", "Contoso Employee", skip=15))["value"]["results"]
    assert len(first) == len(second) == 15
    assert first[0]["title"].startswith("Contoso Employee 0001")
    assert second[0]["title"].startswith("Contoso Employee 0016")
    ra = await setup.search("setup.people", "Contoso Main")
    assert ra["value"]["results"] == []  # resource accounts are not people
    groups = await setup.search("setup.groups", "seattle")
    assert groups["value"]["results"] == [
        {"title": "Seattle Floor 2 (2 direct members)", "value": SEATTLE_FLOOR_2}
    ]
    unknown = await setup.search("setup.numbers", "1")
    assert unknown["statusCode"] == 400


async def test_picking_people_in_the_typeahead_adds_them(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await through_users(setup, pasted="")
    box = inputs_of(setup.card or {})[inputs.PEOPLE]
    assert box["style"] == "filtered"
    assert box["isMultiSelect"] is True
    assert box["choices.data"] == {"type": "Data.Query", "dataset": "setup.people"}
    picked = [r["value"] for r in (await setup.search("setup.people", "Diego"))["value"]["results"]]
    picked += [
        r["value"] for r in (await setup.search("setup.people", "Pradeep"))["value"]["results"]
    ]
    await setup.click("Add", **{inputs.PEOPLE: ",".join(picked)})
    assert "Chosen: 2 of at most 5,000" in setup.shown()


async def test_an_export_link_downloads_the_plan_once(teams: Teams) -> None:
    setup = SetupDriver(teams)
    await _review(setup)
    card = await setup.click("PowerShell script")
    assert setup.step()[0] == "review"
    [link] = [a for a in actions_of(card) if a["type"] == "Action.OpenUrl"]
    url = urlsplit(link["url"])
    assert url.netloc == "127.0.0.1:3978"
    token = url.path.removeprefix("/exports/")
    assert len(token) >= 43  # 256 random bits
    download = await teams.client.get(url.path)
    assert download.status == 200
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="shared-calling-plan-'
    )
    script = await download.text()
    assert "Grant-CsTeamsSharedCallingRoutingPolicy" in script
    assert "New-CsTeamsSharedCallingRoutingPolicy" in script
    again = await teams.client.get(url.path)
    assert again.status == 404
    assert "already used or expired" in await again.text()
    card = await setup.click("JSON")
    [link] = [a for a in actions_of(card) if a["type"] == "Action.OpenUrl"]
    plan = json.loads(await (await teams.client.get(urlsplit(link["url"]).path)).text())
    assert plan["desired"]["policy_name"] == "Redmond"
    guessed = await teams.client.get("/exports/" + "A" * 43)
    assert guessed.status == 404


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock()


@pytest.fixture
async def timed_teams(
    database_url: str, connector: FakeConnector, clock: SteppedClock
) -> AsyncIterator[Teams]:
    @asynccontextmanager
    async def with_clock(settings: Settings) -> AsyncIterator[Services]:
        async with build_services(settings) as services:
            yield replace(services, clock=clock)

    app = create_app(edge_settings(database_url), open_services=with_clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield Teams(client, connector)


async def test_an_export_link_expires(timed_teams: Teams, clock: SteppedClock) -> None:
    setup = SetupDriver(timed_teams)
    await _review(setup)
    card = await setup.click("PowerShell script")
    [link] = [a for a in actions_of(card) if a["type"] == "Action.OpenUrl"]
    clock.at += timedelta(minutes=11)
    assert (await timed_teams.client.get(urlsplit(link["url"]).path)).status == 404


async def test_an_untouched_set_up_expires_after_the_documented_time(
    timed_teams: Teams, clock: SteppedClock
) -> None:
    setup = SetupDriver(timed_teams)
    await through_users(setup)
    clock.at += timedelta(hours=71)
    await setup.click("Next")  # the next day (and the day after): it resumes
    assert setup.step()[0] == "assignment"
    clock.at += timedelta(hours=72, minutes=1)
    await setup.click("Next", **{inputs.ASSIGN_MODE: inputs.MODE_PER_USER})
    assert "This set-up expired: nobody touched it for 72 hours" in setup.shown()
    await setup.click("Start a new set-up")
    assert setup.step() == ("account", 0)


async def test_the_hourly_sweep_forgets_abandoned_set_ups(
    timed_teams: Teams, clock: SteppedClock
) -> None:
    setup = SetupDriver(timed_teams)
    await through_users(setup)
    services = services_of(timed_teams)
    key = f"{CONVERSATION_STATE_PREFIX}a:personal-megan"
    assert set(await services.bot_state.read([key])) == {key}  # where the edge keeps it
    [sweep] = [job for job in services.background_jobs() if job.name == "setup-expiry"]
    await sweep.run()
    assert set(await services.bot_state.read([key])) == {key}  # touched just now: kept
    clock.at += timedelta(hours=73)
    # Rows are stamped with the database's clock, not the test's: sweep as if 73 hours passed.
    assert (
        await forget_abandoned_setups(
            store=services.bot_state, clock=clock_in_real_time(73), expiry=services.setup_expiry
        )
        == 1
    )
    await setup.click("Next")
    assert "No set-up is in progress" in setup.shown()


def clock_in_real_time(hours_later: int) -> Clock:
    class Later(Clock):
        def now(self) -> datetime:
            return datetime.now(UTC) + timedelta(hours=hours_later)

    return Later()


async def test_people_in_another_open_request_are_named_with_its_id(teams: Teams) -> None:
    first = SetupDriver(teams)
    review = await _review(first)
    await first.click(
        "Submit for approval", **{inputs.JUSTIFICATION: "first"}, **attestations(review)
    )
    [request] = await requests_of(teams)
    second = SetupDriver(teams)
    await through_users(second, pasted=DIEGO_UPN)
    assert "Diego Siciliani (DiegoS@contoso.example) \u00b7 in another open request" in (
        second.shown()
    )
    await second.click("Next")
    review = await second.click("Next", **{inputs.ASSIGN_MODE: inputs.MODE_PER_USER})
    assert f"Diego Siciliani (DiegoS@contoso.example): already in open request {request.id}" in (
        second.shown()
    )
    assert not any(a["title"] == "Submit for approval" for a in actions_of(review))
    fingerprint = await _fingerprint_from_the_json_export(teams, second)
    await second.invoke(
        "setup.submit",
        {"step": "review", "rev": second.step()[1], "fingerprint": fingerprint,
         inputs.JUSTIFICATION: "second", **attestations(review)},
    )  # fmt: skip
    found = list(notices(second.card or {}))
    assert any(f"(request {request.id})" in n for n in found), found
    assert len(await requests_of(teams)) == 1


async def _fingerprint_from_the_json_export(teams: Teams, setup: SetupDriver) -> str:
    """A forger's way to the plan the card shows: its own JSON export."""
    card = await setup.click("JSON")
    [link] = [a for a in actions_of(card) if a["type"] == "Action.OpenUrl"]
    plan = json.loads(await (await teams.client.get(urlsplit(link["url"]).path)).text())
    return str(plan["fingerprint"])


async def test_the_requester_cancels_the_submitted_request(teams: Teams) -> None:
    setup = SetupDriver(teams)
    review = await _review(setup)
    await setup.click(
        "Submit for approval", **{inputs.JUSTIFICATION: "pilot"}, **attestations(review)
    )
    await setup.click("Cancel request")
    [request] = await requests_of(teams)
    assert request.state is RequestState.CANCELLED
    assert f"Shared Calling request {request.id}" in setup.shown()
    assert "The request is cancelled." in setup.shown()
    assert not any(a["title"] == "Cancel request" for a in actions_of(setup.card or {}))
    async with services_of(teams).uow() as work:
        assert await work.locks.holders(request.tenant_id, request.user_ids) == {}
    await setup.click("Refresh")
    assert "Cancelled" in setup.shown()
    assert not any(a["title"] == "Cancel request" for a in actions_of(setup.card or {}))


def _tenant_file(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    seed = demo_seed()
    change(seed)
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    return path


@asynccontextmanager
async def _tenant(
    tmp_path: Path,
    database_url: str,
    connector: FakeConnector,
    change: Callable[[dict[str, Any]], None],
) -> AsyncIterator[Teams]:
    settings = edge_settings(database_url, EMULATED_SEED=str(_tenant_file(tmp_path, change)))
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        yield Teams(client, connector)


def _main_line_without_location(seed: dict[str, Any]) -> None:
    [number] = [n for n in seed["objects"]["number"] if n["telephone_number"] == "+14255550100"]
    del number["location_id"]


async def test_a_missing_location_is_chosen_inside_step_one(
    tmp_path: Path, database_url: str, connector: FakeConnector
) -> None:
    async with _tenant(tmp_path, database_url, connector, _main_line_without_location) as teams:
        setup = SetupDriver(teams)
        await setup.start()
        assert "Usable: you choose an emergency location (SC-R04) next" in setup.shown()
        await setup.click("Next", **{inputs.ACCOUNT: RA_MAINLINE})
        assert setup.step()[0] == "fix"
        offered = dict((v, t) for t, v in setup.choices(inputs.LOCATION))
        assert set(offered) == {"00000000-0000-4000-c000-000000000001", SEATTLE_LOCATION}  # US only
        await setup.click("Next")
        assert any(
            "choose the location the plan should set" in n for n in notices(setup.card or {})
        )
        await setup.click("Next", **{inputs.LOCATION: "00000000-0000-4000-c000-000000000003"})
        assert any("not an emergency location" in n for n in notices(setup.card or {}))
        await setup.click("Next", **{inputs.LOCATION: SEATTLE_LOCATION})
        assert setup.step()[0] == "policy"
        await setup.click("Next", **{inputs.POLICY_NEW: "Redmond"})
        await setup.click("Next")
        await setup.click("Add", **{inputs.PASTE: DIEGO_UPN})
        await setup.click("Next")
        await setup.click("Next", **{inputs.ASSIGN_MODE: inputs.MODE_PER_USER})
        assert (
            f"Set emergency location {SEATTLE_LOCATION} on +1\u00a0425\u2011555\u20110100"
            in setup.shown()
        )


def _berlin_without_usages(seed: dict[str, Any]) -> None:
    [berlin] = [u for u in seed["objects"]["user"] if u["id"] == RA_BERLIN]
    berlin["direct_policies"] = [{"policy_type": "OnlineVoiceRoutingPolicy", "name": "NoPSTN"}]


async def test_a_direct_routing_account_gets_its_voice_routing_policy_and_typed_numbers(
    tmp_path: Path, database_url: str, connector: FakeConnector
) -> None:
    async with _tenant(tmp_path, database_url, connector, _berlin_without_usages) as teams:
        setup = SetupDriver(teams)
        await setup.start()
        await setup.click("Next", **{inputs.ACCOUNT: RA_BERLIN})
        assert setup.step()[0] == "fix"
        assert setup.choices(inputs.VRP) == [("DE-Berlin-PSTN", "DE-Berlin-PSTN")]
        await setup.click("Next", **{inputs.VRP: "NoPSTN"})
        assert any(
            "not a voice routing policy with PSTN usages" in n for n in notices(setup.card or {})
        )
        await setup.click("Next", **{inputs.VRP: "DE-Berlin-PSTN"})
        await setup.click("Next", **{inputs.POLICY_NEW: "Berlin"})
        assert inputs.NUMBERS_TYPED in inputs_of(setup.card or {})
        await setup.click("Add", **{inputs.NUMBERS_TYPED: "+49 30 23125 199"})
        assert "to confirm at review (SC-E01/SC-E09)" in setup.shown()
        await setup.click("Next")
        await setup.click("Add", **{inputs.PASTE: "PradeepG@contoso.example"})
        await setup.click("Next")
        review = await setup.click("Next", **{inputs.ASSIGN_MODE: inputs.MODE_PER_USER})
        codes = {k.split(".")[2] for k in attestations(review)}
        assert "SC-E01" in codes
        assert "Grant voice routing policy DE-Berlin-PSTN to Contoso Berlin" in setup.shown()


def _diego_with_an_extension(seed: dict[str, Any]) -> None:
    seed["objects"]["number"].append(
        {"telephone_number": "+14255550177;ext=177", "number_type": "DirectRouting",
         "iso_country_code": None, "capabilities": ["UserAssignment"],
         "assignment_status": "UserAssigned",
         "assigned_target_id": "00000000-0000-4000-8000-000000000005"}
    )  # fmt: skip


async def test_someone_with_a_direct_routing_extension_can_keep_it(
    tmp_path: Path, database_url: str, connector: FakeConnector
) -> None:
    async with _tenant(tmp_path, database_url, connector, _diego_with_an_extension) as teams:
        setup = SetupDriver(teams)
        await through_users(setup)
        assert "Diego Siciliani (DiegoS@contoso.example) \u00b7 blocked: SC-U05" in setup.shown()
        [(title, value)] = setup.choices(inputs.EXTENSION)
        assert title == "Diego Siciliani (DiegoS@contoso.example)"
        pradeep = "00000000-0000-4000-8000-000000000012"
        await setup.click("Next", **{inputs.EXTENSION: pradeep})  # a forged mark
        assert any("Only chosen people with a Direct Routing extension" in n
                   for n in notices(setup.card or {}))  # fmt: skip
        await setup.click("Next", **{inputs.EXTENSION: value})
        await setup.click("Next", **{inputs.ASSIGN_MODE: inputs.MODE_PER_USER})
        shown = setup.shown()
        assert "2 people: 2 will change, 0 already compliant, 0 blocked" in shown
        assert "SC-U06 (1 person): Diego Siciliani" in shown
