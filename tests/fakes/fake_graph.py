"""A loopback Microsoft Graph v1.0 backed by an emulated tenant, with Graph's request shapes.

Serves the endpoints the Graph adapter uses (users with their license properties,
subscribedSkus, groups and members, directoryRoles members, Teams userConfigurations,
numberAssignments with updateNumber and the long-running operation) and `$batch`, in the shapes
the Graph v1.0 reference documents (each shape cites its page). licenseDetails answers 403, as
its permissions table says it does for application permissions. It honours `$select`, `$top`,
`@odata.nextLink` paging (`$skip` for numberAssignments), the few `$filter` forms the adapter
sends, bearer tokens from `FakeLogin`, and injectable latency, throttling and errors, and it
counts requests.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.graph import NUMBER_PAGE, GraphTenantGateway
from sharedcalling.adapters.tenant.graph_auth import ClientCertificate, MsalTokenProvider
from sharedcalling.adapters.tenant.graph_http import GraphClient
from sharedcalling.adapters.tenant.retry import RetryPolicy
from sharedcalling.domain.tenant import TenantSnapshot
from sharedcalling.services.ports import SnapshotScope
from tests.fakes.fake_graph_routes import Reply, Routes, error
from tests.fakes.fake_login import AppCertificate, FakeLogin

Json = dict[str, Any]


@dataclass
class Fault:
    """Answer requests whose path contains `match` with `status`, `times` times.

    `where` is `any`, `outer` (plain HTTP requests, including `$batch` itself) or `batch`
    (requests inside a `$batch`).
    """

    match: str
    status: int = 429
    times: int = 1
    retry_after: float | None = 1
    where: str = "any"

    def applies(self, path: str, *, in_batch: bool) -> bool:
        place_ok = self.where == "any" or (self.where == "batch") == in_batch
        return self.times > 0 and place_ok and self.match in path


_CODES = {
    400: "BadRequest",
    403: "Authorization_RequestDenied",
    404: "Request_ResourceNotFound",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@dataclass
class FakeGraph:
    """The fake Graph service. `start()` returns its base URL (without `/v1.0`)."""

    tenant: EmulatedTenantGateway
    login: FakeLogin | None = None
    latency: float = 0.0
    page_size: int | None = None
    """Serve at most this many items per `@odata.nextLink` page, whatever `$top` asks."""
    faults: list[Fault] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    batch_items: Counter[str] = field(default_factory=Counter)
    client_request_ids: list[str] = field(default_factory=list)
    batch_sizes: list[int] = field(default_factory=list)
    base_url: str = ""
    snapshot: TenantSnapshot | None = None
    operations: dict[str, Json] = field(default_factory=dict)
    number_writes_async: bool = False
    """Answer updateNumber as assignNumber does (202 + an operation to poll), not with its
    documented 200."""
    failing_number_write: str | None = None
    """Fail number writes with this detail (the operation's statusDetail, or a 400's message)."""
    throttled_batch_status: int = 200
    """The outer status of a `$batch` in which an item got 429: 200 as the JSON batching page
    says the outer status always is, or 424 as the throttling page says ("Throttling and
    batching": the batch itself fails with 424 Failed Dependency)."""
    installed_apps: list[tuple[str, str]] = field(default_factory=list)
    """(user id, catalog app id) of apps installed for users (Install app for user)."""
    _runner: web.AppRunner | None = None
    _routes: Routes | None = None

    @property
    def requests(self) -> int:
        """HTTP requests served (a `$batch` counts once, as Graph's throttling counts it)."""
        return sum(self.calls.values())

    def reset_counters(self) -> None:
        self.calls.clear()
        self.batch_items.clear()
        self.batch_sizes.clear()
        self.client_request_ids.clear()

    def inject(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    async def refresh(self) -> None:
        """Re-read the emulated tenant (after writes made behind the fake's back)."""
        self.snapshot = await self.tenant.snapshot(SnapshotScope(all_users=True))
        self._routes = Routes(self.snapshot, self)

    async def start(self) -> str:
        await self.refresh()
        app = web.Application(client_max_size=4 * 1024**2)
        app.router.add_route("*", "/v1.0/{tail:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ HTTP

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        if self.latency:
            await asyncio.sleep(self.latency)
        path = "/" + request.match_info["tail"]
        self.calls[_kind(path)] += 1
        client_id = request.headers.get("client-request-id", "")
        self.client_request_ids.append(client_id)
        if not self._authorized(request.headers.get("Authorization", "")):
            reply = error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        else:
            query = list(request.query.items())
            body = await request.json() if request.can_read_body else None
            reply = await self._answer(request.method, path, query, body, dict(request.headers))
        return _to_response(reply, client_id)

    def _authorized(self, header: str) -> bool:
        if self.login is None:
            return header.startswith("Bearer ")
        return header.removeprefix("Bearer ") in self.login.issued

    async def _answer(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        body: Any,
        headers: dict[str, str],
        *,
        in_batch: bool = False,
    ) -> Reply:
        fault = self._fault(path, in_batch=in_batch)
        if fault is not None:
            return fault
        if path == "/$batch" and method == "POST" and not in_batch:
            return await self._batch(body or {})
        assert self._routes is not None
        reply = await self._routes.dispatch(method, path, dict(query), body, headers)
        if method == "POST" and reply.status in (200, 202):
            await self.refresh()
        return reply

    def _fault(self, path: str, *, in_batch: bool) -> Reply | None:
        for fault in self.faults:
            if fault.applies(path, in_batch=in_batch):
                fault.times -= 1
                reply = error(fault.status, _CODES.get(fault.status, "Error"), "Injected fault.")
                if fault.retry_after is not None and fault.status in (429, 503):
                    reply.headers["Retry-After"] = str(int(fault.retry_after))
                return reply
        return None

    async def _batch(self, body: Json) -> Reply:
        """JSON batching (concepts/json-batching.md): 1 to 20 requests; `responses` of {id,
        status, headers, body} in any order; `dependsOn` failures answer 424."""
        items = body.get("requests") or []
        if not items or len(items) > 20:
            return error(400, "BadRequest", "A batch holds between 1 and 20 requests.")
        self.batch_sizes.append(len(items))
        statuses: dict[str, int] = {}
        answers = []
        for item in items:
            answers.append(await self._batch_item(item, statuses))
        throttled = any(answer["status"] == 429 for answer in answers)
        status = self.throttled_batch_status if throttled else 200
        # Graph may answer in any order; reversing proves callers match responses by id.
        return Reply(status, {"responses": list(reversed(answers))})

    async def _batch_item(self, item: Json, statuses: dict[str, int]) -> Json:
        item_id = str(item["id"])
        if any(statuses.get(dep, 200) >= 400 for dep in item.get("dependsOn") or ()):
            reply = error(424, "FailedDependency", "A request this one depends on failed.")
        else:
            url = urlsplit("/" + str(item["url"]).lstrip("/"))
            self.batch_items[_kind(url.path)] += 1
            reply = await self._answer(
                str(item.get("method", "GET")).upper(),
                url.path,
                parse_qsl(url.query, keep_blank_values=True),
                item.get("body"),
                dict(item.get("headers") or {}),
                in_batch=True,
            )
        statuses[item_id] = reply.status
        return {"id": item_id, "status": reply.status, "headers": reply.headers, "body": reply.body}


def _kind(path: str) -> str:
    """A request's endpoint without ids, for counters: `/users/{id}/licenseDetails`."""
    path = re.sub(r"\('[^']*'\)", "(…)", path)
    parts = path.strip("/").split("/")
    return "/" + "/".join(
        "{id}" if i > 0 and (re.fullmatch(r"[0-9a-fA-F-]{36}", p) or "@" in p) else p
        for i, p in enumerate(parts)
    )


def _to_response(reply: Reply, client_request_id: str) -> web.Response:
    headers = dict(reply.headers)
    headers["request-id"] = reply.request_id
    if client_request_id:
        headers["client-request-id"] = client_request_id
    if reply.body is None:
        return web.Response(status=reply.status, headers=headers)
    return web.Response(
        status=reply.status,
        text=json.dumps(reply.body),
        content_type="application/json",
        headers=headers,
    )


DEMO_GROUP_IDS = (
    "00000000-0000-4000-a000-000000000001",
    "00000000-0000-4000-a000-000000000002",
    "00000000-0000-4000-a000-000000000003",
)
CLIENT_ID = "11111111-2222-4333-8444-555555555555"
CLIENT_SECRET = "fake-graph-client-secret-value"


@dataclass
class GraphStack:
    """A running fake login and fake Graph, and a GraphTenantGateway pointed at them."""

    fake: FakeGraph
    login: FakeLogin
    gateway: GraphTenantGateway
    tokens: MsalTokenProvider
    sleeps: list[float]


@asynccontextmanager
async def graph_stack(
    tenant: EmulatedTenantGateway | None = None,
    *,
    latency: float = 0.0,
    certificate: AppCertificate | None = None,
    attempts: int = 4,
    batch_concurrency: int = 8,
    page_size: int | None = None,
    number_page: int = NUMBER_PAGE,
) -> AsyncIterator[GraphStack]:
    """Start both fakes; sleeps of the adapter's retries are recorded, never waited."""
    tenant = tenant or EmulatedTenantGateway.seeded()
    secret = None if certificate else CLIENT_SECRET
    login = FakeLogin(tenant.tenant_id, CLIENT_ID, client_secret=secret, certificate=certificate)
    fake = FakeGraph(tenant, login=login, latency=latency, page_size=page_size)
    await login.start()
    await fake.start()
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    tokens = MsalTokenProvider(
        authority_host=login.base_url,
        tenant_id=tenant.tenant_id,
        client_id=CLIENT_ID,
        scope=f"{fake.base_url}/.default",
        client_secret=secret,
        certificate=ClientCertificate(certificate.private_key_pem, certificate.thumbprint)
        if certificate
        else None,
        verify=str(login.ca_path),
    )
    client = GraphClient(
        fake.base_url,
        tokens,
        retry=RetryPolicy(attempts=attempts, sleep=record, jitter=lambda: 0.5),
        batch_concurrency=batch_concurrency,
    )
    gateway = GraphTenantGateway(
        client, tenant.tenant_id, group_ids=DEMO_GROUP_IDS, number_page=number_page
    )
    try:
        yield GraphStack(fake, login, gateway, tokens, sleeps)
    finally:
        await gateway.close()
        await fake.stop()
        await login.stop()
