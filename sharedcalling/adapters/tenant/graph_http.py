"""Graph transport: one aiohttp session, bearer tokens, error mapping, paging and `$batch`."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp

import sharedcalling.metrics as metrics
from sharedcalling.adapters.tenant.retry import RetryPolicy, with_retries
from sharedcalling.services.ports import (
    TenantConflict,
    TenantError,
    TenantNotFound,
    TenantPermissionDenied,
    TenantThrottled,
    TenantUnavailable,
    TenantValidationError,
)

logger = logging.getLogger(__name__)

Json = Mapping[str, Any]

BATCH_LIMIT = 20
"""Graph's documented maximum number of requests in one `$batch`."""

RETRYABLE_STATUSES = frozenset({429, 503, 504})

BACKEND = "graph"
"""The `backend` label of this adapter's tenant-call metrics."""


class TokenSource(Protocol):
    async def token(self) -> str: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class BatchRequest:
    id: str
    url: str
    """Relative to the Graph version root, e.g. `/users/{id}?$select=id`."""
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GraphResponse:
    status: int
    body: Json
    headers: Mapping[str, str] = field(default_factory=dict)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a Retry-After header; Graph sends whole seconds."""
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


def _request_id(response: GraphResponse) -> str | None:
    for key, value in response.headers.items():
        if key.lower() == "request-id":
            return value
    inner = (response.body.get("error") or {}).get("innerError") or {}
    found = inner.get("request-id")
    return str(found) if found else None


def error_for(response: GraphResponse, operation: str) -> TenantError:
    """The port error for a failed Graph response, keeping Graph's request-id and message."""
    error = response.body.get("error") or {}
    message = f"{operation}: Graph {response.status} {error.get('code', '')}: "
    message += str(error.get("message", "")).strip()
    request_id = _request_id(response)
    status = response.status
    if status == 429:
        return TenantThrottled(
            message,
            retry_after=retry_after(response.headers),
            operation=operation,
            request_id=request_id,
        )
    kinds: dict[int, type[TenantError]] = {
        400: TenantValidationError,
        401: TenantPermissionDenied,
        403: TenantPermissionDenied,
        404: TenantNotFound,
        409: TenantConflict,
    }
    kind = kinds.get(status, TenantUnavailable if status >= 500 else TenantValidationError)
    return kind(message, operation=operation, request_id=request_id)


