"""Use cases run_check and run_scheduled: one leased check of everything we set up.

One replica at a time: the check holds the `hazard-check` lease while it runs, renewing it
every third of its TTL, and a scheduled check that finds a check newer than its interval (run
by any replica) does nothing. A check that could not renew its lease (another replica took it
over) records nothing. A failed read records an UNKNOWN finding naming the call and the error,
never drift, and announces nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sharedcalling.domain.hazards import CheckResult, HazardState, Watchlist, evaluate
from sharedcalling.domain.hazards.record import Hazard, Reconciliation, read_failed, reconcile
from sharedcalling.domain.ids import GroupId, TenantId
from sharedcalling.services.apply.store import ApplyStore
from sharedcalling.services.hazard_store import CheckRecord
from sharedcalling.services.hazards.announce import announce, notification_key, retire_cards
from sharedcalling.services.hazards.presenter import HazardWatch
from sharedcalling.services.hazards.queries import severity_order
from sharedcalling.services.hazards.reads import SIZE_KEY, choose_scope, known_size
from sharedcalling.services.hazards.watchlist import load_watchlist
from sharedcalling.services.notifier import Notifier
from sharedcalling.services.numbering import derived_countries
from sharedcalling.services.ports import Clock, TenantError, TenantGateway
from sharedcalling.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

LEASE_NAME = "hazard-check"
DUE_FRACTION = 0.95
"""A scheduled check runs when the last one started at least this share of the interval ago,
so that the poll's jitter never skips a whole interval."""
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_hazard_id() -> str:
    return "HZ-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


@dataclass(frozen=True, slots=True)
class WatchPorts:
    """What the hazard use cases need, bound once by Services."""

    tenant_id: TenantId
    tenant: TenantGateway
    uow: UnitOfWorkFactory
    clock: Clock
    notifier: Notifier
    watch: HazardWatch
    admin_group_id: GroupId
    apply_store: ApplyStore
    """The apply jobs: which users' changes failed in a partially applied request."""


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What one call did. `ran` False: another replica holds the lease, none was due, or the
    check lost its lease while it ran (then it recorded nothing)."""

    ran: bool
    reason: str = ""
    record: CheckRecord | None = None
    opened: tuple[Hazard, ...] = ()
    closed: tuple[Hazard, ...] = ()
    open_hazards: tuple[Hazard, ...] = field(default=())
    announced: int = 0


@dataclass(slots=True)
class _Held:
    lost: bool = False
    """The lease could not be renewed: another replica may be checking now."""


LOST = CheckOutcome(False, "the check lost its lease to another replica; nothing recorded")


async def run_check(ports: WatchPorts, *, trigger: str) -> CheckOutcome:
    """Check now, unless another replica is checking (then `ran` is False)."""
    return await _leased(ports, trigger, due_only=False)


async def run_scheduled(ports: WatchPorts) -> CheckOutcome:
    """The background job's call: check when no replica checked within the interval."""
    return await _leased(ports, "schedule", due_only=True)


async def _leased(ports: WatchPorts, trigger: str, *, due_only: bool) -> CheckOutcome:
    owner, settings = ports.watch.owner, ports.watch.settings
    async with ports.uow() as work:
        taken = await work.leases.acquire(
            LEASE_NAME, owner, now=ports.clock.now(), ttl=settings.lease_ttl
        )
        await work.commit()
    if not taken:
        return CheckOutcome(False, "another replica is checking right now")
    held = _Held()
    heartbeat = asyncio.create_task(_renew(ports, held))
    try:
        # Read under the lease: a replica that checked a moment ago has recorded it by now.
        if due_only and not await _due(ports):
            return CheckOutcome(False, "checked recently")
        return await _check(ports, trigger, held)
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat
        async with ports.uow() as work:
            await work.leases.release(LEASE_NAME, owner)
            await work.commit()


async def _renew(ports: WatchPorts, held: _Held) -> None:
    """Renew the lease every third of its TTL while the check runs (a slow read, a big
    evaluation), so that no other replica starts a check meanwhile."""
    owner, ttl = ports.watch.owner, ports.watch.settings.lease_ttl
    while True:
        await asyncio.sleep(ttl / 3)
        try:
            async with ports.uow() as work:
                kept = await work.leases.acquire(LEASE_NAME, owner, now=ports.clock.now(), ttl=ttl)
                await work.commit()
        except Exception:  # a database hiccup: try again; the lease outlives two misses
            logger.exception("Could not renew the hazard check's lease")
            continue
        if not kept:
            logger.warning("The hazard check lost its lease to another replica")
            held.lost = True
            return


async def _due(ports: WatchPorts) -> bool:
    async with ports.uow() as work:
        latest = await work.hazards.checks(ports.tenant_id, limit=1)
    if not latest:
        return True
    elapsed = (ports.clock.now() - latest[0].started_at).total_seconds()
    return elapsed >= ports.watch.settings.interval * DUE_FRACTION


