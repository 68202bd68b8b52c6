"""A local Bot Framework identity service: OpenID metadata, JWKS and the bot's token endpoint.

It holds real RSA keys (made with `cryptography`), publishes their public halves as the Bot
Framework does (with `endorsements`), mints channel tokens like the Bot Connector's (any claim,
key or algorithm a test wants, forged ones included), and issues the bot's own outbound tokens
for client-credential and managed-identity requests. `delay`, `hold` and `fail_metadata` make
the metadata host slow, stuck or broken; `metadata_fetches` counts what reached it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

APP_ID = "6d2f0c2e-0000-4000-8000-000000000001"
APP_PASSWORD = "fake-bot-password-value"
ISSUER = "https://api.botframework.com"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(key_id: str, key: rsa.RSAPrivateKey, endorsements: list[str]) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "use": "sig", "kid": key_id, "n": _b64(numbers.n),
            "e": _b64(numbers.e), "endorsements": endorsements}  # fmt: skip


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass
class FakeBotIdentity:
    """Keys by id; `signing_key_id` is the one published keys sign with by default."""

    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=lambda: {"key-1": new_key()})
    endorsements: list[str] = field(default_factory=lambda: ["msteams"])
    delay: float = 0.0
    hold: asyncio.Event | None = None
    fail_metadata: int = 0
    """Answer the next N metadata requests with HTTP 500."""
    metadata_fetches: int = 0
    jwks_fetches: int = 0
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    def channel_token(
        self,
        service_url: str,
        *,
        key_id: str = "key-1",
        key: rsa.RSAPrivateKey | None = None,
        algorithm: str = "RS256",
        secret: Any = None,
        lifetime: float = 3600,
        **claims: Any,
    ) -> str:
        """A token as the Bot Connector sends it; override anything to forge one."""
        now = time.time()
        payload: dict[str, Any] = {
            "iss": ISSUER, "aud": APP_ID, "serviceurl": service_url,
            "nbf": int(now - 60), "exp": int(now + lifetime), "iat": int(now - 60),
        }  # fmt: skip
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        signer = secret if secret is not None else (key or self.keys[key_id])
        return jwt.encode(payload, signer, algorithm=algorithm, headers={"kid": key_id})

    async def _metadata(self, request: web.Request) -> web.Response:
        self.metadata_fetches += 1
        if self.hold is not None:
            await self.hold.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_metadata > 0:
            self.fail_metadata -= 1
            return web.Response(status=500, text="broken")
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": f"{self.url}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        self.jwks_fetches += 1
        keys = [public_jwk(kid, key, self.endorsements) for kid, key in self.keys.items()]
        return web.json_response({"keys": keys})

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post()) if request.method == "POST" else dict(request.query)
        self.token_requests.append({k: str(v) for k, v in form.items()})
        secret_ok = form.get("client_secret") == APP_PASSWORD
        managed = request.headers.get("Metadata") == "true" and form.get("client_id") == APP_ID
        if not (secret_ok and form.get("client_id") == APP_ID) and not managed:
            return web.json_response({"error": "invalid_client"}, status=401)
        token = f"outbound-token-{next(self._ids)}"
        self.issued.append(token)
        return web.json_response(
            {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
        )

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._jwks)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/metadata/identity/oauth2/token", self._token)
        return app


@asynccontextmanager
async def running_identity(**options: Any) -> AsyncIterator[FakeBotIdentity]:
    identity = FakeBotIdentity(**options)
    server = TestServer(identity.application(), host="127.0.0.1")
    await server.start_server()
    identity.url = str(server.make_url("")).rstrip("/")
    try:
        yield identity
    finally:
        if identity.hold is not None:
            identity.hold.set()
        await server.close()


def authenticated_environment(identity: FakeBotIdentity) -> Mapping[str, str]:
    """Settings of a bot with an app id whose sign-in and keys are this fake."""
    return {
        "MicrosoftAppId": APP_ID,
        "MicrosoftAppPassword": APP_PASSWORD,
        "BOT_OPENID_METADATA_URL": identity.metadata_url,
        "AUTHORITY_HOST": identity.url,
    }


def _part(value: Mapping[str, Any] | bytes) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned(payload: Mapping[str, Any], header: Mapping[str, Any]) -> str:
    """A token with `alg: none` and no signature (PyJWT refuses to make one)."""
    return f"{_part(header)}.{_part(payload)}."


def hmac_signed(payload: Mapping[str, Any], header: Mapping[str, Any], secret: bytes) -> str:
    """An HS256 token keyed with `secret`: the classic trick is the issuer's public key PEM."""
    signing_input = f"{_part(header)}.{_part(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_part(signature)}"


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a token, unverified (to forge variants of a valid one)."""
    payload: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return payload
