"""Checking the Bot Connector's bearer token on every inbound activity (app id set).

The checks the Bot Framework documents for channel-to-bot tokens: a JWT in `Authorization:
Bearer`, signed with RS256 by a key of the OpenID metadata (endorsed for the activity's channel),
issuer `https://api.botframework.com`, audience our app id, within its validity (5 minutes of
clock skew), and a `serviceurl` claim equal to the activity's serviceUrl. Every failure is an
AuthFailure (HTTP 401), whatever PyJWT raised; the token itself is never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import jwt

from bot.openid import ALLOWED_ALGORITHMS, KeysUnavailable, OpenIdKeys
from sharedcalling.correlation import log_safe

logger = logging.getLogger(__name__)

CHANNEL_ISSUER = "https://api.botframework.com"
SERVICE_URL_CLAIM = "serviceurl"
CLOCK_SKEW_SECONDS = 300
MAX_TOKEN_LENGTH = 8192


class AuthFailure(Exception):
    """The request does not prove it comes from the Bot Connector; the reason is log-safe."""


class AuthUnavailable(Exception):
    """The token cannot be checked right now (no signing keys could be fetched)."""


def bearer_token(header: str | None) -> str:
    if not header:
        raise AuthFailure("no Authorization header")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthFailure("the Authorization header is not a bearer token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthFailure("the bearer token is too long")
    return token


class ChannelAuthenticator:
    """Validates channel tokens for one app id against one OpenID metadata document."""

    def __init__(self, app_id: str, keys: OpenIdKeys, *, issuer: str = CHANNEL_ISSUER) -> None:
        self.app_id = app_id
        self.keys = keys
        self.issuer = issuer

    async def authenticate(
        self, header: str | None, *, channel_id: str | None, service_url: str | None
    ) -> Mapping[str, Any]:
        """The token's claims; AuthFailure or AuthUnavailable."""
        token = bearer_token(header)
        unverified = _header(token)
        algorithm = unverified.get("alg")
        key_id = unverified.get("kid")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise AuthFailure(f"the token's algorithm {log_safe(algorithm, 20)} is not allowed")
        if not isinstance(key_id, str) or not key_id:
            raise AuthFailure("the token names no signing key")
        try:
            key = await self.keys.key(key_id)
            algorithms = await self.keys.algorithms()
        except KeysUnavailable as unavailable:
            raise AuthUnavailable(str(unavailable)) from None
        if key is None:
            raise AuthFailure(f"the token's signing key {log_safe(key_id, 64)} is unknown")
        if key.endorsements and channel_id not in key.endorsements:
            raise AuthFailure(f"the signing key is not endorsed for channel {log_safe(channel_id)}")
        claims = self._decode(token, key.public_key, algorithms)
        if claims.get(SERVICE_URL_CLAIM) != service_url:
            raise AuthFailure("the token does not vouch for the activity's serviceUrl")
        return claims

    def _decode(self, token: str, public_key: Any, algorithms: frozenset[str]) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                public_key,
                algorithms=sorted(algorithms),
                audience=self.app_id,
                issuer=self.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as invalid:
            raise AuthFailure(f"the token is invalid ({type(invalid).__name__})") from None
        return claims


def _header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except (jwt.PyJWTError, ValueError, TypeError):
        raise AuthFailure("the bearer token is not a JWT") from None
    if not isinstance(header, dict):
        raise AuthFailure("the bearer token is not a JWT")
    return header
