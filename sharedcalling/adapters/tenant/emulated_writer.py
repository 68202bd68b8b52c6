"""StoreWriter: the emulated tenant's writes to its store, batched, and safe across processes.

Writes queue here; one flusher at a time takes the queue and, inside one store transaction that
excludes every other writer of the tenant (other bot replicas on the same database included):

1. applies the writes other processes committed since this one last looked (their write-log
   records name the objects they changed), so the next decisions see the tenant as it is;
2. decides each queued write against that state (the service's own validation);
3. commits every change with its write-log record.

A write returns once its batch is committed: what returned is durable. Reads first wait for
the batch in flight and pick up other processes' writes (at most every READ_SYNC_SECONDS), so
nobody reads an uncommitted change. When a commit fails, memory is reloaded from the store and
every write of the batch fails with the store's error.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sharedcalling.adapters.tenant.emulated_codec import KINDS, from_stored, to_stored
from sharedcalling.adapters.tenant.emulated_state import TenantState
from sharedcalling.adapters.tenant.emulated_writes import (
    WRITE_KIND,
    last_key,
    new_record,
    stored_record,
)
from sharedcalling.domain.ids import TenantId
from sharedcalling.services.ports import StoredObject, TenantError, TenantStateStore
from sharedcalling.services.write_tags import WriteTag, current_write_tag

READ_SYNC_SECONDS = 0.1
"""How stale a read may be about other processes' writes (writes are never stale)."""

Decide = Callable[[TenantState], list[Any]]


class StateHolder(Protocol):
    """The gateway whose memory the writer keeps in step with the store."""

    state: TenantState

    def state_changed(self) -> None: ...


@dataclass
class _Pending:
    operation: str
    arguments: dict[str, Any]
    decide: Decide
    tag: WriteTag | None
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class StoreWriter:
    def __init__(
        self, store: TenantStateStore, tenant_id: TenantId, holder: StateHolder, next_seq: int
    ) -> None:
        self._store, self._tenant_id, self._holder = store, tenant_id, holder
        self.next_seq = next_seq
        self._queue: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None
        self._synced_at = 0.0
        self.commits = 0

    async def write(self, operation: str, arguments: dict[str, Any], decide: Decide) -> None:
        """Queue one write and wait until it is committed (or refused, or failed)."""
        pending = _Pending(operation, arguments, decide, current_write_tag())
        self._queue.append(pending)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="emulated:writes")
        await pending.done

    async def before_read(self) -> None:
        await self.settled()
        if time.monotonic() - self._synced_at >= READ_SYNC_SECONDS:
            changes = await self._store.changes_since(self._tenant_id, last_key(self.next_seq))
            self._apply_foreign(changes)

    async def settled(self) -> None:
        flusher = self._flusher
        if flusher is not None and not flusher.done():
            await asyncio.shield(flusher)

    def reset(self) -> None:
        self.next_seq = 0

    async def _flush(self) -> None:
        while self._queue:
            await asyncio.sleep(0)  # let the writers that are ready join this batch
            batch, self._queue = self._queue, []
            outcomes: list[TenantError | None] = []
            try:
                await self._store.write_exclusively(
                    self._tenant_id,
                    last_key(self.next_seq),
                    functools.partial(self._decide, batch, outcomes),
                )
            except Exception as error:  # every write of the batch gets the store's error
                await self._reload()
                for pending in batch:
                    if not pending.done.done():
                        pending.done.set_exception(error)
                continue
            self.commits += 1
            for pending, outcome in zip(batch, outcomes, strict=True):
                if outcome is None:
                    pending.done.set_result(None)
                else:
                    pending.done.set_exception(outcome)

    def _decide(
        self,
        batch: list[_Pending],
        outcomes: list[TenantError | None],
        foreign: list[StoredObject],
    ) -> list[StoredObject]:
        """Inside the exclusive transaction: catch up with other processes, then decide."""
        self._apply_foreign(foreign)
        objects: list[StoredObject] = []
        for pending in batch:
            try:
                changed = pending.decide(self._holder.state)
            except TenantError as refused:  # the service refused it: nothing is written
                outcomes.append(refused)
                continue
            stored = [to_stored(o) for o in changed]
            record = new_record(
                self.next_seq, pending.operation, pending.arguments, stored, pending.tag
            )
            self.next_seq += 1
            if changed:
                self._holder.state.put(changed)
                self._holder.state_changed()
            objects += [*stored, stored_record(record)]
            outcomes.append(None)
        return objects

    def _apply_foreign(self, changes: list[StoredObject]) -> None:
        self._synced_at = time.monotonic()
        records = [c for c in changes if c.kind == WRITE_KIND]
        if not records:
            return
        objects = [from_stored(c) for c in changes if c.kind in KINDS]
        if objects:
            self._holder.state.put(objects)
            self._holder.state_changed()
        newest = max(int(r.document["seq"]) for r in records)
        self.next_seq = max(self.next_seq, newest + 1)

    async def _reload(self) -> None:
        stored = await self._store.load(self._tenant_id)
        self._holder.state = TenantState.of([from_stored(s) for s in stored if s.kind in KINDS])
        self._holder.state_changed()
        self.next_seq = sum(1 for s in stored if s.kind == WRITE_KIND)
