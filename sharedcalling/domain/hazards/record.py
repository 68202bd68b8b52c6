"""Hazards as the bot keeps them: one record per finding, opened, seen again, and closed.

`reconcile()` turns a check's observations into record changes, purely: a new observation opens
a record (with what changed since the previous check), one seen again refreshes its last-seen
time, and an open record the check no longer finds is closed, never deleted. A failed read
changes no drift record; it opens (or refreshes) the one UNKNOWN record of the read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sharedcalling.domain.hazards.facts import Change, changed_facts
from sharedcalling.domain.hazards.model import (
    READ_FAILURE_CODE,
    CheckResult,
    Facts,
    HazardClass,
    HazardState,
    Observation,
    subject_key,
)
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.rules.model import Subject, SubjectKind

MAX_STORED_USERS = 5000
"""Affected users kept on a record (a plan's limit); the count is always exact."""

READ_KEY = f"{READ_FAILURE_CODE}|tenant"
_TENANT = Subject(SubjectKind.TENANT, "tenant", "the tenant")


@dataclass(frozen=True, slots=True)
class Hazard:
    """One finding with its history. `state` OK means closed (`closed_at` is set)."""

    id: str
    tenant_id: TenantId
    key: str
    code: str
    state: HazardState
    hazard_class: HazardClass
    subject: Subject
    message: str
    expected: str
    observed: str
    first_seen: datetime
    last_seen: datetime
    changes: tuple[Change, ...] = ()
    """(fact, before, after) between the last check that saw it as set up and the first that
    did not; empty when no earlier check recorded that subject."""
    facts: Facts | None = None
    policy_names: tuple[str, ...] = ()
    request_ids: tuple[RequestId, ...] = ()
    affected_user_ids: tuple[UserId, ...] = ()
    affected_count: int = 0
    closed_at: datetime | None = None
    resolution: str = ""
    announced_at: datetime | None = None
    deliveries: tuple[tuple[str, str], ...] = ()
    """(conversation id, activity id) of every card announcing it, to update on close."""
    fix_request_id: RequestId | None = None
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_read_failure(self) -> bool:
        return self.code == READ_FAILURE_CODE


@dataclass(frozen=True, slots=True)
class Reconciliation:
    opened: tuple[Hazard, ...] = ()
    changed: tuple[Hazard, ...] = ()
    """Open records whose content changed (state, message, affected users, ...)."""
    seen: tuple[str, ...] = ()
    """Ids of open records seen again unchanged: only their last-seen time moves."""
    closed: tuple[Hazard, ...] = ()


def _content(observation: Observation) -> dict[str, object]:
    users = observation.affected_user_ids
    return {
        "code": observation.code,
        "state": observation.state,
        "hazard_class": observation.hazard_class,
        "subject": observation.subject,
        "message": observation.message,
        "expected": observation.expected,
        "observed": observation.observed,
        "facts": dict(observation.facts),
        "policy_names": observation.policy_names,
        "request_ids": observation.request_ids,
        "affected_user_ids": users[:MAX_STORED_USERS],
        "affected_count": len(users),
    }


def _open(
    tenant_id: TenantId,
    observation: Observation,
    previous: Mapping[str, Facts],
    at: datetime,
    new_id: Callable[[], str],
) -> Hazard:
    before = previous.get(subject_key(observation.subject))
    return Hazard(
        id=new_id(),
        tenant_id=tenant_id,
        key=observation.key,
        first_seen=at,
        last_seen=at,
        changes=changed_facts(before, observation.facts),
        **_content(observation),  # type: ignore[arg-type]
    )


def _seen_again(hazard: Hazard, observation: Observation, at: datetime) -> Hazard:
    return replace(hazard, last_seen=at, **_content(observation))  # type: ignore[arg-type]


def reconcile(
    tenant_id: TenantId,
    open_hazards: Collection[Hazard],
    result: CheckResult,
    previous_facts: Mapping[str, Facts],
    *,
    at: datetime,
    new_id: Callable[[], str],
) -> Reconciliation:
    """What a successful check does to the records: open, refresh, close."""
    by_key = {h.key: h for h in open_hazards}
    opened, changed, seen = [], [], []
    for observation in result.observations:
        existing = by_key.pop(observation.key, None)
        if existing is None:
            opened.append(_open(tenant_id, observation, previous_facts, at, new_id))
            continue
        again = _seen_again(existing, observation, at)
        if replace(again, last_seen=existing.last_seen) == existing:
            seen.append(existing.id)
        else:
            changed.append(again)
    closed = [_closed(h, result, at) for h in by_key.values()]
    return Reconciliation(tuple(opened), tuple(changed), tuple(seen), tuple(closed))


def _closed(hazard: Hazard, result: CheckResult, at: datetime) -> Hazard:
    if hazard.is_read_failure:
        why = "the tenant could be read again"
    elif subject_key(hazard.subject) in result.facts:
        why = "the check found it as set up again"
    else:
        why = "no applied request of ours sets it up any more"
    return replace(hazard, state=HazardState.OK, closed_at=at, last_seen=at, resolution=why)


def read_failed(
    tenant_id: TenantId,
    open_hazards: Collection[Hazard],
    *,
    operation: str,
    error: str,
    at: datetime,
    new_id: Callable[[], str],
) -> Reconciliation:
    """A check that could not read the tenant: drift records stay as they are (not confirmed,
    not closed); the read's own UNKNOWN record says which call failed and how."""
    message = f"Could not read the tenant ({operation}): {error}"
    existing = next((h for h in open_hazards if h.key == READ_KEY), None)
    if existing is not None:
        again = replace(existing, last_seen=at, message=message, observed=message)
        return Reconciliation(changed=(again,))
    record = Hazard(
        id=new_id(),
        tenant_id=tenant_id,
        key=READ_KEY,
        code=READ_FAILURE_CODE,
        state=HazardState.UNKNOWN,
        hazard_class=HazardClass.WARNING,
        subject=_TENANT,
        message=message,
        expected="the tenant answers the check's read",
        observed=message,
        first_seen=at,
        last_seen=at,
    )
    return Reconciliation(opened=(record,))
