"""Ports of the hazard watch's records: leases for singleton work, hazards, facts and checks.

Part of the UnitOfWork (`uow.leases`, `uow.hazards`); the SQL adapter implements them in
`adapters/store/hazards_repo.py` on SQLite and PostgreSQL.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sharedcalling.domain.hazards import Facts
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.domain.ids import RequestId, TenantId, UserId

if TYPE_CHECKING:
    from sharedcalling.services.unit_of_work import ConversationRef


class LeaseRepository(abc.ABC):
    """Named leases with an expiry: whoever holds an unexpired lease does the work alone."""

    @abc.abstractmethod
    async def acquire(self, name: str, owner: str, *, now: datetime, ttl: float) -> bool:
        """Take the lease for `ttl` seconds when it is free, expired or already `owner`'s.
        Atomic across replicas: of two acquirers at once, exactly one gets it."""

    @abc.abstractmethod
    async def release(self, name: str, owner: str) -> None:
        """Give the lease back, if `owner` still holds it."""


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One hazard check: when, by which replica, why, and what it found."""

    id: str
    tenant_id: TenantId
    trigger: str
    """`schedule`, `command` (an admin's "check now") or `cli`."""
    owner: str
    started_at: datetime
    finished_at: datetime
    outcome: str
    """`ok` (the tenant was read) or `unknown` (the read failed)."""
    summary: Mapping[str, Any] = field(default_factory=dict)


class HazardRepository(abc.ABC):
    @abc.abstractmethod
    async def open_hazards(self, tenant_id: TenantId) -> list[Hazard]:
        """Every open record (closed_at unset)."""

    @abc.abstractmethod
    async def get(self, tenant_id: TenantId, hazard_id: str) -> Hazard:
        """One record, open or closed; RecordNotFound otherwise."""

    @abc.abstractmethod
    async def closed(self, tenant_id: TenantId, *, limit: int = 50) -> list[Hazard]:
        """Closed records, the most recently closed first."""

    @abc.abstractmethod
    async def add(self, hazards: Collection[Hazard]) -> None: ...

    @abc.abstractmethod
    async def update(self, hazards: Collection[Hazard]) -> None:
        """Store what a check changed (state, content, times, closing); leaves the
        announcement and the fix request, which others set, as they are."""

    @abc.abstractmethod
    async def touch(self, tenant_id: TenantId, hazard_ids: Collection[str], at: datetime) -> None:
        """Seen again unchanged: move last_seen only."""

    @abc.abstractmethod
    async def mark_announced(
        self,
        tenant_id: TenantId,
        hazard_id: str,
        at: datetime,
        deliveries: Collection[tuple[str, str]],
    ) -> None: ...

    @abc.abstractmethod
    async def set_fix_request(
        self, tenant_id: TenantId, hazard_id: str, request_id: RequestId
    ) -> None: ...

    @abc.abstractmethod
    async def facts(self, tenant_id: TenantId) -> dict[str, Facts]:
        """What the latest successful check saw, by subject key."""

    @abc.abstractmethod
    async def put_facts(
        self, tenant_id: TenantId, facts: Mapping[str, Facts], at: datetime
    ) -> None:
        """Insert or replace the facts of these subjects."""

    @abc.abstractmethod
    async def add_check(self, record: CheckRecord) -> None: ...

    @abc.abstractmethod
    async def reachable_people(self, tenant_id: TenantId) -> list[UserId]:
        """Everyone with a personal chat with the bot (conversation references): the people a
        notification can reach, so the check reads their roles in the same snapshot."""

    @abc.abstractmethod
    async def channel_reference(
        self, tenant_id: TenantId, channel_id: str
    ) -> ConversationRef | None:
        """The newest stored reference of a channel: the channel itself, or a thread in it
        (`<channel id>;messageid=...`, as channel activities carry it)."""

    @abc.abstractmethod
    async def checks(self, tenant_id: TenantId, *, limit: int = 10) -> list[CheckRecord]:
        """The latest checks, newest first."""
