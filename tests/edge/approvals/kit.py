"""The approval workflow through /api/messages: an app with a movable clock, requests made
with `submit_request` directly, and readers for what the database and the connector hold."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from app import SERVICES, create_app
from cards.actions import FINGERPRINT, REQUEST_ID
from sharedcalling.adapters.store.tables import audit_log
from sharedcalling.bootstrap import build_services
from sharedcalling.config import Settings
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.requests import ChangeRequest
from sharedcalling.services import Services
from sharedcalling.services.approvals.drafts import prepare_request
from sharedcalling.services.ports import Clock
from sharedcalling.services.requests import actor_of, submit_request
from sharedcalling.services.unit_of_work import CardCopy
from tests.demo_ids import DIEGO, RA_MAINLINE
from tests.edge.conftest import edge_settings
from tests.edge.teams import Teams, execute_invoke, object_id
from tests.fakes.fake_connector import FakeConnector


class MovableClock(Clock):
    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self.at

    def advance(self, **span: float) -> None:
        self.at += timedelta(**span)


@dataclass
class Desk:
    """The running app, its Services and clock, and the Teams client that talks to it."""

    teams: Teams
    services: Services
    clock: MovableClock

    @property
    def connector(self) -> FakeConnector:
        return self.teams.connector

    async def meet(self, *people: str) -> None:
        """Each person says hello, so the bot holds their personal chat's reference."""
        for person in people:
            await self.teams.ask(person, "help")

    async def submit(
        self,
        requester: str = "megan",
        users: Sequence[UserId] = (DIEGO,),
        *,
        announce: bool = True,
        policy_name: str = "Seattle",
        emergency_numbers: tuple[str, ...] | None = None,
    ) -> ChangeRequest:
        principal = await self.services.resolve_principal(
            self.services.tenant_id, object_id(requester)
        )
        desired = DesiredState(
            resource_account_id=RA_MAINLINE, policy_name=policy_name, user_ids=tuple(users),
            emergency_numbers=emergency_numbers,
        )  # fmt: skip
        first = await prepare_request(desired, tenant=self.services.tenant, justification="x")
        attested = [f"{f.code}:{f.subject.id}" for f in first.preview.plan.attestations]
        prepared = await prepare_request(
            desired, tenant=self.services.tenant, justification="Floor 3 pilot",
            attested=attested,
        )  # fmt: skip
        request = await submit_request(
            prepared.draft, actor=actor_of(principal), uow=self.services.uow,
            clock=self.services.clock, policy=self.services.approval_policy.request_policy,
        )  # fmt: skip
        if announce:
            await self.services.after_submit(request)
        return request

    async def click(
        self, person: str, verb: str, request: ChangeRequest, **data: Any
    ) -> dict[str, Any]:
        """An Action.Execute from `person` with the card's payload; the invoke response body."""
        payload = {REQUEST_ID: request.id, FINGERPRINT: request.fingerprint, **data}
        return await self.invoke(person, verb, payload)

    async def invoke(self, person: str, verb: str, data: dict[str, Any], **fields: Any) -> Any:
        response = await self.teams.post(
            execute_invoke(self.connector, person, verb, data, **fields), expect=200
        )
        return await response.json()

    async def request(self, request_id: RequestId) -> ChangeRequest:
        async with self.services.uow() as work:
            return await work.requests.get(self.services.tenant_id, request_id)

    async def copies(self, request_id: RequestId) -> list[CardCopy]:
        async with self.services.uow() as work:
            return await work.card_copies.of_request(request_id)

    async def audit_rows(self) -> list[dict[str, Any]]:
        engine = self.services.uow._engine  # type: ignore[attr-defined]
        async with engine.connect() as connection:
            rows = (await connection.execute(select(audit_log).order_by(audit_log.c.seq))).all()
        return [dict(row._mapping) for row in rows]

    async def applies_settled(self) -> None:
        """Wait until the apply worker has no tick and no job running (bounded)."""
        worker = self.services.apply.worker
        for _ in range(400):
            await worker.idle()
            if not worker.running and not worker._tasks:  # type: ignore[attr-defined]
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the apply worker did not settle")

    @property
    def tenant(self) -> TenantId:
        return TenantId(self.services.tenant_id)


def card_text(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def facts_of(card: dict[str, Any]) -> dict[str, str]:
    """The card's fact set, title to value."""
    [facts] = [n for n in card["body"] if n.get("type") == "FactSet"]
    return {f["title"]: f["value"] for f in facts["facts"]}


def verbs_of(card: dict[str, Any]) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.add(str(node["verb"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in card.items() if k != "refresh"})
    return found


@asynccontextmanager
async def running_desk(
    database_url: str, connector: FakeConnector, **environ: str
) -> AsyncIterator[Desk]:
    """The app on a TestServer; background jobs off (tests run them), a movable clock."""
    clock = MovableClock()
    holder: list[Services] = []

    @asynccontextmanager
    async def open_services(settings: Settings) -> AsyncIterator[Services]:
        async with build_services(settings) as services:
            moved = replace(services, clock=clock)
            holder.append(moved)
            yield moved

    app = create_app(edge_settings(database_url, **environ), open_services=open_services)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert client.app[SERVICES] is holder[0]
        yield Desk(Teams(client, connector), holder[0], clock)


@dataclass(frozen=True)
class World:
    """What a refused click must leave as it was (the audit log gains one REFUSED entry)."""

    request: ChangeRequest | None
    copies: tuple[CardCopy, ...]
    audit: tuple[dict[str, Any], ...]
    sent: int


async def world(desk: Desk, request_id: RequestId) -> World:
    await desk.applies_settled()  # an approval starts an apply that updates cards on its own
    try:
        request: ChangeRequest | None = await desk.request(request_id)
    except Exception:
        request = None
    return World(
        request, tuple(await desk.copies(request_id)), tuple(await desk.audit_rows()),
        len(desk.connector.sent),
    )  # fmt: skip


async def assert_only_refusal_audited(
    desk: Desk, before: World, request_id: RequestId
) -> dict[str, Any]:
    """Nothing changed but one new REFUSED audit entry, which is returned."""
    after = await world(desk, request_id)
    assert after.request == before.request
    assert after.copies == before.copies
    assert after.sent == before.sent, desk.connector.sent[before.sent :]
    assert after.audit[: len(before.audit)] == before.audit
    [entry] = after.audit[len(before.audit) :]
    assert entry["outcome"] == "refused"
    return entry
