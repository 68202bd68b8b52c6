"""HTTP to the Bot Connector: JSON over one pooled aiohttp session, with bounded retries.

botbuilder sends each reply through msrest and `requests` in the default thread pool, with a new
client and TCP connection per turn; slow or dead serviceUrls then starve every other turn. Here
each (app id, service URL) gets one `ConnectorHttp` (see bot.connector), all share one
`ClientSession` (keep-alive, a bounded number of connections per host), and every request has a
deadline. Retries follow what the
Bot Connector expects of a client: 408, 429 and 5xx (not 501/505) and connection failures are
retried, honouring Retry-After; other statuses raise ConnectorError at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from bot import wire
from bot.tokens import BotTokenSource, TokenUnavailable
from sharedcalling.correlation import log_safe

logger = logging.getLogger(__name__)

RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
SessionSource = Callable[[], aiohttp.ClientSession]


class ConnectorError(Exception):
    """The Bot Connector refused a request or could not be reached in time."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True, slots=True)
class ReplyPolicy:
    """Bounds of one outbound request, retries included; a Teams turn lasts about 15 s."""

    attempts: int = 3
    attempt_timeout: float = 5.0
    connect_timeout: float = 3.0
    total_seconds: float = 10.0
    max_wait: float = 3.0
    """The longest Retry-After honoured; a longer one fails the request at once."""
    base_delay: float = 0.25


def path_segment(value: str) -> str:
    """An id as one URL path segment; `.` and `..` would be resolved away by any URL library."""
    if not value or value in (".", "..") or any(ord(ch) < 0x20 for ch in value):
        raise ConnectorError(f"{log_safe(value, 40)!s} cannot be part of a connector URL")
    return quote(value, safe="")


def retry_after_seconds(header: str | None) -> float | None:
    """Retry-After as seconds (a number or an HTTP date); None when absent or unreadable."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(header).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class ConnectorHttp:
    """HTTP to one service URL as one app."""

    def __init__(
        self,
        service_url: str,
        session: SessionSource,
        *,
        tokens: BotTokenSource | None,
        user_agent: str,
        policy: ReplyPolicy,
    ) -> None:
        self.service_url = service_url.rstrip("/")
        self._session = session
        self._tokens = tokens
        self._user_agent = user_agent
        self._policy = policy

    async def request(self, method: str, path: str, payload: Any = None) -> Any:
        """Send one request (with retries); the parsed JSON answer, or None when empty."""
        url = URL(self.service_url + path, encoded=True)
        body = wire.dumps(payload).encode() if payload is not None else None
        deadline = time.monotonic() + self._policy.total_seconds
        refreshed = False
        for attempt in range(1, self._policy.attempts + 1):
            outcome = await self._attempt(method, url, body, deadline)
            if isinstance(outcome, _Answer):
                if outcome.status == 401 and self._tokens is not None and not refreshed:
                    self._tokens.invalidate()  # revoked or rotated: one fresh token, once
                    refreshed = True
                    continue
                return outcome.result(method, path)
            wait = self._wait(outcome, attempt, deadline)
            if wait is None:
                raise outcome.error
            logger.info("Retrying %s %s in %.2fs (%s)", method, path, wait, outcome.error)
            await asyncio.sleep(wait)
        raise ConnectorError(f"{method} {path}: gave up after {self._policy.attempts} attempts")

    def _wait(self, outcome: _Retryable, attempt: int, deadline: float) -> float | None:
        if attempt >= self._policy.attempts:
            return None
        wait = outcome.retry_after
        if wait is None:
            wait = self._policy.base_delay * (2 ** (attempt - 1)) * (0.5 + random.random() / 2)  # noqa: S311
        if wait > self._policy.max_wait or time.monotonic() + wait >= deadline:
            return None
        return wait

    async def _attempt(
        self, method: str, url: URL, body: bytes | None, deadline: float
    ) -> _Answer | _Retryable:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _Retryable(ConnectorError(f"{method} {url.path}: out of time"))
        timeout = aiohttp.ClientTimeout(
            total=min(self._policy.attempt_timeout, remaining),
            sock_connect=self._policy.connect_timeout,
        )
        try:
            headers = await self._headers(body is not None)
            async with self._session().request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                data = await response.read()
                if response.status in RETRIED_STATUSES:
                    error = _status_error(method, url, response.status, data)
                    return _Retryable(
                        error, retry_after_seconds(response.headers.get("Retry-After"))
                    )
                return _Answer(response.status, data)
        except (aiohttp.ClientError, TimeoutError) as failure:
            reason = type(failure).__name__
            return _Retryable(
                ConnectorError(f"{method} {url.path}: connector unreachable ({reason})")
            )

    async def _headers(self, has_body: bool) -> dict[str, str]:
        headers = {"User-Agent": self._user_agent, "Accept": "application/json"}
        if has_body:
            headers["Content-Type"] = "application/json; charset=utf-8"
        if self._tokens is not None:
            try:
                headers["Authorization"] = f"Bearer {await self._tokens.token()}"
            except TokenUnavailable as unavailable:
                raise ConnectorError(str(unavailable)) from None
        return headers


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    data: bytes

    def result(self, method: str, path: str) -> Any:
        if self.status >= 400:
            raise _status_error(method, URL(path), self.status, self.data)
        return _json_or_none(self.data)


@dataclass(frozen=True, slots=True)
class _Retryable:
    error: ConnectorError
    retry_after: float | None = None


def _json_or_none(data: bytes) -> Any:
    if not data.strip():
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _status_error(method: str, url: URL, status: int, data: bytes) -> ConnectorError:
    answer = _json_or_none(data)
    error = answer.get("error") if isinstance(answer, dict) else None
    code = str(error.get("code", "")) if isinstance(error, dict) else ""
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    text = f"{method} {url.path}: HTTP {status} {log_safe(code, 60)} {log_safe(message, 120)}"
    return ConnectorError(text.strip(), status=status, code=code)
