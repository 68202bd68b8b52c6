"""Self-service through /api/messages: ask, see the plan, give a reason, send; approvers (and,
for this kind, admins) decide; the apply runs; the person then calls out as the shared number."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import SERVICES, create_app
from cards.actions import (
    APPROVAL_APPROVE,
    FINGERPRINT,
    REQUEST_CANCEL,
    REQUEST_ID,
    SELF_SERVICE_REASON,
    SELF_SERVICE_START,
    SELF_SERVICE_SUBMIT,
)
from sharedcalling.domain.ids import TenantId
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
from sharedcalling.services import Services
from sharedcalling.services.requests import find_requests, get_request
from tests.cards.card_checks import actions_of
from tests.demo_ids import (
    ADELE,
    DIEGO,
    ISAIAH,
    MEGAN,
    MIRIAM,
    PRADEEP,
    demo_group,
    demo_user,
)
from tests.edge.approvals.kit import Desk, running_desk
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams, execute_invoke, personal
from tests.edge.test_apply_edge import settled
from tests.edge.test_setup_journey import demo_seed
from tests.fakes.fake_connector import FakeConnector, Sent

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
SELF_SERVICE_GROUP = demo_group(10)
ASK = "can I get a phone number?"


def _seed(tmp_path: Path) -> Path:
    """The demo tenant plus a group that may ask: Diego (no number, voice off), Isaiah (no
    Teams Phone), Adele (on Shared Calling), Megan (own number), Pradeep (usage location DE),
    Miriam (an approver without a number)."""
    seed = demo_seed()
    seed["objects"]["group"].append(
        {"id": SELF_SERVICE_GROUP, "display_name": "Phone self-service",
         "member_ids": [DIEGO, ISAIAH, ADELE, MEGAN, PRADEEP, MIRIAM]}
    )  # fmt: skip
    path = tmp_path / "self-service-tenant.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    return path


def offer_environ(tmp_path: Path, **more: str) -> dict[str, str]:
    return {
        "EMULATED_SEED": str(_seed(tmp_path)),
        "SELF_SERVICE_RESOURCE_ACCOUNT": "ra-mainline@contoso.example",
        "SELF_SERVICE_POLICY": "Seattle",
        "SELF_SERVICE_GROUP_IDS": SELF_SERVICE_GROUP,
        "SELF_SERVICE_ACKNOWLEDGED": "SC-R07",
        **more,
    }


@pytest.fixture
async def offered(
    tmp_path: Path, database_url: str, connector: FakeConnector
) -> AsyncIterator[Teams]:
    """The app with the offer on, background jobs running (the apply worker polls fast)."""
    settings = edge_settings(database_url, APPLY_POLL_SECONDS="0.05", **offer_environ(tmp_path))
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        yield Teams(client, connector)


def services_of(teams: Teams) -> Services:
    return teams.client.app[SERVICES]


async def invoke(teams: Teams, person: str, verb: str, data: dict[str, Any], **fields: Any) -> Any:
    body = execute_invoke(teams.connector, person, verb, data, **fields)
    return (await (await teams.post(body, expect=200)).json())["value"]


def text_of(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def verbs(card: dict[str, Any]) -> list[str]:
    return [str(a.get("verb")) for a in actions_of(card) if a["type"] == "Action.Execute"]


def fingerprint_on(card: dict[str, Any]) -> str:
    [send] = [a for a in actions_of(card) if a.get("verb") == SELF_SERVICE_SUBMIT]
    return str(send["data"][FINGERPRINT])


async def requests_of(services: Services) -> list[ChangeRequest]:
    return await find_requests(TENANT, uow=services.uow)


async def ask_and_send(teams: Teams, person: str, reason: str = "I call customers") -> Any:
    """Ask in words, then click Send request on the card the bot answered with."""
    offer = await teams.ask(person, ASK)
    [card] = offer.cards
    data = {FINGERPRINT: fingerprint_on(card), SELF_SERVICE_REASON: reason}
    return await invoke(teams, person, SELF_SERVICE_SUBMIT, data, replyToId=offer.activity_id)


def approval_texts(sent: list[Sent]) -> list[str]:
    return [s.text for s in sent if s.text.startswith("Approval needed")]


# ---- off by default -----------------------------------------------------------------------


async def test_self_service_is_off_by_default(teams: Teams) -> None:
    await teams.ask("megan", "help")
    answer = await teams.ask("diego", ASK)
    assert answer.text == (
        "Self-service Shared Calling is not offered here. Please ask a Shared Calling admin "
        "(Megan Bowen)."
    )
    caller_id = await teams.ask("diego", "which number do I call out as?")
    assert SELF_SERVICE_START not in verbs(caller_id.cards[0])  # no button while it is off
    forged = await invoke(
        teams, "diego", SELF_SERVICE_SUBMIT, {FINGERPRINT: "sha256:" + "0" * 64, "x": 1}
    )
    assert "Self-service Shared Calling is not offered here." in text_of(forged)
    assert await requests_of(services_of(teams)) == []
    assert (await _audit_refusals(services_of(teams)))[-1] == (
        "self_service.submit", "self_service_off",
    )  # fmt: skip


# ---- the journey --------------------------------------------------------------------------


@pytest.mark.slow
async def test_a_person_requests_an_approver_approves_and_they_call_out_as_the_shared_number(
    offered: Teams,
) -> None:
    teams, services = offered, services_of(offered)
    for person in ("alex", "miriam", "megan"):
        await teams.ask(person, "help")  # reachable for the announcement
    before = await teams.ask("diego", "which number do I call out as?")
    assert SELF_SERVICE_START in verbs(before.cards[0])

    offer = await invoke(teams, "diego", SELF_SERVICE_START, {})
    shown = text_of(offer)
    assert "Request Shared Calling for yourself" in shown
    assert "Turn on Enterprise Voice for you" in shown
    assert "Shared Calling policy Seattle" in shown
    assert "SC-R07" in shown  # the warning, acknowledged for the offer by the admins
    [reason_box] = [n for n in offer["body"][-1]["items"] if n["type"] == "Input.Text"]
    assert (reason_box["isRequired"], reason_box["maxLength"]) == (True, 500)

    teams.connector.clear()
    data = {FINGERPRINT: fingerprint_on(offer), SELF_SERVICE_REASON: "  Calls to  customers "}
    filed = await invoke(teams, "diego", SELF_SERVICE_SUBMIT, data, replyToId="card-1")
    [request] = await requests_of(services)
    assert (request.kind, request.state) == (RequestKind.SELF_SERVICE, RequestState.PENDING)
    assert (request.requester_id, request.beneficiary_id, request.user_ids) == (
        DIEGO, DIEGO, (DIEGO,),
    )  # fmt: skip
    assert request.justification == "Calls to customers"
    assert request.attested == (f"SC-R07:{request.desired['resource_account_id']}",)
    assert filed["body"][0]["text"].startswith(f"Self-service request {request.id} by Diego")
    assert "for themselves (self-service request)" in text_of(filed)
    # Approvers and the admins are asked; Diego keeps the card he clicked (no second one).
    assert (
        sorted(approval_texts(teams.connector.sent))
        == [
            f"Approval needed: self-service request {request.id} by Diego Siciliani for themselves."
        ]
        * 3
    )
    to_diego = [s for s in teams.connector.sent if s.conversation_id == "a:personal-diego"]
    assert to_diego == []

    # The requester can never approve it; an approver does.
    own = await invoke(
        teams, "diego", APPROVAL_APPROVE,
        {REQUEST_ID: request.id, FINGERPRINT: request.fingerprint},
    )  # fmt: skip
    assert "Only approvers can decide on requests." in text_of(own)
    assert (await get_request(TENANT, request.id, uow=services.uow)).state is RequestState.PENDING
    await invoke(
        teams, "alex", APPROVAL_APPROVE, {REQUEST_ID: request.id, FINGERPRINT: request.fingerprint}
    )
    await settled(services, request.id)
    assert (await get_request(TENANT, request.id, uow=services.uow)).state is RequestState.APPLIED

    after = await teams.ask("diego", "which number do I call out as?")
    assert "+1 425-555-0100" in after.text
    assert SELF_SERVICE_START not in verbs(after.cards[0])
    again = await teams.ask("diego", ASK)
    assert again.text == (
        "You already have Shared Calling: you call out as +1 425-555-0100. Nothing to request."
    )


async def test_an_approver_asking_for_themselves_cannot_approve_it_but_an_admin_can(
    offered: Teams,
) -> None:
    teams, services = offered, services_of(offered)
    await ask_and_send(teams, "miriam", "Supplier calls")
    [request] = await requests_of(services)
    waiting = await teams.ask("megan", "pending approvals")  # an admin: hers to decide too
    assert request.id in text_of(waiting.cards[0])
    mine = await teams.ask("miriam", "pending approvals")  # her own never waits for her
    assert (mine.text, mine.cards) == ("Nothing waits for your decision.", [])
    click = {REQUEST_ID: request.id, FINGERPRINT: request.fingerprint}
    own = await invoke(teams, "miriam", APPROVAL_APPROVE, click)
    assert "Nobody can decide on their own request." in text_of(own)
    stored = await get_request(TENANT, request.id, uow=services.uow)
    assert (stored.state, stored.decisions) == (RequestState.PENDING, ())
    entries = await _audit_refusals(services)
    assert entries[-1] == ("approve", "own_request")
    # Megan is an admin, not an approver: self-service requests are hers to decide too.
    await invoke(teams, "megan", APPROVAL_APPROVE, click)
    stored = await get_request(TENANT, request.id, uow=services.uow)
    assert stored.state in (RequestState.APPROVED, RequestState.APPLYING, RequestState.APPLIED)
    assert [d.actor_id for d in stored.decisions] == [MEGAN]


async def _audit_refusals(services: Services) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from sharedcalling.adapters.store.tables import audit_log

    engine = services.uow._engine  # type: ignore[attr-defined]
    async with engine.connect() as connection:
        rows = (await connection.execute(select(audit_log).order_by(audit_log.c.seq))).all()
    found = []
    for row in rows:
        facts = row._mapping
        if facts["outcome"] == "refused":
            details = facts["details"] if isinstance(facts["details"], dict) else {}
            found.append((facts["event"], str(details.get("refusal"))))
    return found


# ---- who gets a clear no ------------------------------------------------------------------


async def test_people_who_cannot_have_it_are_told_why_and_nothing_is_filed(
    offered: Teams,
) -> None:
    teams, services = offered, services_of(offered)
    answers = {person: (await teams.ask(person, ASK)).text for person in
               ("alex", "isaiah", "adele", "megan", "pradeep")}  # fmt: skip
    assert answers["alex"].startswith(
        "Self-service Shared Calling is offered to members of certain groups, and you are not "
        "in one of them. Please ask a Shared Calling admin (Megan Bowen)."
    )
    assert answers["isaiah"].startswith("You can't get Shared Calling yet. SC-U03:")
    assert "Ask an admin for a Teams Phone license" in answers["isaiah"]
    assert answers["adele"].startswith("You already have Shared Calling: you call out as")
    assert answers["megan"].startswith("You have your own phone number (+1 425-555-0110)")
    assert "SC-U09" in answers["pradeep"]
    assert "ask a Shared Calling admin" in answers["pradeep"]
    assert await requests_of(services) == []
    # A click on a card they were never shown is refused the same way, and audited.
    card = {FINGERPRINT: "sha256:" + "1" * 64, SELF_SERVICE_REASON: "please"}
    refused = await invoke(teams, "isaiah", SELF_SERVICE_SUBMIT, card)
    assert "SC-U03" in text_of(refused)
    assert await requests_of(services) == []
    assert (await _audit_refusals(services))[-1] == ("self_service.submit", "blocked")


async def test_an_open_request_is_named_instead_of_a_second_one(offered: Teams) -> None:
    teams, services = offered, services_of(offered)
    offer = await teams.ask("diego", ASK)
    data = {FINGERPRINT: fingerprint_on(offer.cards[0]), SELF_SERVICE_REASON: "Customers"}
    await invoke(teams, "diego", SELF_SERVICE_SUBMIT, data)
    [request] = await requests_of(services)
    again = await teams.ask("diego", "request shared calling")
    assert again.text == (
        f"You already asked: request {request.id} is pending. Say \u201cmy requests\u201d."
    )
    listed = await teams.ask("diego", "my requests")
    assert request.id in text_of(listed.cards[0])
    replay = await invoke(teams, "diego", SELF_SERVICE_SUBMIT, data)  # the same card again
    assert f"You already asked: request {request.id} is pending." in text_of(replay)
    assert [r.id for r in await requests_of(services)] == [request.id]
    assert (await _audit_refusals(services))[-1] == ("self_service.submit", "open_request")


async def test_forged_stale_and_empty_submissions_change_nothing(offered: Teams) -> None:
    teams, services = offered, services_of(offered)
    diego_card = (await teams.ask("diego", ASK)).cards[0]
    data = {FINGERPRINT: fingerprint_on(diego_card), SELF_SERVICE_REASON: "Customers"}
    for bad in ({}, {FINGERPRINT: 42}, {FINGERPRINT: "sha256:nope", SELF_SERVICE_REASON: "x"}):
        refused = await invoke(teams, "diego", SELF_SERVICE_SUBMIT, bad)
        assert "That card action is not valid." in text_of(refused)
    empty = await invoke(teams, "diego", SELF_SERVICE_SUBMIT, {**data, SELF_SERVICE_REASON: " "})
    assert "Say why you need a phone number" in text_of(empty)
    too_long = {**data, SELF_SERVICE_REASON: "x" * 501}
    assert "at most 500" in text_of(await invoke(teams, "diego", SELF_SERVICE_SUBMIT, too_long))
    # Diego's card clicked by Miriam: her plan is another, so she is shown hers instead.
    theirs = await invoke(teams, "miriam", SELF_SERVICE_SUBMIT, data)
    assert "Your plan changed since that card was shown" in text_of(theirs)
    assert fingerprint_on(theirs) != data[FINGERPRINT]
    assert await requests_of(services) == []
    refusals = await _audit_refusals(services)
    assert [r for _, r in refusals].count("forged_action") == 3
    assert refusals[-1] == ("self_service.submit", "plan_changed")


async def test_submit_by_action_submit_message_works_too(offered: Teams) -> None:
    """Clients without Universal Actions send Action.Submit: a message with the verb."""
    teams, services = offered, services_of(offered)
    card = (await teams.ask("diego", ASK)).cards[0]
    from tests.edge.teams import activity

    value = {"verb": SELF_SERVICE_SUBMIT, FINGERPRINT: fingerprint_on(card),
             SELF_SERVICE_REASON: "Customers"}  # fmt: skip
    before = len(teams.connector.sent)
    await teams.post(activity(teams.connector, "diego", personal("diego"), value=value))
    [request] = await requests_of(services)
    replies = [s.text for s in teams.connector.sent[before:]]
    assert (
        f"Sent for approval as request {request.id}. I'll tell you when it is decided." in replies
    )


# ---- the rate limit -----------------------------------------------------------------------


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """No background jobs: the test moves the clock and nothing runs behind its back."""
    monkeypatch.setattr(Services, "background_jobs", lambda self: [])


async def test_the_rate_limit_counts_requests_in_the_database_across_restarts(
    tmp_path: Path, database_url: str, connector: FakeConnector, quiet: None
) -> None:
    environ = offer_environ(tmp_path, SELF_SERVICE_MAX_REQUESTS="2")
    async with running_desk(database_url, connector, **environ) as desk:
        for _ in range(2):
            await _file_and_cancel(desk)
        limited = await desk.teams.ask("diego", ASK)
        assert limited.text == (
            "You have made 2 self-service requests in the last 24 hours; the limit is 2. "
            "Please try again later, or ask a Shared Calling admin."
        )
        old_card = {FINGERPRINT: "sha256:" + "2" * 64, SELF_SERVICE_REASON: "again"}
        refused = await desk.invoke("diego", SELF_SERVICE_SUBMIT, old_card)
        assert "the limit is 2" in text_of(refused["value"])
        assert len(await requests_of(desk.services)) == 2
    # Another process on the same database (a restart, or a second replica) holds the limit.
    async with running_desk(database_url, connector, **environ) as desk:
        assert "the limit is 2" in (await desk.teams.ask("diego", ASK)).text
        desk.clock.advance(hours=24, seconds=1)
        assert (await desk.teams.ask("diego", ASK)).cards, "a day later he may ask again"


async def _file_and_cancel(desk: Desk) -> None:
    offer = await desk.teams.ask("diego", ASK)
    data = {FINGERPRINT: fingerprint_on(offer.cards[0]), SELF_SERVICE_REASON: "Customers"}
    await desk.invoke("diego", SELF_SERVICE_SUBMIT, data)
    pending = [r for r in await requests_of(desk.services) if r.state is RequestState.PENDING]
    [request] = pending
    await desk.click("diego", REQUEST_CANCEL, request)
    assert (await desk.request(request.id)).state is RequestState.CANCELLED
    desk.clock.advance(minutes=1)


@pytest.mark.postgres
@pytest.mark.slow
async def test_two_replicas_on_postgresql_share_the_limit_and_file_one_request_for_two_clicks(
    tmp_path: Path, connector: FakeConnector, quiet: None
) -> None:
    import asyncio

    from tests.db import migrated_database

    environ = offer_environ(tmp_path, SELF_SERVICE_MAX_REQUESTS="2")
    async with (
        migrated_database("postgres", tmp_path) as url,
        running_desk(url, connector, **environ) as one,
        running_desk(url, connector, **environ) as two,
    ):
        offer = await one.teams.ask("diego", ASK)
        data = {FINGERPRINT: fingerprint_on(offer.cards[0]), SELF_SERVICE_REASON: "Customers"}
        clicks = await asyncio.gather(
            one.invoke("diego", SELF_SERVICE_SUBMIT, data),
            two.invoke("diego", SELF_SERVICE_SUBMIT, data),
        )
        [request] = await requests_of(one.services)
        assert sum("You already asked" in text_of(c["value"]) for c in clicks) == 1
        await one.click("diego", REQUEST_CANCEL, request)
        await _file_and_cancel(two)
        assert "the limit is 2" in (await one.teams.ask("diego", ASK)).text
        assert "the limit is 2" in (await two.teams.ask("diego", ASK)).text


async def test_an_admins_open_set_up_holds_the_person_and_unknown_verbs_are_audited(
    offered: Teams,
) -> None:
    from sharedcalling.domain.desired import DesiredState
    from sharedcalling.services.approvals.drafts import prepare_request
    from sharedcalling.services.requests import actor_of, submit_request
    from tests.demo_ids import RA_MAINLINE

    teams, services = offered, services_of(offered)
    megan = await services.resolve_principal(TENANT, MEGAN)
    prepared = await prepare_request(
        DesiredState(RA_MAINLINE, "Seattle", (DIEGO,)), tenant=services.tenant,
        justification="Floor 3", attested=[f"SC-R07:{RA_MAINLINE}"],
    )  # fmt: skip
    setup = await submit_request(
        prepared.draft, actor=actor_of(megan), uow=services.uow, clock=services.clock
    )
    answer = await teams.ask("diego", ASK)
    assert answer.text == (
        "An open Shared Calling request already includes you; it has to finish before you can "
        "ask for yourself."
    )
    assert setup.id not in answer.text  # not his request to see
    body = execute_invoke(teams.connector, "diego", "selfservice.approve_myself", {})
    response = await (await teams.post(body, expect=200)).json()
    assert response["statusCode"] == 400
    assert (await _audit_refusals(services))[-1] == ("selfservice.approve_myself", "forged_action")
    assert [r.id for r in await requests_of(services)] == [setup.id]


def _offer_with_role(tmp_path: Path, user_id: str, role: str) -> dict[str, str]:
    """The offer's settings on the self-service tenant where `user_id` also holds `role`."""
    environ = offer_environ(tmp_path)
    seed = json.loads(Path(environ["EMULATED_SEED"]).read_text(encoding="utf-8"))
    [account] = [u for u in seed["objects"]["user"] if u["id"] == user_id]
    account["directory_roles"] = [role]
    path = tmp_path / "role-admin-tenant.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    return {**environ, "EMULATED_SEED": str(path)}


