"""App-only Graph tokens from msal, kept off the event loop and cached per tenant."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msal
import requests

from sharedcalling.services.ports import TenantPermissionDenied, TenantUnavailable

logger = logging.getLogger(__name__)

# Error codes of the token endpoint that mean the credential or its consent is wrong, not that
# the service is down: retrying them cannot help.
_CREDENTIAL_ERRORS = frozenset(
    {"invalid_client", "unauthorized_client", "invalid_grant", "invalid_scope", "invalid_request"}
)


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """A certificate credential: the private key in PEM and the certificate's thumbprint."""

    private_key_pem: str
    thumbprint: str

    @classmethod
    def from_file(cls, path: Path, thumbprint: str) -> ClientCertificate:
        """Read a PEM file holding the private key (and usually the certificate too)."""
        return cls(private_key_pem=path.read_text(encoding="ascii"), thumbprint=thumbprint)


class _PinnedSession(requests.Session):
    """A session that always verifies against the given CA bundle. requests lets the
    REQUESTS_CA_BUNDLE environment variable override a session-wide `verify`, so it is passed
    on every request instead."""

    def __init__(self, verify: str, timeout: float) -> None:
        super().__init__()
        self._pinned_verify = verify
        self._timeout = timeout

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["verify"] = self._pinned_verify
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, *args, **kwargs)


class MsalTokenProvider:
    """Client-credential tokens for one app in one tenant.

    One msal ConfidentialClientApplication is kept per tenant because msal's token cache lives in
    the application object: a new object per call would fetch a new token every time. msal is
    blocking (requests), so every call runs in a worker thread.
    """

    def __init__(
        self,
        *,
        authority_host: str,
        tenant_id: str,
        client_id: str,
        scope: str,
        client_secret: str | None = None,
        certificate: ClientCertificate | None = None,
        verify: bool | str = True,
        timeout: float = 30.0,
    ) -> None:
        if (client_secret is None) == (certificate is None):
            raise ValueError("give exactly one of client_secret and certificate")
        self._authority_host = authority_host.rstrip("/")
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._scope = scope
        self._credential: str | dict[str, str] = (
            client_secret
            if client_secret is not None
            else {"private_key": certificate.private_key_pem, "thumbprint": certificate.thumbprint}  # type: ignore[union-attr]
        )
        self._verify = verify
        self._timeout = timeout
        self._apps: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._serial = asyncio.Lock()
        self._inflight: asyncio.Future[str] | None = None

    def __repr__(self) -> str:
        # The credential must never reach a log line through a repr.
        return f"MsalTokenProvider(tenant_id={self._tenant_id!r}, client_id={self._client_id!r})"

    async def close(self) -> None:
        """Close msal's HTTP connections; tokens are fetched anew after this."""
        if self._inflight is not None:
            # A caller cancelled while msal was still talking: let that thread finish first.
            await asyncio.wait([self._inflight])
        with self._lock:
            apps, self._apps = list(self._apps.values()), {}
        for app in apps:
            await asyncio.to_thread(app.http_client.close)

    async def token(self, tenant_id: str | None = None) -> str:
        """An access token for the Graph scope; msal answers from its cache until near expiry."""
        async with self._serial:
            # One msal call at a time: the first fills the cache, the rest are answered from it.
            # Shielded, so that a cancelled caller does not abandon a thread mid-request.
            self._inflight = asyncio.ensure_future(
                asyncio.to_thread(self._acquire, tenant_id or self._tenant_id)
            )
            return await asyncio.shield(self._inflight)

    def _app(self, tenant_id: str) -> Any:
        with self._lock:
            app = self._apps.get(tenant_id)
            if app is None:
                # instance_discovery/validate_authority off: the authority may be a sovereign
                # cloud, a proxy or a loopback fake that Microsoft's discovery does not know.
                http = (
                    {"http_client": _PinnedSession(self._verify, self._timeout)}
                    if isinstance(self._verify, str)
                    else {"verify": self._verify, "timeout": self._timeout}
                )
                app = msal.ConfidentialClientApplication(
                    self._client_id,
                    client_credential=self._credential,
                    authority=f"{self._authority_host}/{tenant_id}",
                    validate_authority=False,
                    instance_discovery=False,
                    **http,
                )
                self._apps[tenant_id] = app
            return app

    def _acquire(self, tenant_id: str) -> str:
        try:
            result = self._app(tenant_id).acquire_token_for_client(scopes=[self._scope])
        except (OSError, ValueError) as exc:
            # requests' connection errors are OSErrors; msal raises ValueError when the
            # authority's discovery document cannot be fetched.
            raise TenantUnavailable(
                f"sign-in authority unreachable: {type(exc).__name__}", operation="token"
            ) from exc
        token = result.get("access_token") if isinstance(result, dict) else None
        if token:
            return str(token)
        error = str((result or {}).get("error", "unknown_error"))
        logger.warning("token request refused for tenant %s: %s", tenant_id, error)
        if error in _CREDENTIAL_ERRORS:
            raise TenantPermissionDenied(f"token request refused: {error}", operation="token")
        raise TenantUnavailable(f"token request failed: {error}", operation="token")
