"""EmulatedTenantGateway: a stateful demo tenant that validates writes like the real service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from typing import Any

from sharedcalling.adapters.tenant import emulated_rules as rules
from sharedcalling.adapters.tenant import emulated_shared_calling as shared_calling
from sharedcalling.adapters.tenant.counted import count_port_calls
from sharedcalling.adapters.tenant.emulated_codec import KINDS, TenantInfo, from_stored, to_stored
from sharedcalling.adapters.tenant.emulated_faults import Faults
from sharedcalling.adapters.tenant.emulated_reads import ScopedSnapshots
from sharedcalling.adapters.tenant.emulated_seed import seed_identity, seed_objects, seed_tenant_id
from sharedcalling.adapters.tenant.emulated_state import TenantState
from sharedcalling.adapters.tenant.emulated_writer import StoreWriter
from sharedcalling.adapters.tenant.emulated_writes import (
    WRITE_KIND,
    WriteRecord,
    new_record,
    write_log_of,
)
from sharedcalling.domain import names
from sharedcalling.domain.ids import GroupId, TenantId, UserId
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
from sharedcalling.services.ports import (
    SnapshotScope,
    TenantGateway,
    TenantNotFound,
    TenantStateStore,
)
from sharedcalling.services.write_tags import current_write_tag

logger = logging.getLogger(__name__)

DEFAULT_SEED = "contoso"


@count_port_calls("emulated")  # every port call counted for /metrics (counted.py)
class EmulatedTenantGateway(TenantGateway):
    """A Teams tenant in memory, optionally written through to a TenantStateStore.

    Writes are checked by `emulated_rules` (the service's own rules and error messages), are
    idempotent, and run one at a time. `faults` injects throttling, delays and failures.
    """

    def __init__(
        self,
        state: TenantState,
        *,
        tenant_id: TenantId,
        seed: str = DEFAULT_SEED,
        store: TenantStateStore | None = None,
        faults: Faults | None = None,
        writes_logged: int = 0,
    ) -> None:
        self.tenant_id = tenant_id
        self.seed = seed
        self.faults = faults if faults is not None else Faults()
        self._state = state
        self._store = store
        self._scoped: ScopedSnapshots | None = None
        # One writer at a time: validate, persist and apply must not interleave.
        self._lock = asyncio.Lock()
        self._next_write = writes_logged
        self._memory_log: list[WriteRecord] = []
        self._writer = StoreWriter(store, tenant_id, self, writes_logged) if store else None

    @property
    def state(self) -> TenantState:
        return self._state

    @state.setter
    def state(self, value: TenantState) -> None:
        self._state = value

    def state_changed(self) -> None:
        """Drop what is derived from the state (the scoped snapshot base)."""
        self._scoped = None

    @classmethod
    def seeded(
        cls,
        seed: str = DEFAULT_SEED,
        *,
        tenant_id: str | None = None,
        faults: Faults | None = None,
    ) -> EmulatedTenantGateway:
        """A fresh in-memory tenant from a seed, without a store (for tests)."""
        return cls(
            TenantState.of(seed_objects(seed)),
            tenant_id=TenantId(tenant_id or seed_tenant_id(seed)),
            seed=seed,
            faults=faults,
        )

    @classmethod
    def from_snapshot(
        cls, snapshot: TenantSnapshot, *, faults: Faults | None = None
    ) -> EmulatedTenantGateway:
        """An in-memory tenant holding exactly the objects of a snapshot (for property tests).

        It has no emergency locations, so `set_number_location` refuses every location id.
        """
        objects: list[Any] = [
            *snapshot.users.values(),
            *snapshot.numbers.values(),
            *snapshot.groups.values(),
            *snapshot.group_assignments,
            *snapshot.shared_calling_policies.values(),
            *snapshot.voice_routing_policies.values(),
            *snapshot.emergency_call_routing_policies.values(),
            *snapshot.calling_line_identity_policies.values(),
            *snapshot.associations,
            *snapshot.subscribed_skus,
            *snapshot.network_sites,
            TenantInfo(cloud=snapshot.cloud),
        ]
        return cls(TenantState.of(objects), tenant_id=snapshot.tenant_id, faults=faults)

    @classmethod
    async def open(
        cls,
        store: TenantStateStore,
        tenant_id: str | None = None,
        seed: str = DEFAULT_SEED,
        *,
        faults: Faults | None = None,
    ) -> EmulatedTenantGateway:
        """The tenant as the store holds it, seeding the store first when it is empty.

        `seed` is a shipped seed's name or a tenant file's path. The store is seeded again when
        it holds another seed's tenant (a changed tenant file, or a switch between seeds), so
        a what-if run never answers from a stale copy.
        """
        tid = TenantId(tenant_id or seed_tenant_id(seed))
        stored = await store.load(tid)
        objects = [from_stored(s) for s in stored if s.kind in KINDS]
        if not stored or _seeded_from(objects) != seed_identity(seed):
            logger.info("Seeding emulated tenant %s from seed %s", tid, seed)
            objects = seed_objects(seed)
            if stored:
                await store.clear(tid)
            await store.upsert(tid, [to_stored(o) for o in objects])
            stored = []
        logged = sum(1 for s in stored if s.kind == WRITE_KIND)
        return cls(
            TenantState.of(objects),
            tenant_id=tid,
            seed=seed,
            store=store,
            faults=faults,
            writes_logged=logged,
        )

    async def reset(self) -> None:
        """Put the seed back: every change since seeding is discarded, in the store too."""
        if self._writer is not None:
            await self._writer.settled()
        async with self._lock:
            objects = seed_objects(self.seed)
            if self._store is not None:
                await self._store.clear(self.tenant_id)
                await self._store.upsert(self.tenant_id, [to_stored(o) for o in objects])
            self._state = TenantState.of(objects)
            self._scoped = None
            self._next_write = 0
            self._memory_log.clear()
            if self._writer is not None:
                self._writer.reset()
        logger.info("Emulated tenant %s reset to seed %s", self.tenant_id, self.seed)

    # ------------------------------------------------------------------------------ reads

    async def _read(self, operation: str) -> None:
        """Faults first; then wait for writes being committed and pick up other processes'."""
        await self.faults.before(operation)
        if self._writer is not None:
            await self._writer.before_read()

    async def get_user(self, key: str) -> User:
        await self._read("get_user")
        return rules.require_user(self._state, key, "get_user")

    async def search_users(self, text: str, *, limit: int = 25) -> list[User]:
        await self._read("search_users")
        return self._state.search(names.fold(text), max(0, limit))

    async def list_resource_accounts(self) -> list[User]:
        await self._read("list_resource_accounts")
        accounts = [u for u in self._state.users.values() if u.is_resource_account]
        return sorted(accounts, key=lambda u: names.fold(u.user_principal_name))

    async def get_group(self, group_id: GroupId) -> Group:
        await self._read("get_group")
        group = self._state.groups.get(names.fold(group_id))
        if group is None:
            raise TenantNotFound(f'Group "{group_id}" was not found.', operation="get_group")
        return group

    async def list_numbers(self) -> list[PhoneNumber]:
        await self._read("list_numbers")
        return [self._state.numbers[k] for k in sorted(self._state.numbers)]

    async def list_emergency_locations(self) -> list[EmergencyLocation] | None:
        await self.faults.before("list_emergency_locations")
        locations = self._state.locations.values()
        return sorted(locations, key=lambda loc: (names.fold(loc.description), loc.id))

    async def list_teams_admins(self) -> list[UserId] | None:
        await self._read("list_teams_admins")
        holders = (u for u in self._state.users.values() if u.holds_teams_admin_role)
        return sorted(UserId(names.fold(u.id)) for u in holders)

    async def snapshot(self, scope: SnapshotScope) -> TenantSnapshot:
        await self._read("snapshot")
        if scope.all_users:
            return self._state.snapshot(self.tenant_id, (), all_users=True)
        if self._scoped is None:
            self._scoped = ScopedSnapshots(self._state, self.tenant_id)
        return self._scoped.of(self._state, scope.user_ids)

    # ------------------------------------------------------------------------------ writes

    async def set_enterprise_voice(self, user_id: UserId, enabled: bool) -> None:
        await self._write(
            "set_enterprise_voice",
            lambda s: rules.enterprise_voice(s, user_id, enabled),
            {"user_id": user_id, "enabled": enabled},
        )

    async def set_number_location(self, telephone_number: str, location_id: str) -> None:
        await self._write(
            "set_number_location",
            lambda s: rules.number_location(s, telephone_number, location_id),
            {"telephone_number": telephone_number, "location_id": location_id},
        )

    async def grant_policy(
        self, policy_type: PolicyType, user_id: UserId, policy_name: str | None
    ) -> None:
        await self._write(
            "grant_policy",
            lambda s: rules.grant(s, policy_type, user_id, policy_name),
            {"user_id": user_id, "policy_type": policy_type.value, "policy_name": policy_name},
        )

    async def grant_group_policy(
        self, policy_type: PolicyType, group_id: GroupId, policy_name: str, rank: int
    ) -> None:
        await self._write(
            "grant_group_policy",
            lambda s: rules.grant_group(s, policy_type, group_id, policy_name, rank),
            {
                "group_id": group_id,
                "policy_type": policy_type.value,
                "policy_name": policy_name,
                "rank": rank,
            },
        )

    async def create_voice_routing_policy(self, policy: VoiceRoutingPolicy) -> None:
        # Usage order is route priority, so it is compared as a sequence.
        await self._write(
            "create_voice_routing_policy",
            lambda s: rules.create_policy(
                s, PolicyType.VOICE_ROUTING, policy, lambda a, b: a.pstn_usages == b.pstn_usages
            ),
            {"name": policy.name},
        )

    async def create_emergency_call_routing_policy(
        self, policy: EmergencyCallRoutingPolicy
    ) -> None:
        await self._write(
            "create_emergency_call_routing_policy",
            lambda s: rules.create_policy(
                s, PolicyType.EMERGENCY_CALL_ROUTING, policy, _same_emergency_routing
            ),
            {"name": policy.name},
        )

    async def create_calling_line_identity_policy(self, policy: CallingLineIdentityPolicy) -> None:
        await self._write(
            "create_calling_line_identity_policy",
            lambda s: rules.create_policy(
                s, PolicyType.CALLING_LINE_IDENTITY, policy, _same_caller_id
            ),
            {"name": policy.name},
        )

    async def create_shared_calling_policy(self, policy: SharedCallingPolicy) -> None:
        await self._write(
            "create_shared_calling_policy",
            lambda s: shared_calling.create_policy(s, policy),
            {"name": policy.name},
        )

    async def update_shared_calling_numbers(
        self, policy_name: str, *, add: Collection[str] = (), remove: Collection[str] = ()
    ) -> None:
        await self._write(
            "update_shared_calling_numbers",
            lambda s: shared_calling.update_numbers(s, policy_name, add, remove),
            {"name": policy_name, "add": list(add), "remove": list(remove)},
        )

    async def write_log(self) -> list[WriteRecord]:
        """Every write accepted since seeding, oldest first (see emulated_writes)."""
        if self._writer is None or self._store is None:
            return list(self._memory_log)
        await self._writer.settled()
        return write_log_of(await self._store.load(self.tenant_id))

    async def _write(
        self,
        operation: str,
        decide: Callable[[TenantState], list[Any]],
        arguments: dict[str, Any],
    ) -> None:
        # The first argument names the object written: a fault can be aimed at it.
        await self.faults.before(operation, str(next(iter(arguments.values()))))
        if self._writer is not None:
            # Durable when it returns, decided against every process's writes (StoreWriter).
            await self._writer.write(operation, arguments, decide)
            return
        async with self._lock:
            changed = decide(self._state)
            stored = [to_stored(o) for o in changed]
            self._memory_log.append(
                new_record(self._next_write, operation, arguments, stored, current_write_tag())
            )
            self._next_write += 1
            if changed:
                self._scoped = None
                self._state.put(changed)


def _seeded_from(objects: list[Any]) -> str:
    """The identity of the seed a stored state came from; states stored before seeds were
    remembered came from the default seed."""
    info = next((o for o in objects if isinstance(o, TenantInfo)), None)
    return info.seed if info is not None and info.seed else DEFAULT_SEED


def _same_emergency_routing(a: EmergencyCallRoutingPolicy, b: EmergencyCallRoutingPolicy) -> bool:
    return (
        set(a.emergency_numbers) == set(b.emergency_numbers)
        and a.enhanced_emergency_services == b.enhanced_emergency_services
    )


def _same_caller_id(a: CallingLineIdentityPolicy, b: CallingLineIdentityPolicy) -> bool:
    return (
        a.substitute is b.substitute
        and names.same(a.resource_account_id or "", b.resource_account_id or "")
        and a.enable_user_override == b.enable_user_override
        and (a.company_name or "") == (b.company_name or "")
    )
