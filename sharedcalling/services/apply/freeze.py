"""The change freeze: an admin pauses every apply; it holds across restarts and replicas.

The switch is a control flag in the database. A running job asks the FreezeGate before each
change it writes, so it stops at the next change boundary: what is being written finishes,
nothing new starts. Workers lease no job while the freeze holds. Both switches are audited.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sharedcalling import correlation
from sharedcalling.domain.audit import AuditFacts, AuditOutcome
from sharedcalling.domain.errors import NotPermitted
from sharedcalling.domain.ids import TenantId
from sharedcalling.domain.requests import Actor
from sharedcalling.services.apply.store import ApplyStore
from sharedcalling.services.ports import Clock
from sharedcalling.services.unit_of_work import UnitOfWorkFactory

FREEZE_FLAG = "apply_freeze"
FREEZE_EVENT, RESUME_EVENT = "apply.freeze", "apply.resume"
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class FreezeState:
    frozen: bool
    reason: str = ""
    by: str = ""
    at: datetime | None = None


async def freeze_state(store: ApplyStore, tenant_id: TenantId) -> FreezeState:
    flag = await store.get_flag(tenant_id, FREEZE_FLAG)
    if flag is None:
        return FreezeState(False)
    value = flag.value
    return FreezeState(
        bool(value.get("frozen")),
        str(value.get("reason") or ""),
        str(value.get("by_name") or flag.updated_by),
        flag.updated_at,
    )


class FreezeGate:
    """Whether applies are frozen, read from the database at most every `max_age` seconds;
    concurrent askers share one read."""

    def __init__(
        self,
        store: ApplyStore,
        tenant_id: TenantId,
        *,
        max_age: float = 0.1,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store, self._tenant_id = store, tenant_id
        self._max_age, self._monotonic = max_age, monotonic
        self._read_at: float | None = None
        self._frozen = False
        self._lock = asyncio.Lock()

    async def frozen(self, *, fresh: bool = False) -> bool:
        """`fresh` reads the database now (before a job starts); otherwise a read at most
        `max_age` old serves (before each change a running job writes)."""
        if fresh:
            self._read_at = None
        if self._fresh():
            return self._frozen
        async with self._lock:
            if not self._fresh():
                self._frozen = (await freeze_state(self._store, self._tenant_id)).frozen
                self._read_at = self._monotonic()
        return self._frozen

    def forget(self) -> None:
        """The switch was just set in this process: the next question reads it."""
        self._read_at = None

    def _fresh(self) -> bool:
        return self._read_at is not None and self._monotonic() - self._read_at < self._max_age


async def set_freeze(
    actor: Actor,
    frozen: bool,
    reason: str = "",
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> FreezeState:
    """Freeze or resume every apply of the actor's tenant; admins only (NotPermitted)."""
    if not actor.is_admin:
        raise NotPermitted("Only admins can freeze or resume applying changes.")
    now, reason = clock.now(), " ".join(reason.split())[:MAX_REASON]
    value = {"frozen": frozen, "reason": reason, "by_name": actor.name}
    facts = AuditFacts(
        at=now,
        actor_id=actor.id,
        actor_name=actor.name,
        event=FREEZE_EVENT if frozen else RESUME_EVENT,
        outcome=AuditOutcome.NOTE,
        reason=reason,
        details={"frozen": frozen},
        correlation_id=None if correlation.current() == "-" else correlation.current(),
    )
    async with uow() as work:  # the switch and its audit entry commit together
        await work.flags.set(actor.tenant_id, FREEZE_FLAG, value, actor.id, now)
        await work.audit.append(actor.tenant_id, facts)
        await work.commit()
    return FreezeState(frozen, reason, actor.name, now)
