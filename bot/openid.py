"""The Bot Framework's token signing keys: OpenID metadata and JWKS, fetched with aiohttp.

botbuilder fetches them with a blocking `requests.get` (no timeout) on the event loop, and does
not remember failures. Here one fetch runs at a time, with a timeout; concurrent validations
wait for it without blocking the loop; keys are kept for a day and used past that while a
refresh fails; a failure is remembered for a short while, so a dead metadata host is asked again
only every `failure_ttl` seconds; and an unknown key id refreshes the keys at most every
`refresh_interval` seconds, so forged tokens with random key ids cannot make us hammer the host.
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
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
SessionSource = Callable[[], aiohttp.ClientSession]
ALLOWED_ALGORITHMS = frozenset({"RS256"})
"""What we accept whatever the metadata says; the Bot Framework signs with RS256."""


class KeysUnavailable(Exception):
    """The signing keys could not be fetched and none are known: tokens cannot be checked now."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    key_id: str
    public_key: Any
    endorsements: frozenset[str]
    """Channels the key may sign for (the Bot Framework's `endorsements`); empty means any."""


@dataclass(frozen=True, slots=True)
class _KeySet:
    keys: Mapping[str, SigningKey]
    algorithms: frozenset[str]
    fetched_at: float


class OpenIdKeys:
    """Signing keys named by an OpenID metadata document, cached."""

    def __init__(
        self,
        metadata_url: str,
        session: SessionSource,
        *,
        timeout: float = 5.0,
        ttl: float = 24 * 3600.0,
        failure_ttl: float = 30.0,
        refresh_interval: float = 300.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.metadata_url = metadata_url
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._ttl, self._failure_ttl, self._refresh_interval = ttl, failure_ttl, refresh_interval
        self._clock = clock
        self._current: _KeySet | None = None
        self._failed_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0
        """Metadata fetches started (for tests and the log)."""

    async def key(self, key_id: str) -> SigningKey | None:
        """The key with `key_id`; None when the issuer does not publish it. KeysUnavailable."""
        current = await self._keys(unknown=None)
        found = current.keys.get(key_id)
        if found is None:
            current = await self._keys(unknown=key_id)
            found = current.keys.get(key_id)
        return found

    async def algorithms(self) -> frozenset[str]:
        return (await self._keys(unknown=None)).algorithms

    async def _keys(self, *, unknown: str | None) -> _KeySet:
        if not self._needs_fetch(unknown):
            return self._known()
        async with self._lock:
            # Another validation may have refreshed them while this one waited.
            if self._needs_fetch(unknown):
                await self._fetch()
        return self._known()

    def _needs_fetch(self, unknown: str | None) -> bool:
        now = self._clock()
        if self._failed_at is not None and now - self._failed_at < self._failure_ttl:
            return False
        current = self._current
        if current is None or now - current.fetched_at >= self._ttl:
            return True
        if unknown is None or unknown in current.keys:
            return False
        return self._attempted_at is None or now - self._attempted_at >= self._refresh_interval

    def _known(self) -> _KeySet:
        if self._current is None:
            raise KeysUnavailable("the token signing keys could not be fetched")
        return self._current

    async def _fetch(self) -> None:
        self.fetches += 1
        self._attempted_at = self._clock()
        try:
            metadata = await self._get_json(self.metadata_url)
            jwks = await self._get_json(str(metadata["jwks_uri"]))
            self._current = _key_set(metadata, jwks, self._clock())
            self._failed_at = None
            logger.info("Fetched %d token signing keys", len(self._current.keys))
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as error:
            self._failed_at = self._clock()
            logger.warning(
                "Could not fetch the token signing keys from %s (%s); %s",
                self.metadata_url,
                type(error).__name__,
                "keeping the known keys" if self._current else "no keys known yet",
            )

    async def _get_json(self, url: str) -> Any:
        async with self._session().get(url, timeout=self._timeout) as response:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            return json.loads(await response.read())


def _key_set(metadata: Mapping[str, Any], jwks: Mapping[str, Any], now: float) -> _KeySet:
    keys = {}
    for jwk in jwks["keys"]:
        key = _signing_key(jwk)
        if key is not None:
            keys[key.key_id] = key
    offered = metadata.get("id_token_signing_alg_values_supported")
    algorithms = ALLOWED_ALGORITHMS & set(offered) if isinstance(offered, list) else None
    return _KeySet(keys, frozenset(algorithms or ALLOWED_ALGORITHMS), now)


def _signing_key(jwk: Any) -> SigningKey | None:
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not isinstance(jwk.get("kid"), str):
        return None
    if jwk.get("use", "sig") != "sig":
        return None
    try:
        public_key = RSAAlgorithm.from_jwk(jwk)
    except Exception:  # a malformed key is skipped, not fatal: the others may still be good
        logger.warning("Skipped a malformed signing key")
        return None
    endorsements = jwk.get("endorsements")
    allowed = frozenset(e for e in endorsements if isinstance(e, str)) if endorsements else ()
    return SigningKey(jwk["kid"], public_key, frozenset(allowed))