async def test_a_teams_admin_outside_the_admin_group_is_asked_and_may_decide(
    tmp_path: Path, database_url: str, connector: FakeConnector
) -> None:
    """Holding a Teams admin role makes an admin (identity), so the role holder is announced
    self-service requests like the admin group's members, and decides them."""
    lee = demo_user(4)
    environ = _offer_with_role(tmp_path, lee, "Teams Administrator")
    settings = edge_settings(database_url, APPLY_POLL_SECONDS="0.05", **environ)
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        teams = Teams(client, connector)
        services = services_of(teams)
        admin_group = await services.tenant.get_group(services.admin_group_id)
        assert lee not in admin_group.member_ids  # only his role makes him an admin
        await teams.ask("lee", "help")  # reachable
        teams.connector.clear()
        await ask_and_send(teams, "diego", "Customer calls")
        [request] = await requests_of(services)
        to_lee = [s for s in teams.connector.sent if s.conversation_id == "a:personal-lee"]
        assert [s.text for s in to_lee] == [
            f"Approval needed: self-service request {request.id} by Diego Siciliani for themselves."
        ]
        click = {REQUEST_ID: request.id, FINGERPRINT: request.fingerprint}
        await invoke(teams, "lee", APPROVAL_APPROVE, click)
        stored = await get_request(TENANT, request.id, uow=services.uow)
        assert [d.actor_id for d in stored.decisions] == [lee]
        await settled(services, request.id)
