"""Ports for the bot's own records: the unit of work, its repositories, and their errors.

A use case opens one UnitOfWork, reads and writes through its repositories and commits once;
leaving the `async with` block without `commit()` rolls everything back. The SQL adapter
(`adapters/store/uow.py`) implements it on SQLite and PostgreSQL; the contract suite in
`tests/contract/uow_contract.py` holds both to the same behaviour.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sharedcalling.domain.audit import AuditEntry, AuditFacts
from sharedcalling.domain.errors import SharedCallingError
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
from sharedcalling.services.hazard_store import HazardRepository, LeaseRepository


class RecordNotFound(SharedCallingError):
    """No record with that id (in this tenant)."""


class ConcurrencyConflict(SharedCallingError):
    """The record changed since it was read (its version moved on); re-read and decide again."""


class UsersLocked(SharedCallingError):
    """Some users are already in another pending or applying request."""

    def __init__(self, holders: Mapping[UserId, RequestId]):
        shown = ", ".join(f"{user} (request {req})" for user, req in sorted(holders.items()))
        super().__init__(f"Already in another open request: {shown}.")
        self.holders = dict(holders)


class RequestRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, request: ChangeRequest) -> None:
        """Insert a new request (its version must be 0)."""

    @abc.abstractmethod
    async def get(self, tenant_id: TenantId, request_id: RequestId) -> ChangeRequest:
        """The request; RecordNotFound when it does not exist in that tenant."""

    @abc.abstractmethod
    async def version(self, tenant_id: TenantId, request_id: RequestId) -> int:
        """The stored version alone (cheap: card refreshes check a cached copy against it);
        RecordNotFound as `get`."""

    @abc.abstractmethod
    async def save(self, request: ChangeRequest, *, expected_version: int) -> ChangeRequest:
        """Store `request` if the stored version is still `expected_version`; returns it with
        the next version. ConcurrencyConflict otherwise."""

    @abc.abstractmethod
    async def find(
        self,
        tenant_id: TenantId,
        *,
        states: Collection[RequestState] = (),
        requester_id: UserId | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[ChangeRequest]:
        """Requests newest first, filtered by state and requester when given."""

    @abc.abstractmethod
    async def count_since(
        self, tenant_id: TenantId, *, requester_id: UserId, kind: RequestKind, since: datetime
    ) -> int:
        """How many requests of `kind` the requester submitted at or after `since` (every
        state counts: the self-service rate limit)."""

    @abc.abstractmethod
    async def count_by_state(self, tenant_id: TenantId) -> dict[RequestState, int]:
        """How many requests of the tenant are in each state (states without any left out)."""


class LockRepository(abc.ABC):
    @abc.abstractmethod
    async def acquire(
        self, tenant_id: TenantId, request_id: RequestId, user_ids: Collection[UserId]
    ) -> None:
        """Lock every user for `request_id`, or none: UsersLocked names those held elsewhere.
        Users already locked by the same request stay locked (idempotent)."""

    @abc.abstractmethod
    async def release(self, tenant_id: TenantId, request_id: RequestId) -> None:
        """Unlock every user `request_id` holds."""

    @abc.abstractmethod
    async def holders(
        self, tenant_id: TenantId, user_ids: Collection[UserId]
    ) -> dict[UserId, RequestId]:
        """Which of `user_ids` are locked, and by which request."""


class AuditLog(abc.ABC):
    @abc.abstractmethod
    async def append(self, chain: str, facts: AuditFacts) -> AuditEntry:
        """Append to the chain under a lock on its head, so concurrent writers never fork it."""

    @abc.abstractmethod
    async def entries(self, chain: str, *, request_id: RequestId | None = None) -> list[AuditEntry]:
        """Entries in sequence order; only those of one request when `request_id` is given."""

    @abc.abstractmethod
    async def head(self, chain: str) -> tuple[int, str] | None:
        """(sequence number, hash) of the newest entry, None for an empty chain."""


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """Where the bot can reach someone: a Bot Framework conversation reference as JSON."""

    tenant_id: TenantId
    conversation_id: str
    conversation_type: str
    """`personal`, `groupChat` or `channel`."""
    user_id: UserId | None
    """The person of a personal chat; None for group chats and channels."""
    reference: Mapping[str, Any]
    updated_at: datetime


class ConversationRepository(abc.ABC):
    @abc.abstractmethod
    async def remember(self, ref: ConversationRef) -> None:
        """Insert or refresh the reference of a conversation."""

    @abc.abstractmethod
    async def personal(self, tenant_id: TenantId, user_id: UserId) -> ConversationRef | None:
        """The newest personal chat with that person, if the bot has one."""

    @abc.abstractmethod
    async def get(self, tenant_id: TenantId, conversation_id: str) -> ConversationRef | None: ...


@dataclass(frozen=True, slots=True)
class CardCopy:
    """One card the bot sent about a request, so that every copy can be updated in place."""

    request_id: RequestId
    conversation_id: str
    activity_id: str
    purpose: str
    """`approval`, `status`, `progress`, `report` ..."""
    recipient_id: UserId | None
    sent_at: datetime
    rendered_version: int | None = None
    """The request version the copy last showed (None: unknown, such as apply cards)."""
    sync_failures: int = 0
    """Failed in-place updates since the last one that worked."""

    @property
    def updatable(self) -> bool:
        """Whether the channel gave the sent card an id to update it by. Teams always does;
        some clients (the Agents Playground, for proactive messages) answer with an empty id,
        and such a copy can only be followed by new messages."""
        return bool(self.activity_id)


class CardCopyRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, copy: CardCopy) -> None:
        """Record a sent card; recording the same activity twice keeps one row."""

    @abc.abstractmethod
    async def of_request(self, request_id: RequestId) -> list[CardCopy]:
        """Every copy sent for the request, oldest first."""

    @abc.abstractmethod
    async def rendered(self, copy: CardCopy, version: int) -> None:
        """The copy now shows `version` of its request: recorded unless it already showed a
        later one (versions never go back), and its failure count starts again."""

    @abc.abstractmethod
    async def failed(self, copy: CardCopy) -> None:
        """An in-place update of the copy failed: one more failure counted."""

    @abc.abstractmethod
    async def behind(
        self,
        tenant_id: TenantId,
        *,
        states: Collection[RequestState],
        since: datetime,
        max_failures: int,
        limit: int,
    ) -> list[tuple[CardCopy, int]]:
        """Updatable copies behind their request (an older version shown, or an unknown one),
        each with the request's version: of requests in `states` created since `since` that
        have no apply job, with fewer than `max_failures` failures in a row; at most `limit`,
        the least recently changed requests first, a request's copies together."""


