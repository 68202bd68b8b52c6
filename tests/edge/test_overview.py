"""The admin overview through /api/messages (issue 15): "shared calling status" on the demo
tenant, its numbers, paging over many policies, the CSV link, and the refusal of non-admins."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import SERVICES, create_app
from cards.actions import PAGE, STATUS_EXPORT, STATUS_PAGE
from sharedcalling.adapters.tenant import seeds as seeds_init
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.hazards import HazardClass, HazardState
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.domain.ids import TenantId
from sharedcalling.domain.requests import Actor
from sharedcalling.domain.rules import Subject, SubjectKind
from sharedcalling.services import Services
from sharedcalling.services.approvals.drafts import prepare_request
from sharedcalling.services.overview import PAGE_SIZE
from sharedcalling.services.requests import submit_request
from tests.cards.card_checks import actions_of, assert_card_ok
from tests.demo_ids import DIEGO, MEGAN, RA_HELPDESK, RA_MAINLINE
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams, execute_invoke
from tests.fakes.fake_connector import FakeConnector

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
REFUSED = "Only Shared Calling admins can see the Shared Calling status."
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def services_of(teams: Teams) -> Services:
    return teams.client.app[SERVICES]


def blocks(card: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Policy name -> its facts, as the card shows them."""
    found = {}
    for element in card["body"]:
        if element.get("type") != "Container":
            continue
        name, facts = element["items"][0]["text"], element["items"][1]["facts"]
        found[name] = {f["title"]: f["value"] for f in facts}
    return found


def unbroken(text: str) -> str:
    """Numbers on cards use no-break spaces and hyphens."""
    return text.replace(" ", "\u00a0").replace("-", "\u2011")


async def open_request_for_seattle(services: Services) -> str:
    prepared = await prepare_request(
        DesiredState(RA_MAINLINE, "Seattle", (DIEGO,)),
        tenant=services.tenant,
        justification="overview test",
    )
    megan = Actor(TENANT, MEGAN, "Megan Bowen", is_admin=True)
    request = await submit_request(
        prepared.draft, actor=megan, uow=services.uow, clock=services.clock
    )
    return request.id


async def open_hazard_on_helpdesk(services: Services) -> None:
    hazard = Hazard(
        id="HZ-TEST0001",
        tenant_id=TENANT,
        key="SC-R03:helpdesk",
        code="SC-R03",
        state=HazardState.DRIFTED,
        hazard_class=HazardClass.OUTBOUND_BROKEN,
        subject=Subject(SubjectKind.RESOURCE_ACCOUNT, RA_HELPDESK, "Contoso Help Desk"),
        message="The help desk line lost its number.",
        expected="one number",
        observed="none",
        first_seen=AT,
        last_seen=AT,
        policy_names=("HelpDesk",),
    )
    async with services.uow() as work:
        await work.hazards.add([hazard])
        await work.commit()


