"""The bot's own access token for the Bot Connector, acquired with aiohttp and cached.

botbuilder acquires it through msal synchronously, on the event loop. Here one request runs at a
time, with a timeout; the token is reused until five minutes before it expires; a failure is
remembered for a few seconds, so an outage of the sign-in service costs one request per window,
not one per reply. The password never reaches the log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

CONNECTOR_SCOPE = "https://api.botframework.com/.default"
CONNECTOR_RESOURCE = "https://api.botframework.com"
MULTI_TENANT_AUTHORITY = "botframework.com"
MANAGED_IDENTITY_ENDPOINT = "http://169.254.169.254/metadata/identity/oauth2/token"
REFRESH_AHEAD_SECONDS = 300.0

SessionSource = Callable[[], aiohttp.ClientSession]


class TokenUnavailable(Exception):
    """No token could be acquired; the reason names the HTTP status or error, never a secret."""


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """One way to ask for a token: client credentials, or a user-assigned managed identity."""

    method: str
    url: str
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] | None = None


def client_credentials(
    authority_host: str, tenant: str, app_id: str, password: str, scope: str = CONNECTOR_SCOPE
) -> TokenRequest:
    return TokenRequest(
        "POST",
        f"{authority_host.rstrip('/')}/{tenant or MULTI_TENANT_AUTHORITY}/oauth2/v2.0/token",
        form={
            "grant_type": "client_credentials",
            "client_id": app_id,
            "client_secret": password,
            "scope": scope,
        },
    )


def managed_identity(app_id: str, endpoint: str = MANAGED_IDENTITY_ENDPOINT) -> TokenRequest:
    query = f"api-version=2018-02-01&resource={CONNECTOR_RESOURCE}&client_id={app_id}"
    return TokenRequest("GET", f"{endpoint}?{query}", headers={"Metadata": "true"})


class BotTokenSource:
    """Bearer tokens for outbound Bot Connector requests."""

    def __init__(
        self,
        request: TokenRequest,
        session: SessionSource,
        *,
        timeout: float = 10.0,
        failure_ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._request = request
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._failure_ttl = failure_ttl
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0
        self._failure: tuple[float, str] | None = None
        self._lock = asyncio.Lock()
        self.requests = 0

    async def token(self) -> str:
        if self._token is not None and self._clock() < self._renew_at:
            return self._token
        async with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                return await self._acquire()
            return self._token

    def invalidate(self) -> None:
        """Forget the token (the connector refused it); the next call acquires a new one."""
        self._token = None

    async def _acquire(self) -> str:
        if self._failure is not None and self._clock() - self._failure[0] < self._failure_ttl:
            raise TokenUnavailable(self._failure[1])
        self.requests += 1
        try:
            body = await self._fetch()
            token, lifetime = str(body["access_token"]), float(body["expires_in"])
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as error:
            reason = f"could not get a Bot Connector token ({_describe(error)})"
            self._failure = (self._clock(), reason)
            logger.warning("%s", reason)
            raise TokenUnavailable(reason) from None
        self._failure = None
        self._token = token
        self._renew_at = self._clock() + max(60.0, lifetime - REFRESH_AHEAD_SECONDS)
        return token

    async def _fetch(self) -> Any:
        request = self._request
        async with self._session().request(
            request.method,
            request.url,
            data=dict(request.form) if request.form else None,
            headers=dict(request.headers or {}),
            timeout=self._timeout,
        ) as response:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            return json.loads(await response.read())


def _describe(error: Exception) -> str:
    # ValueErrors carry our own "HTTP 401" text; other errors only their type: never the form.
    return (
        str(error)
        if isinstance(error, ValueError) and str(error).startswith("HTTP")
        else (type(error).__name__)
    )
