"""Ports: what the use cases need from the outside world, and the errors adapters raise."""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sharedcalling.domain.errors import SharedCallingError
from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.tenant import (
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    EmergencyLocation,
    Group,
    PhoneNumber,
    PolicyType,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
)

LOOKUPS_AT_ONCE = 16
"""Concurrent `get_user` calls of the default `find_users`."""

# --------------------------------------------------------------------------- tenant errors


class TenantError(SharedCallingError):
    """A tenant backend refused or failed an operation. `operation` names what was attempted."""

    def __init__(self, message: str, *, operation: str = "", request_id: str | None = None):
        super().__init__(message)
        self.operation = operation
        self.request_id = request_id


class TenantNotFound(TenantError):
    """The user, group, number or policy does not exist."""


class TenantThrottled(TenantError):
    """The service asked us to slow down; `retry_after` is in seconds when the service said."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        operation: str = "",
        request_id: str | None = None,
    ):
        super().__init__(message, operation=operation, request_id=request_id)
        self.retry_after = retry_after


class TenantPermissionDenied(TenantError):
    """The app lacks a permission or role for this operation."""


class TenantConflict(TenantError):
    """The write conflicts with the tenant's state (already assigned, already exists, in use)."""


class TenantValidationError(TenantError):
    """The service rejected the write's values (unknown policy, wrong number type, ...)."""


class TenantUnavailable(TenantError):
    """The backend could not be reached or timed out; the operation may be retried."""


# --------------------------------------------------------------------------- tenant port


@dataclass(frozen=True, slots=True)
class SnapshotScope:
    """Which accounts a snapshot must contain besides every resource account.

    Numbers, policies, groups (with their direct members), group assignments, associations and
    subscribed SKUs are always complete.
    """

    user_ids: Collection[UserId] = ()
    all_users: bool = False


class TenantReader(abc.ABC):
    """Reads one Teams tenant. Adapters raise the `Tenant*` errors above, never HTTP or SQL ones."""

    tenant_id: TenantId

    @abc.abstractmethod
    async def get_user(self, key: str) -> User:
        """A user or resource account by object id or UPN (case-insensitive); TenantNotFound."""

    @abc.abstractmethod
    async def search_users(self, text: str, *, limit: int = 25) -> list[User]:
        """Accounts whose display name, UPN or mail nickname starts with `text` (case-insensitive),
        ordered by display name, at most `limit`."""

    @abc.abstractmethod
    async def list_resource_accounts(self) -> list[User]:
        """Every resource account, ordered by UPN."""

    @abc.abstractmethod
    async def get_group(self, group_id: GroupId) -> Group:
        """A group with its direct members; TenantNotFound."""

    @abc.abstractmethod
    async def list_numbers(self) -> list[PhoneNumber]:
        """The whole number inventory, ordered by number."""

    async def list_emergency_locations(self) -> list[EmergencyLocation] | None:
        """Every emergency location of the tenant (`Get-CsOnlineLisLocation`), ordered by
        description; None when this backend cannot list them (the caller then offers what the
        numbers reference, or a typed id). Not abstract: listing locations is optional."""
        return None

    async def find_users(self, keys: Sequence[str]) -> dict[str, User | None]:
        """Accounts by object id or UPN, many at once (a pasted list): `fold(key)` to the account,
        or None when the tenant has no such account. Not abstract: this default asks `get_user`
        for each, LOOKUPS_AT_ONCE at a time; an adapter with a cheaper bulk read overrides it."""
        wanted = list(dict.fromkeys(fold(key) for key in keys if key.strip()))
        gate = asyncio.Semaphore(LOOKUPS_AT_ONCE)

        async def one(key: str) -> User | None:
            async with gate:
                try:
                    return await self.get_user(key)
                except TenantNotFound:
                    return None

        found = await asyncio.gather(*(one(key) for key in wanted))
        return dict(zip(wanted, found, strict=True))

    async def list_teams_admins(self) -> list[UserId] | None:
        """The holders of a Teams admin directory role (TEAMS_ADMIN_ROLES), ordered by id; None
        when this backend cannot list them (callers then know admins by the admin group only).
        Not abstract, like listing locations."""
        return None

    @abc.abstractmethod
    async def snapshot(self, scope: SnapshotScope) -> TenantSnapshot:
        """A consistent read of the accounts in `scope`, every resource account, and every number,
        policy, group, group assignment, association and subscribed SKU. Unknown ids are left out.
        """