async def test_megan_sees_each_policy_with_its_number_people_requests_and_hazards(
    teams: Teams,
) -> None:
    services = services_of(teams)
    request_id = await open_request_for_seattle(services)
    await open_hazard_on_helpdesk(services)
    reply = await teams.ask("megan", "Shared Calling status?")
    [card] = reply.cards
    assert_card_ok(card)
    assert card["body"][0]["text"] == "Shared Calling status"
    shown = blocks(card)
    assert list(shown) == ["HelpDesk", "Seattle"]
    seattle, helpdesk = shown["Seattle"], shown["HelpDesk"]
    assert seattle["Resource account"] == f"Contoso Main Line ({unbroken('+1 425-555-0100')})"
    assert seattle["People"] == "4 (3 direct, 1 through a group)"
    assert seattle["Open requests"] == f"1: {request_id}"
    assert seattle["Open hazards"] == "none"
    assert helpdesk["People"] == "1 (1 direct, 0 through a group)"
    assert helpdesk["Open requests"] == "none"
    assert helpdesk["Open hazards"] == "1 (SC-R03)"
    assert reply.text.startswith("2 Shared Calling policies in use, 5 of ")
    assert reply.text.endswith("1 open requests, 1 open hazards.")
    assert [a["verb"] for a in actions_of(card)] == [STATUS_EXPORT]  # one page: no paging

    # The CSV: a single-use link to every policy.
    response = await teams.post(
        execute_invoke(teams.connector, "megan", STATUS_EXPORT, {PAGE: 0}), expect=200
    )
    linked = (await response.json())["value"]
    [url] = [a["url"] for a in actions_of(linked) if a["type"] == "Action.OpenUrl"]
    path = url.removeprefix(services.public_url)
    download = await teams.client.get(path)
    assert download.status == 200
    assert (
        download.headers["Content-Disposition"]
        == 'attachment; filename="shared-calling-status.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(await download.text())))
    by_name = {r["policy"]: r for r in rows}
    assert (by_name["Seattle"]["users"], by_name["Seattle"]["via_group"]) == ("4", "1")
    assert by_name["Seattle"]["number"] == "'+14255550100"  # never read as a formula
    assert by_name["Seattle"]["open_requests"] == request_id
    assert by_name["HelpDesk"]["hazard_codes"] == "SC-R03"
    assert (await teams.client.get(path)).status == 404  # once


@pytest.mark.parametrize("text", ["shared calling status", "status of shared calling", "overview"])
async def test_people_who_are_not_admins_are_refused(teams: Teams, text: str) -> None:
    assert (await teams.ask("diego", text)).text == REFUSED
    for verb in (STATUS_PAGE, STATUS_EXPORT):
        response = await teams.post(
            execute_invoke(teams.connector, "diego", verb, {PAGE: 0}), expect=200
        )
        body = await response.json()
        assert body["value"]["body"][0]["text"] == REFUSED
        assert "Action.OpenUrl" not in json.dumps(body)


def _many_policies_seed(tmp_path: Path, count: int) -> Path:
    seed = json.loads((Path(seeds_init.__file__).parent / "contoso.json").read_text("utf-8"))
    for n in range(1, count + 1):
        seed["objects"]["shared_calling_policy"].append(
            {"name": f"Branch {n:02d}", "resource_account_id": RA_MAINLINE}
        )
    path = tmp_path / "many-policies.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    return path


@pytest.fixture
async def branches(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[Teams]:
    settings = edge_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        EMULATED_SEED=str(_many_policies_seed(tmp_path, 40)),
    )
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        yield Teams(client, connector)


async def test_many_policies_are_paged_with_next_and_previous(branches: Teams) -> None:
    first = (await branches.ask("megan", "shared calling status")).cards[0]
    assert_card_ok(first)
    assert list(blocks(first)) == [f"Branch {n:02d}" for n in range(1, PAGE_SIZE + 1)]
    pages = -(-42 // PAGE_SIZE)  # 40 branches, HelpDesk and Seattle
    [next_] = [a for a in actions_of(first) if a["verb"] == STATUS_PAGE]
    assert (next_["title"], next_["data"]) == (f"Next (2 of {pages})", {PAGE: 1})
    seen = list(blocks(first))
    card = first
    for number in range(1, pages):
        response = await branches.post(
            execute_invoke(branches.connector, "megan", STATUS_PAGE, {PAGE: number}), expect=200
        )
        card = (await response.json())["value"]
        assert_card_ok(card)
        assert f"Page {number + 1} of {pages}" in json.dumps(card)
        seen += list(blocks(card))
    assert seen == sorted(seen, key=str.casefold)
    assert len(seen) == len(set(seen)) == 42
    assert [a["title"] for a in actions_of(card) if a["verb"] == STATUS_PAGE] == ["Previous"]
    assert blocks(card)["Seattle"]["People"] == "4 (3 direct, 1 through a group)"
    assert blocks(first)["Branch 01"]["People"] == "0 (0 direct, 0 through a group)"
    # A page past the end shows the last page; a forged page number is ignored.
    for data in ({PAGE: 999}, {PAGE: "2"}, {PAGE: -1}):
        response = await branches.post(
            execute_invoke(branches.connector, "megan", STATUS_PAGE, data), expect=200
        )
        assert (await response.json())["value"]["type"] == "AdaptiveCard"
    typed = (await branches.ask("megan", f"shared calling status page {pages}")).cards[0]
    assert list(blocks(typed)) == list(blocks(card))