class NotificationLedger(abc.ABC):
    """What was announced to whom, so that a hazard or a broken setup is announced once."""

    @abc.abstractmethod
    async def claim(
        self, tenant_id: TenantId, key: str, *, at: datetime, remind_after: float | None
    ) -> bool:
        """True when the caller should send: `key` was never announced, or its last
        announcement is older than `remind_after` seconds (None: never remind). Atomic."""

    @abc.abstractmethod
    async def forget(self, tenant_id: TenantId, key: str) -> None:
        """The cause is gone: a new occurrence is announced again."""


class ControlFlagRepository(abc.ABC):
    """Switches that survive restarts (the change freeze), written in the same transaction as
    their audit entry."""

    @abc.abstractmethod
    async def set(
        self, tenant_id: TenantId, name: str, value: Mapping[str, Any], by: str, at: datetime
    ) -> None:
        """Insert or replace the flag."""


class UnitOfWork(abc.ABC):
    """One transaction over the bot's records. Use as `async with uow: ...; await uow.commit()`."""

    requests: RequestRepository
    locks: LockRepository
    audit: AuditLog
    conversations: ConversationRepository
    card_copies: CardCopyRepository
    notifications: NotificationLedger
    leases: LeaseRepository
    hazards: HazardRepository
    flags: ControlFlagRepository

    async def __aenter__(self) -> Self:
        await self._begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._end()

    @abc.abstractmethod
    async def _begin(self) -> None: ...

    @abc.abstractmethod
    async def _end(self) -> None:
        """Roll back whatever was not committed, and release the connection."""

    @abc.abstractmethod
    async def commit(self) -> None: ...

    @abc.abstractmethod
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(abc.ABC):
    """Makes a fresh UnitOfWork per use case (a unit of work is used once)."""

    @abc.abstractmethod
    def __call__(self) -> UnitOfWork: ...