class TenantWriter(abc.ABC):
    """Writes one Teams tenant (the change catalogue of docs/rules.md). Every write is idempotent:
    setting a value it already has succeeds and changes nothing. Adapters raise the `Tenant*`
    errors above, never HTTP or SQL ones."""

    tenant_id: TenantId

    @abc.abstractmethod
    async def set_enterprise_voice(self, user_id: UserId, enabled: bool) -> None:
        """`Set-CsPhoneNumberAssignment -Identity <id> -EnterpriseVoiceEnabled <bool>`."""

    @abc.abstractmethod
    async def set_number_location(self, telephone_number: str, location_id: str) -> None:
        """`Set-CsPhoneNumberAssignment -PhoneNumber <n> -LocationId <id>`."""

    @abc.abstractmethod
    async def grant_policy(
        self, policy_type: PolicyType, user_id: UserId, policy_name: str | None
    ) -> None:
        """Direct grant to a user or resource account; `None` removes the direct assignment."""

    @abc.abstractmethod
    async def grant_group_policy(
        self, policy_type: PolicyType, group_id: GroupId, policy_name: str, rank: int
    ) -> None:
        """Group grant (`Grant-Cs… -Group <id> -PolicyName <p> -Rank <n>`)."""

    @abc.abstractmethod
    async def create_voice_routing_policy(self, policy: VoiceRoutingPolicy) -> None:
        """`New-CsOnlineVoiceRoutingPolicy`; TenantConflict if it exists with other usages."""

    @abc.abstractmethod
    async def create_emergency_call_routing_policy(
        self, policy: EmergencyCallRoutingPolicy
    ) -> None:
        """`New-CsTeamsEmergencyCallRoutingPolicy`; TenantConflict if it exists differently."""

    @abc.abstractmethod
    async def create_calling_line_identity_policy(self, policy: CallingLineIdentityPolicy) -> None:
        """`New-CsCallingLineIdentity`; TenantConflict if it exists differently."""

    @abc.abstractmethod
    async def create_shared_calling_policy(self, policy: SharedCallingPolicy) -> None:
        """`New-CsTeamsSharedCallingRoutingPolicy` with resource account and emergency numbers."""

    @abc.abstractmethod
    async def update_shared_calling_numbers(
        self, policy_name: str, *, add: Collection[str] = (), remove: Collection[str] = ()
    ) -> None:
        """`Set-CsTeamsSharedCallingRoutingPolicy -EmergencyNumbers @{add=…}` / `@{remove=…}`."""


class TenantGateway(TenantReader, TenantWriter):
    """A backend that both reads and writes the tenant (emulated, graph+powershell)."""


# --------------------------------------------------------------------------- bot state port


class StateConflict(SharedCallingError):
    """A document was written by someone else since it was read (stale e-tag)."""


@dataclass(frozen=True, slots=True)
class StateDocument:
    key: str
    data: Mapping[str, Any]
    etag: str


class BotStateStore(abc.ABC):
    """E-tagged JSON documents, the storage behind Bot Framework conversation and dialog state."""

    @abc.abstractmethod
    async def read(self, keys: Collection[str]) -> dict[str, StateDocument]:
        """The documents that exist among `keys`; unknown keys are absent from the result."""

    @abc.abstractmethod
    async def write(self, key: str, data: Mapping[str, Any], *, expected_etag: str | None) -> str:
        """Write a document and return its new e-tag.

        `expected_etag` None or `*` overwrites unconditionally; any other value must equal the
        stored e-tag (or the document must not exist when it is the empty string), else
        StateConflict.
        """

    @abc.abstractmethod
    async def delete(self, keys: Collection[str]) -> None:
        """Delete documents; unknown keys are ignored."""

    @abc.abstractmethod
    async def delete_untouched(self, prefix: str, *, before: datetime) -> int:
        """Delete the documents whose key starts with `prefix` (taken literally, never as a
        pattern) and that were last written before `before`; how many were deleted."""


# --------------------------------------------------------------------------- clock


class Clock(abc.ABC):
    @abc.abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


# --------------------------------------------------------------------------- emulated tenant state


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One object of the emulated tenant's state: `kind` (e.g. `user`, `number`, `policy`), a key
    unique within the kind, and its JSON document."""

    kind: str
    key: str
    document: Mapping[str, Any]


WRITE_LOG_KIND = "write"
"""Kind of the emulated tenant's write-log records, keyed by zero-padded sequence number."""


class TenantStateStore(abc.ABC):
    """Where the emulated tenant keeps its objects, so that changes survive a restart.

    Implemented by the SQL store (`adapters/store`) and an in-memory store for tests; the
    emulated tenant adapter only knows this port, never the store adapter.
    """

    @abc.abstractmethod
    async def load(self, tenant_id: TenantId) -> list[StoredObject]:
        """Every stored object of the tenant; empty when the tenant was never seeded."""

    @abc.abstractmethod
    async def upsert(self, tenant_id: TenantId, objects: Collection[StoredObject]) -> None:
        """Insert or replace objects by (kind, key), atomically."""

    @abc.abstractmethod
    async def remove(self, tenant_id: TenantId, keys: Collection[tuple[str, str]]) -> None:
        """Delete objects by (kind, key); unknown keys are ignored."""

    @abc.abstractmethod
    async def clear(self, tenant_id: TenantId) -> None:
        """Delete every object of the tenant."""

    # ---- several processes on one store (bot replicas on one database)
    async def changes_since(self, tenant_id: TenantId, after_key: str) -> list[StoredObject]:
        """The `write` records (kind `write`, keys in write order) after `after_key`, and the
        current form of the objects they name (`objects`: [[kind, key], ...]).

        This default suits a store that one process uses at a time: no other writer exists.
        """
        return []

    async def write_exclusively(
        self,
        tenant_id: TenantId,
        after_key: str,
        decide: Callable[[list[StoredObject]], Collection[StoredObject]],
    ) -> None:
        """In one transaction that excludes every other exclusive writer of the tenant, in
        any process: read `changes_since(after_key)`, call `decide` with them, and upsert the
        objects it returns. `decide` runs synchronously inside the transaction."""
        await self.upsert(tenant_id, decide(await self.changes_since(tenant_id, after_key)))
