"""The hazard watch through /api/messages: commands, announcements, "Plan a fix", refusals."""

from __future__ import annotations

import json
from typing import Any

from app import SERVICES
from cards.actions import HAZARD_ID, HAZARD_PAGE, HAZARD_PLAN_FIX, PAGE
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.services import Services
from sharedcalling.services.requests import get_request
from tests.cards.card_checks import assert_card_ok, walk
from tests.demo_ids import DIEGO
from tests.edge.teams import Teams, execute_invoke, personal
from tests.hazards import edits
from tests.hazards.support import applied_setup, generated


def services_of(teams: Teams) -> Services:
    services: Services = teams.client.app[SERVICES]
    return services


def texts(card: dict[str, Any]) -> str:
    return "\n".join(
        str(n.get("text", "")) + str(n.get("value", "")) for n in walk(card) if isinstance(n, dict)
    )


def emulated(services: Services) -> EmulatedTenantGateway:
    assert isinstance(services.tenant, EmulatedTenantGateway)
    return services.tenant


async def set_up(teams: Teams) -> Services:
    """Megan and Diego have talked to the bot; Diego and two others are on Seattle by a
    request of ours."""
    await teams.ask("megan", "help")
    await teams.ask("diego", "help")
    services = services_of(teams)
    await applied_setup(
        services.tenant, services.uow, services.clock, (DIEGO, generated(1), generated(2))
    )
    return services


async def open_hazards(services: Services) -> list[Hazard]:
    async with services.uow() as work:
        return await work.hazards.open_hazards(services.tenant_id)


async def test_check_now_finds_announces_and_lists_a_broken_resource_account(teams: Teams) -> None:
    services = await set_up(teams)
    edits.remove_ra_number(emulated(services))
    teams.connector.clear()

    sent = await teams.say("megan", "check now")
    reply = sent[-1]
    assert reply.conversation_id == personal("megan").conversation["id"]
    assert reply.text.startswith("Check done: 1 new, 0 closed, 1 open")
    [listing] = reply.cards
    assert "SC-R03" in texts(listing)
    assert_card_ok(listing)

    [hazard] = await open_hazards(services)
    announcement = [s for s in sent if hazard.id in s.text and s.cards and s is not reply]
    [card] = announcement[0].cards
    assert "Outside calls broken" in texts(card)
    assert any(a.get("verb") == HAZARD_PLAN_FIX and a["data"] == {HAZARD_ID: hazard.id}
               for a in walk(card) if isinstance(a, dict))  # fmt: skip
    assert_card_ok(card)
    warned = [s for s in sent if s.conversation_id == personal("diego").conversation["id"]]
    assert len(warned) == 1
    assert "outside calls will fail" in warned[0].text

    again = await teams.say("megan", "check now")
    assert [s for s in again if hazard.id in s.text and s.cards] == [], "announced once"


async def test_plan_a_fix_on_the_card_submits_a_fix_request_or_says_why_not(teams: Teams) -> None:
    services = await set_up(teams)
    edits.give_usages(emulated(services), "NoPSTN", "US-Default")
    await teams.say("megan", "check now")
    [hazard] = await open_hazards(services)

    invoke = execute_invoke(teams.connector, "megan", HAZARD_PLAN_FIX, {HAZARD_ID: hazard.id})
    body = await (await teams.post(invoke, expect=200)).json()
    assert body["statusCode"] == 200
    assert "submitted for approval" in texts(body["value"])
    [fixed] = await open_hazards(services)
    assert fixed.fix_request_id is not None
    stored = await get_request(services.tenant_id, fixed.fix_request_id, uow=services.uow)
    assert stored.kind.value == "fix"
    assert stored.requester_id.lower() == "00000000-0000-4000-8000-000000000001"

    edits.remove_ra_number(emulated(services))
    await teams.say("megan", "check now")
    broken = next(h for h in await open_hazards(services) if h.code == "SC-R03")
    invoke = execute_invoke(teams.connector, "megan", HAZARD_PLAN_FIX, {HAZARD_ID: broken.id})
    body = await (await teams.post(invoke, expect=200)).json()
    assert "No planned change can fix this" in texts(body["value"])
    assert "SC-R03" in texts(body["value"])


async def test_people_who_are_not_admins_cannot_see_check_or_fix(teams: Teams) -> None:
    services = await set_up(teams)
    edits.give_usages(emulated(services), "NoPSTN", "US-Default")
    await teams.say("megan", "check now")
    [hazard] = await open_hazards(services)
    for text in ("hazards", "check now"):
        reply = await teams.ask("alex", text)
        assert reply.text == "Only admins can see and check hazards."
    invoke = execute_invoke(teams.connector, "alex", HAZARD_PLAN_FIX, {HAZARD_ID: hazard.id})
    body = await (await teams.post(invoke, expect=200)).json()
    assert "Only admins" in json.dumps(body)
    [unchanged] = await open_hazards(services)
    assert unchanged.fix_request_id is None


async def test_hazards_are_listed_a_page_at_a_time(teams: Teams) -> None:
    services = await set_up(teams)
    edits.point_policy_at(emulated(services), "Seattle", "00000000-0000-4000-8000-000000000052")
    edits.assign_number(emulated(services), edits.SPARE_NUMBER, DIEGO)
    edits.give_usages(emulated(services), "NoPSTN", "US-Default")
    await teams.say("megan", "check now")
    total = len(await open_hazards(services))
    assert total > 5
    reply = await teams.ask("megan", "hazards")
    [first] = reply.cards
    assert_card_ok(first)
    nexts = [a for a in walk(first) if isinstance(a, dict) and a.get("verb") == HAZARD_PAGE]
    assert [a["data"] for a in nexts] == [{PAGE: 1}]
    invoke = execute_invoke(teams.connector, "megan", HAZARD_PAGE, {PAGE: 1})
    body = await (await teams.post(invoke, expect=200)).json()
    second = body["value"]
    assert_card_ok(second)
    assert texts(first) != texts(second)
    assert "Emergency calling" in texts(first)  # severity first


async def test_a_forged_hazard_id_changes_nothing(teams: Teams) -> None:
    await set_up(teams)
    for forged in ("HZ-NOSUCH00", "", "x" * 500):
        invoke = execute_invoke(teams.connector, "megan", HAZARD_PLAN_FIX, {HAZARD_ID: forged})
        body = await (await teams.post(invoke, expect=200)).json()
        assert body["statusCode"] == 200
        shown = json.dumps(body)
        assert ("no such hazard" in shown) or ("no longer names a hazard" in shown)
        assert "NOSUCH" not in shown, "card data is not echoed"


async def test_every_bot_process_runs_the_scheduled_check_once_per_interval(teams: Teams) -> None:
    services = await set_up(teams)
    [job] = [j for j in services.background_jobs() if j.name == "hazard-check"]
    assert job.interval == 60.0, "polls each minute; the interval decides when a check is due"
    await job.run()
    await job.run()
    async with services.uow() as work:
        checks = await work.hazards.checks(services.tenant_id)
    assert [c.trigger for c in checks] == ["schedule"]
