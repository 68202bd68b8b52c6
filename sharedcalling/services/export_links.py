"""Download links for plan exports: unguessable, for one download, expiring soon.

A link is a random 256-bit token; only its SHA-256 is stored, so the database alone cannot be
used to download anything. Redeeming a link marks it used in the same statement that finds it,
so two simultaneous downloads (or two replicas) cannot both get the file.
"""

from __future__ import annotations

import abc
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import NotPermitted
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.services.ports import Clock

DEFAULT_LIFETIME = timedelta(minutes=10)
TOKEN_BYTES = 32


@dataclass(frozen=True, slots=True)
class ExportLink:
    token_hash: str
    tenant_id: TenantId
    user_id: UserId
    """Who asked for it (an admin of the tenant, checked when the link was made)."""
    filename: str
    media_type: str
    content: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class ExportLinkStore(abc.ABC):
    @abc.abstractmethod
    async def add(self, link: ExportLink) -> None: ...

    @abc.abstractmethod
    async def redeem(self, token_hash: str, *, at: datetime) -> ExportLink | None:
        """The link, marked used at `at`, if it exists, is unused and has not expired;
        None otherwise. Atomic: of two redeemers at once, one gets it."""

    @abc.abstractmethod
    async def purge(self, *, before: datetime) -> int:
        """Delete links that expired before `before` (used or not); how many were deleted."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_export_link(
    *,
    principal: Principal,
    filename: str,
    media_type: str,
    content: str,
    store: ExportLinkStore,
    clock: Clock,
    lifetime: timedelta = DEFAULT_LIFETIME,
) -> str:
    """A new link's token for `content`; only tenant admins may have one."""
    if not principal.is_admin:
        raise NotPermitted("Only Shared Calling admins can download plan exports.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = clock.now()
    await store.add(
        ExportLink(
            token_hash=token_hash(token),
            tenant_id=principal.tenant_id,
            user_id=principal.user_id,
            filename=filename,
            media_type=media_type,
            content=content,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


async def redeem_export_link(
    token: str, *, store: ExportLinkStore, clock: Clock
) -> ExportLink | None:
    """The export behind `token`, once; None for an unknown, used or expired token."""
    if not token or len(token) > 128:
        return None
    return await store.redeem(token_hash(token), at=clock.now())


async def purge_export_links(*, store: ExportLinkStore, clock: Clock) -> int:
    return await store.purge(before=clock.now())
