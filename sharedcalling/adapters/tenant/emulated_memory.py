"""An in-memory TenantStateStore: the emulated tenant's state for tests and throwaway runs."""

from __future__ import annotations

import copy
from collections.abc import Collection

from sharedcalling.domain.ids import TenantId
from sharedcalling.services.ports import StoredObject, TenantStateStore


class InMemoryTenantStateStore(TenantStateStore):
    """Keeps stored objects in a dict per tenant; survives a gateway reopen, not a process."""

    def __init__(self) -> None:
        self._tenants: dict[str, dict[tuple[str, str], StoredObject]] = {}
        self.upserts = 0
        """How many upsert calls were made (lets tests see that a no-op wrote nothing)."""

    async def load(self, tenant_id: TenantId) -> list[StoredObject]:
        # Copies out as well as in: the stored documents are the store's alone.
        return [_copy(o) for o in self._tenants.get(tenant_id, {}).values()]

    async def upsert(self, tenant_id: TenantId, objects: Collection[StoredObject]) -> None:
        self.upserts += 1
        table = self._tenants.setdefault(tenant_id, {})
        # Copy documents so a caller mutating its dict cannot change what was stored.
        table.update({(o.kind, o.key): _copy(o) for o in objects})

    async def remove(self, tenant_id: TenantId, keys: Collection[tuple[str, str]]) -> None:
        table = self._tenants.get(tenant_id, {})
        for key in keys:
            table.pop(key, None)

    async def clear(self, tenant_id: TenantId) -> None:
        self._tenants.pop(tenant_id, None)


def _copy(stored: StoredObject) -> StoredObject:
    return StoredObject(stored.kind, stored.key, copy.deepcopy(dict(stored.document)))