async def _check(ports: WatchPorts, trigger: str, held: _Held) -> CheckOutcome:
    started = ports.clock.now()
    watchlist = await load_watchlist(ports.tenant_id, uow=ports.uow, apply_store=ports.apply_store)
    async with ports.uow() as work:
        reachable = await work.hazards.reachable_people(ports.tenant_id)
        latest = await work.hazards.checks(ports.tenant_id, limit=1)
    size = known_size(latest[0].summary) if latest else None
    scope = choose_scope(
        list(dict.fromkeys([*watchlist.user_ids, *reachable])),
        tenant_accounts=size,
        full_read_from=ports.watch.settings.full_read_from,
    )
    read = _Read(scope.all_users, size)
    try:
        snapshot = await ports.tenant.snapshot(scope)
    except TenantError as error:
        if held.lost:
            return LOST
        return await _unreadable(ports, trigger, started, read, watchlist, error)
    if scope.all_users:
        read = _Read(True, len(snapshot.users))
    # Pure and CPU-bound (seconds for 10,000 users): off the event loop, so turns go on.
    countries = derived_countries(snapshot)
    result = await asyncio.to_thread(evaluate, watchlist, snapshot, number_countries=countries)
    if held.lost:
        return LOST
    outcome = await _record(ports, trigger, started, read, watchlist, result)
    # Records keep the first 5,000 affected users; telling people uses the check's full list.
    affected = {o.key: o.affected_user_ids for o in result.observations}
    announced = await announce(ports, outcome.open_hazards, snapshot, reachable, affected)
    await retire_cards(ports, outcome.closed)
    _log(outcome)
    return _with(outcome, announced=announced)


def _with(outcome: CheckOutcome, *, announced: int) -> CheckOutcome:
    return CheckOutcome(
        True, "", outcome.record, outcome.opened, outcome.closed, outcome.open_hazards, announced
    )


def _log(outcome: CheckOutcome) -> None:
    logger.info(
        "Hazard check: %d open (%d new, %d closed)",
        len(outcome.open_hazards),
        len(outcome.opened),
        len(outcome.closed),
    )


@dataclass(frozen=True, slots=True)
class _Read:
    all_users: bool
    tenant_accounts: int | None
    """Accounts of the latest all-users read (this one's, or carried from the last check)."""


def _summary(
    read: _Read, watchlist: Watchlist, open_hazards: tuple[Hazard, ...]
) -> dict[str, object]:
    drifted = [h for h in open_hazards if h.state is HazardState.DRIFTED]
    summary: dict[str, object] = {
        "policies": len(watchlist.policies),
        "users": len(watchlist.users),
        "hazards": sum(1 for h in drifted if h.hazard_class.is_hazard),
        "warnings": sum(1 for h in drifted if not h.hazard_class.is_hazard),
        "unknown": sum(1 for h in open_hazards if h.state is HazardState.UNKNOWN),
        "read": "all users" if read.all_users else "scoped",
    }
    if read.tenant_accounts is not None:
        summary[SIZE_KEY] = read.tenant_accounts
    return summary


async def _record(
    ports: WatchPorts,
    trigger: str,
    started: datetime,
    read: _Read,
    watchlist: Watchlist,
    result: CheckResult,
) -> CheckOutcome:
    now = ports.clock.now()
    async with ports.uow() as work:
        open_before = await work.hazards.open_hazards(ports.tenant_id)
        previous = await work.hazards.facts(ports.tenant_id)
        changes = reconcile(
            ports.tenant_id, open_before, result, previous, at=now, new_id=new_hazard_id
        )
        await _store(work, ports.tenant_id, changes, now)
        seen = {k: v for k, v in result.facts.items() if previous.get(k) != dict(v)}
        await work.hazards.put_facts(ports.tenant_id, seen, now)
        open_now = tuple(severity_order(await work.hazards.open_hazards(ports.tenant_id)))
        record = _check_record(ports, trigger, started, "ok", _summary(read, watchlist, open_now))
        await work.hazards.add_check(record)
        await work.commit()
    return CheckOutcome(True, "", record, changes.opened, changes.closed, open_now)


async def _store(
    work: UnitOfWork, tenant_id: TenantId, changes: Reconciliation, at: datetime
) -> None:
    await work.hazards.add(changes.opened)
    await work.hazards.update([*changes.changed, *changes.closed])
    await work.hazards.touch(tenant_id, changes.seen, at)
    for hazard in changes.closed:
        # Gone: the same cause coming back later is a new hazard, announced again.
        await work.notifications.forget(tenant_id, notification_key(hazard))


def _check_record(
    ports: WatchPorts, trigger: str, started: datetime, outcome: str, summary: dict[str, object]
) -> CheckRecord:
    return CheckRecord(
        id=f"{started.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}",
        tenant_id=ports.tenant_id,
        trigger=trigger,
        owner=ports.watch.owner,
        started_at=started,
        finished_at=ports.clock.now(),
        outcome=outcome,
        summary=summary,
    )


async def _unreadable(
    ports: WatchPorts,
    trigger: str,
    started: datetime,
    read: _Read,
    watchlist: Watchlist,
    error: TenantError,
) -> CheckOutcome:
    operation = error.operation or "snapshot"
    detail = f"{type(error).__name__}: {error}"
    if error.request_id:
        detail += f" (request id {error.request_id})"
    # The log names the call and the error type; the message (which may hold tenant data)
    # goes to the finding the admins see.
    logger.warning(
        "Hazard check could not read the tenant (%s): %s, request id %s",
        operation,
        type(error).__name__,
        error.request_id,
    )
    now = ports.clock.now()
    async with ports.uow() as work:
        open_before = await work.hazards.open_hazards(ports.tenant_id)
        changes = read_failed(
            ports.tenant_id, open_before, operation=operation, error=detail, at=now,
            new_id=new_hazard_id,
        )  # fmt: skip
        await _store(work, ports.tenant_id, changes, now)
        open_now = tuple(severity_order(await work.hazards.open_hazards(ports.tenant_id)))
        summary = {**_summary(read, watchlist, open_now), "operation": operation, "error": detail}
        record = _check_record(ports, trigger, started, "unknown", summary)
        await work.hazards.add_check(record)
        await work.commit()
    return CheckOutcome(True, "", record, changes.opened, (), open_now)
