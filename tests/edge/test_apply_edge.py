"""The apply engine through the running app: cards updated in place, commands, card buttons."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import SERVICES, create_app
from cards.actions import APPLY_RETRY, REQUEST_ID
from sharedcalling.domain.apply import JobState
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.planning.codec import desired_to_json
from sharedcalling.domain.requests import (
    Actor,
    ChangeRequest,
    RequestEvent,
    RequestKind,
    RequestState,
)
from sharedcalling.services import Services
from sharedcalling.services.exports import plan_to_json
from sharedcalling.services.notifier import OutboundMessage
from sharedcalling.services.planning import preview_plan
from sharedcalling.services.requests import (
    RequestDraft,
    apply_event,
    find_requests,
    get_request,
    submit_request,
)
from sharedcalling.services.unit_of_work import CardCopy
from tests.demo_ids import ALEX, DIEGO, MEGAN, PRADEEP, RA_MAINLINE
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams, execute_invoke, personal
from tests.fakes.fake_connector import FakeConnector

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
MEGAN_ADMIN = Actor(TENANT, MEGAN, "Megan Bowen", is_admin=True)
ALEX_APPROVER = Actor(TENANT, ALEX, "Alex Wilber", is_approver=True)
APPROVAL_CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Approve?"}],
}


@pytest.fixture
async def teams(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[Teams]:
    settings = edge_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        APPLY_POLL_SECONDS="0.05",
        APPLY_PROGRESS_INTERVAL_SECONDS="2",
        EMULATED_FAULTS=f"grant_policy@{PRADEEP}=fail:*:validation",
    )
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        yield Teams(client, connector)


def services_of(teams: Teams) -> Services:
    return teams.client.app[SERVICES]


async def approved(services: Services, users: tuple[UserId, ...]) -> ChangeRequest:
    desired = DesiredState(RA_MAINLINE, "Seattle", users)
    plan = (await preview_plan(desired, tenant=services.tenant)).plan
    draft = RequestDraft(
        RequestKind.SETUP,
        desired_to_json(desired),
        plan_to_json(plan),
        plan.fingerprint,
        plan.changing_user_ids,
        "pilot",
        attested=[f"{f.code}:{f.subject.id}" for f in plan.attestations],
    )
    clock, uow = services.clock, services.uow
    request = await submit_request(draft, actor=MEGAN_ADMIN, uow=uow, clock=clock)
    moved = await apply_event(
        TENANT,
        request.id,
        RequestEvent.APPROVE,
        actor=ALEX_APPROVER,
        uow=uow,
        clock=clock,
        fingerprint=request.fingerprint,
    )
    return moved.request


async def settled(services: Services, request_id: RequestId, *, attempt: int = 1) -> None:
    for _ in range(400):
        job = await services.apply.deps.store.get_job(request_id)
        finished = job is not None and job.state in (JobState.DONE, JobState.STALE)
        if finished and job is not None and job.notified_at and job.attempt == attempt:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{request_id} did not settle")


async def test_an_apply_updates_every_card_of_the_request_and_notifies_the_people(
    teams: Teams,
) -> None:
    for person in ("megan", "alex"):
        await teams.ask(person, "help")
    services = services_of(teams)
    approval = await services.notifier.send_to_user(
        TENANT, MEGAN, OutboundMessage("Approve SC-…?", APPROVAL_CARD)
    )
    request = await approved(services, (DIEGO,))
    async with services.uow() as work:
        copy = CardCopy(
            request.id,
            approval.conversation_id,
            approval.activity_id,
            "approval",
            MEGAN,
            services.clock.now(),
        )
        await work.card_copies.add(copy)
        await work.commit()
    teams.connector.clear()
    await services.after_approved(request)
    await settled(services, request.id)
    assert (await get_request(TENANT, request.id, uow=services.uow)).state is RequestState.APPLIED
    updates = [s for s in teams.connector.sent if s.method == "PUT"]
    assert updates
    assert all(u.activity_id == approval.activity_id for u in updates)
    assert updates[-1].cards[0]["body"][0]["text"] == f"{request.id} is applied"
    posts = [s for s in teams.connector.sent if s.method == "POST"]
    to_megan = [p for p in posts if p.conversation_id == personal("megan").conversation["id"]]
    to_alex = [p for p in posts if p.conversation_id == personal("alex").conversation["id"]]
    assert [p.text for p in to_megan] == [f"{request.id} is applied: 1 of 1 users done."]
    assert to_megan[0].cards == []  # she follows the request on the card she already has
    assert to_alex[0].cards[0]["body"][0]["text"] == f"{request.id} is applied"  # his own card


async def test_the_freeze_is_for_admins_and_survives_in_the_database(teams: Teams) -> None:
    refused = await teams.ask("alex", "freeze")
    assert refused.text == "Only admins can freeze or resume applying changes."
    frozen = await teams.ask("megan", "freeze applies: network change tonight")
    assert frozen.text.startswith("Every apply is frozen (network change tonight).")
    services = services_of(teams)
    state = await services.apply.freeze_state()
    assert (state.frozen, state.reason, state.by) == (True, "network change tonight", "Megan Bowen")
    request = await approved(services, (DIEGO,))
    await services.after_approved(request)
    await asyncio.sleep(0.3)
    assert (await get_request(TENANT, request.id, uow=services.uow)).state is RequestState.APPROVED
    resumed = await teams.ask("megan", "resume")
    assert resumed.text.startswith("The change freeze is over")
    await settled(services, request.id)
    assert (await get_request(TENANT, request.id, uow=services.uow)).state is RequestState.APPLIED


async def test_retry_from_the_report_card_fixes_the_failed_user(teams: Teams) -> None:
    await teams.ask("megan", "help")
    services = services_of(teams)
    request = await approved(services, (DIEGO, PRADEEP))
    await services.after_approved(request)
    await settled(services, request.id)
    state = (await get_request(TENANT, request.id, uow=services.uow)).state
    assert state is RequestState.PARTIALLY_APPLIED
    report = [s for s in teams.connector.sent if s.cards and "partly applied" in s.summary]
    [retry] = [a for a in report[-1].cards[0]["actions"] if a["verb"] == APPLY_RETRY]
    assert retry["data"] == {REQUEST_ID: request.id}

    invoke = execute_invoke(teams.connector, "alex", APPLY_RETRY, retry["data"])
    denied = await (await teams.post(invoke, expect=200)).json()
    assert denied["value"]["body"][0]["text"] == "Only admins can retry failed changes."
    services.tenant.faults.clear()  # type: ignore[attr-defined]  # the emulated tenant's faults
    response = await teams.post(
        execute_invoke(teams.connector, "megan", APPLY_RETRY, retry["data"]), expect=200
    )
    body = await response.json()
    assert body["value"]["body"][0]["text"] == f"Applying {request.id}"
    await settled(services, request.id, attempt=2)
    assert (await get_request(TENANT, request.id, uow=services.uow)).state is RequestState.APPLIED


async def test_revert_and_retry_commands_check_the_request_id(teams: Teams) -> None:
    assert (await teams.ask("megan", "retry failed banana")).text.startswith(
        "That is not a request id"
    )
    unknown = await teams.ask("megan", "revert SC-00000000")
    assert unknown.text == "There is no request SC-00000000 in this tenant."
    for approver in ("alex", "miriam"):  # reachable, so the revert's announcement goes to them
        await teams.ask(approver, "help")
    services = services_of(teams)
    request = await approved(services, (DIEGO,))
    await services.after_approved(request)
    await settled(services, request.id)
    refused = await teams.ask("diego", f"revert {request.id}")
    assert refused.text == "Only admins can revert a request."
    replies = await teams.say("megan", f"revert {request.id.lower()}")
    [planned] = [r for r in replies if r.text.startswith("I planned the revert")]
    assert planned.text.startswith(f"I planned the revert of {request.id} as **SC-")
    assert sum(r.text.startswith("Approval needed") for r in replies) == 2  # Alex and Miriam
    [revert] = [
        r for r in await find_requests(TENANT, uow=services.uow) if r.kind is RequestKind.REVERT
    ]
    assert (revert.state, revert.parent_id, revert.user_ids) == (
        RequestState.PENDING,
        request.id,
        (DIEGO,),
    )


@pytest.fixture
async def plain_teams(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[Teams]:
    settings = edge_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", APPLY_POLL_SECONDS="0.05"
    )
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        yield Teams(client, connector)


async def test_each_person_changed_gets_their_caller_id_card_and_the_report_names_who_did_not(
    plain_teams: Teams,
) -> None:
    teams = plain_teams
    for person in ("megan", "alex", "diego"):  # Pradeep never opened a chat with the bot
        await teams.ask(person, "help")
    services = services_of(teams)
    teams.connector.clear()
    request = await approved(services, (DIEGO, PRADEEP))
    await services.after_approved(request)
    await settled(services, request.id)
    diego_chat = personal("diego").conversation["id"]
    [to_diego] = [s for s in teams.connector.sent if s.conversation_id == diego_chat]
    assert to_diego.text.startswith(
        f"Diego Siciliani, your outbound caller ID changed with request {request.id}."
    )
    card = to_diego.cards[0]
    assert card["body"][0]["text"] == "Diego Siciliani, your caller ID changed"
    assert card["body"][1]["text"] == "+1\u00a0425\u2011555\u20110100"
    megan_chat = personal("megan").conversation["id"]
    report = [s for s in teams.connector.sent if s.conversation_id == megan_chat and s.cards][-1]
    assert report.cards[0]["body"][0]["text"] == f"{request.id} is applied"  # updated in place
    shown = json.dumps(report.cards[0], ensure_ascii=False)
    assert "Not told: Pradeep Gupta (app not installed)" in shown
    facts = {f["title"]: f["value"] for f in report.cards[0]["body"][2]["facts"]}
    assert facts["Told their new caller ID"] == "1, 1 not told"