class GraphClient:
    """Calls Graph v1.0. Owns one ClientSession, created on first use and closed by `close()`."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenSource,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        batch_concurrency: int = 8,
        correlation_id: Callable[[], str | None] | None = None,
    ) -> None:
        self.root = base_url.rstrip("/") + "/v1.0"
        self._tokens = tokens
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, 10.0))
        self.retry = retry or RetryPolicy()
        self._batch_slots = asyncio.Semaphore(batch_concurrency)
        self._correlation_id = correlation_id
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        """Close the HTTP session and the token source's connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self._tokens.close()

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        correlation = (self._correlation_id() if self._correlation_id else None) or str(
            uuid.uuid4()
        )
        headers = {
            "Authorization": f"Bearer {await self._tokens.token()}",
            "client-request-id": correlation,
            "Accept": "application/json",
        }
        headers.update(extra or {})
        return headers

    async def send(
        self,
        method: str,
        url: str,
        *,
        payload: Any = None,
        headers: Mapping[str, str] | None = None,
        operation: str = "",
    ) -> GraphResponse:
        """One HTTP exchange, no retries; timeouts and connection errors become
        TenantUnavailable. `url` is absolute or relative to the version root."""
        full = url if url.startswith(("http://", "https://")) else self.root + url
        label = f"{method} {_resource(full)}"
        try:
            async with self._session_now().request(
                method, full, json=payload, headers=await self._headers(headers)
            ) as reply:
                response = GraphResponse(
                    reply.status, _json(await reply.read()), dict(reply.headers)
                )
        except (TimeoutError, aiohttp.ClientError) as exc:
            metrics.tenant_call(BACKEND, label, metrics.ERROR)
            raise TenantUnavailable(
                f"{operation or method}: Graph unreachable ({type(exc).__name__})",
                operation=operation,
            ) from exc
        metrics.tenant_call(BACKEND, label, _outcome(response))
        return response

    async def call(
        self,
        method: str,
        url: str,
        *,
        payload: Any = None,
        headers: Mapping[str, str] | None = None,
        operation: str = "",
    ) -> GraphResponse:
        """`send` with bounded retries on 429/503/504 and timeouts; other errors are raised."""

        async def attempt() -> GraphResponse:
            response = await self.send(
                method, url, payload=payload, headers=headers, operation=operation
            )
            if response.status >= 400:
                raise error_for(response, operation or url)
            return response

        return await with_retries(attempt, policy=self.retry, name=operation or url)

    async def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Json:
        return (await self.call("GET", url, headers=headers, operation=f"GET {_path(url)}")).body

    async def pages(
        self, url: str, *, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[list[Json]]:
        """Every page of a collection, following `@odata.nextLink` verbatim: it is opaque."""
        next_url: str | None = url
        while next_url:
            body = await self.get(next_url, headers=headers)
            yield list(body.get("value") or ())
            next_url = body.get("@odata.nextLink")

    async def collect(self, url: str, *, headers: Mapping[str, str] | None = None) -> list[Json]:
        items: list[Json] = []
        async for page in self.pages(url, headers=headers):
            items.extend(page)
        return items

    async def collect_skip(self, url: str, *, top: int) -> list[Json]:
        """A collection paged with `$top`/`$skip` (numberAssignments) until a short page."""
        items: list[Json] = []
        separator = "&" if "?" in url else "?"
        while True:
            page = (await self.get(f"{url}{separator}$top={top}&$skip={len(items)}")).get("value")
            items.extend(page or ())
            if len(page or ()) < top:
                return items

    async def batch(self, requests: Sequence[BatchRequest]) -> dict[str, GraphResponse]:
        """Run requests through `$batch`, 20 at a time, chunks concurrently. Responses are matched
        by id; inner 429/503/504 (and the 424s of their dependants) are retried alone."""
        chunks = [requests[i : i + BATCH_LIMIT] for i in range(0, len(requests), BATCH_LIMIT)]
        results: dict[str, GraphResponse] = {}
        for done in await gather_all(*(self._bounded_chunk(chunk) for chunk in chunks)):
            results.update(done)
        return results

    async def _bounded_chunk(self, chunk: Sequence[BatchRequest]) -> dict[str, GraphResponse]:
        async with self._batch_slots:
            return await self._run_chunk(chunk)

    async def _run_chunk(self, chunk: Sequence[BatchRequest]) -> dict[str, GraphResponse]:
        pending = {item.id: item for item in chunk}
        results: dict[str, GraphResponse] = {}
        for attempt in range(1, self.retry.attempts + 1):
            answered = await self._post_batch(list(pending.values()))
            failed = {
                key: answer
                for key, answer in answered.items()
                if answer.status in RETRYABLE_STATUSES or answer.status == 424
            }
            results.update({k: v for k, v in answered.items() if k not in failed})
            pending = {key: pending[key] for key in failed}
            if not pending:
                return results
            if attempt == self.retry.attempts:
                break
            await self.retry.sleep(self._batch_wait(failed.values(), attempt))
        # A 424 only says its dependency failed: report the dependency's own error.
        causes = sorted(failed.values(), key=lambda answer: answer.status == 424)
        raise error_for(causes[0], "$batch")

    def _batch_wait(self, failed: Iterable[GraphResponse], attempt: int) -> float:
        """The longest Retry-After among the failed items honours each of them."""
        waits = [retry_after(a.headers) for a in failed]
        given = [w for w in waits if w is not None]
        return max(given) if given else self.retry.backoff(attempt)

    async def _post_batch(self, items: Sequence[BatchRequest]) -> dict[str, GraphResponse]:
        """One `POST /$batch`: the answer of each item. The JSON batching page says the outer
        status is 200 whatever the items answer; the throttling page says a batch with a
        throttled item fails as a whole with 424, its items still answering in the body (each
        429 with its own Retry-After). Both are read the same way. An outer 429/503/504 (or
        424) without item answers, and a transport failure, count as that answer for every
        item, so the chunk's one retry budget covers them."""
        body = {
            "requests": [
                {"id": i.id, "method": i.method, "url": i.url}
                | ({"headers": dict(i.headers)} if i.headers else {})
                for i in items
            ]
        }
        try:
            reply = await self.send("POST", "/$batch", payload=body, operation="$batch")
        except TenantUnavailable as exc:
            reply = GraphResponse(503, {"error": {"code": "Unreachable", "message": str(exc)}})
        answers = reply.body.get("responses")
        if reply.status in (200, 424, *RETRYABLE_STATUSES) and isinstance(answers, list):
            return _item_answers(answers, items)
        if reply.status in (424, *RETRYABLE_STATUSES):
            return {i.id: reply for i in items}
        if reply.status < 400:
            raise TenantUnavailable(f"$batch: Graph answered {reply.status} without responses")
        raise error_for(reply, "$batch")


def _item_answers(answers: list[Any], items: Sequence[BatchRequest]) -> dict[str, GraphResponse]:
    wanted = {i.id for i in items}
    found: dict[str, GraphResponse] = {}
    for item in answers:
        if isinstance(item, Mapping) and str(item.get("id")) in wanted:
            found[str(item.get("id"))] = GraphResponse(
                int(item.get("status", 500)), item.get("body") or {}, item.get("headers") or {}
            )
    # Graph throttles the items of a batch one by one, inside a 200 (or 424) answer.
    metrics.throttled(BACKEND, sum(1 for a in found.values() if _outcome(a) == metrics.THROTTLED))
    missing = [i.id for i in items if i.id not in found]
    if missing:
        raise TenantUnavailable(f"$batch: no response for {len(missing)} requests")
    return found


async def gather_all(*jobs: Awaitable[Any]) -> list[Any]:
    """Run jobs together; if one fails the others are cancelled and its own error is raised
    (not an ExceptionGroup), so callers see the port's error types."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_as_coroutine(job)) for job in jobs]
    except BaseExceptionGroup as failed:
        raise first_error(failed) from None
    return [task.result() for task in tasks]


async def _as_coroutine(job: Awaitable[Any]) -> Any:
    return await job


def first_error(group: BaseExceptionGroup[Any]) -> BaseException:
    """The first leaf of a (possibly nested) exception group."""
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


def _outcome(response: GraphResponse) -> str:
    """ok below 400; throttled for a 429, or a 503 that says when to come back (Graph's
    throttling page: both mean "slow down"); otherwise error."""
    status = response.status
    if status == 429 or (status == 503 and retry_after(response.headers) is not None):
        return metrics.THROTTLED
    return metrics.OK if status < 400 else metrics.ERROR


_RESOURCE = re.compile(r"^\$?[A-Za-z]{1,40}$")


def _resource(full_url: str) -> str:
    """The first path segment after the API version (`users`, `groups`, `admin`, `$batch`):
    the metric's operation label, bounded because ids and queries never reach it."""
    segments = [part for part in urlsplit(full_url).path.split("/") if part]
    after = segments[segments.index("v1.0") + 1 :] if "v1.0" in segments else segments
    segment = after[0].split("(", 1)[0] if after else ""
    return segment if _RESOURCE.match(segment) else "other"


def _path(url: str) -> str:
    """A URL without its query, for operation names in errors and logs."""
    return url.split("?", 1)[0]


def _json(raw: bytes) -> Json:
    """A response body as JSON; empty or non-JSON bodies (a proxy's HTML page) give {}."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"value": body}
