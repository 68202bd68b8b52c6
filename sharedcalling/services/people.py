"""Finding one person in the tenant by object id, UPN or display name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sharedcalling.domain import names
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.tenant import User
from sharedcalling.services.ports import TenantGateway, TenantNotFound

MAX_QUERY_LENGTH = 256
MAX_CANDIDATES = 10
_SEARCH_LIMIT = 50
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True, slots=True)
class Found:
    user: User


@dataclass(frozen=True, slots=True)
class Ambiguous:
    query: str
    candidates: tuple[User, ...]
    """At most MAX_CANDIDATES, ordered by display name."""


@dataclass(frozen=True, slots=True)
class NotFound:
    query: str


PersonMatch = Found | Ambiguous | NotFound


def clean_query(query: str) -> str:
    """The query trimmed; InvalidInput when empty, too long or holding control characters."""
    text = query.strip()
    if not text:
        raise InvalidInput("Tell me who: a display name, a user principal name, or an object id.")
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"That name is too long (at most {MAX_QUERY_LENGTH} characters).")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise InvalidInput("That name contains control or invisible characters.")
    return text


async def find_person(
    query: str, *, tenant: TenantGateway, include_resource_accounts: bool = False
) -> PersonMatch:
    """Resolve an object id, a UPN/email, or a display name (exact, then prefix).

    Resource accounts are people only when asked for. Raises InvalidInput for a malformed query.
    """
    text = clean_query(query)
    if _GUID.match(text) or "@" in text:
        user = await _get(names.fold(text) if _GUID.match(text) else text, tenant)
        if user is None or (user.is_resource_account and not include_resource_accounts):
            return NotFound(text)
        return Found(user)
    found = await tenant.search_users(text, limit=_SEARCH_LIMIT)
    candidates = [u for u in found if include_resource_accounts or not u.is_resource_account]
    exact = [u for u in candidates if names.same(u.display_name, text)]
    return _match(text, exact or candidates)


async def _get(key: str, tenant: TenantGateway) -> User | None:
    try:
        return await tenant.get_user(key)
    except TenantNotFound:
        return None


def _match(query: str, users: list[User]) -> PersonMatch:
    if not users:
        return NotFound(query)
    if len(users) == 1:
        return Found(users[0])
    ordered = sorted(users, key=lambda u: (names.fold(u.display_name), u.id))
    return Ambiguous(query, tuple(ordered[:MAX_CANDIDATES]))
