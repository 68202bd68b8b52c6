"""The admin overview (issue 15, "shared calling status"): per Shared Calling policy in use, its
resource account and number, how many people it reaches, open requests and open hazards.

Read-only, admins only. One snapshot of every account (the people counts need them all; the
effective policy of each, direct or through a group, is the domain's own resolution), the open
requests from the store, the open hazards from the watch. A card shows a page; the CSV has all.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sharedcalling.domain import names
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import NotPermitted
from sharedcalling.domain.ids import TenantId
from sharedcalling.domain.policy import AssignmentSource, effective_policy
from sharedcalling.domain.requests import LOCKING_STATES, ChangeRequest, RequestKind
from sharedcalling.domain.rules.model import Subject, SubjectKind
from sharedcalling.domain.tenant import GLOBAL_POLICY, PolicyType, TenantSnapshot
from sharedcalling.services.hazards.queries import open_hazards
from sharedcalling.services.ports import SnapshotScope, TenantReader
from sharedcalling.services.requests import find_requests
from sharedcalling.services.unit_of_work import UnitOfWorkFactory

PAGE_SIZE = 6
"""Policies per card page: each is a block of four facts; the card stays far below 28 KB."""
MAX_OPEN_REQUESTS = 1000
ADMINS_ONLY = "Only Shared Calling admins can see the Shared Calling status."
CSV_COLUMNS = (
    "policy",
    "resource_account",
    "resource_account_upn",
    "number",
    "users",
    "direct",
    "via_group",
    "by_default",
    "open_requests",
    "open_hazards",
    "hazard_codes",
)


@dataclass(frozen=True, slots=True)
class PolicyStatus:
    """One Shared Calling policy as the overview shows it."""

    name: str
    resource_account: str
    """The resource account's display name; `none` or its id when it is missing."""
    resource_account_upn: str
    number: str | None
    """The resource account's number (the shared caller ID), None when it has none."""
    direct: int
    via_group: int
    by_default: int = 0
    """People with no assignment whom the Global policy reaches (Global only)."""
    open_requests: tuple[str, ...] = ()
    """Ids of pending, approved and applying requests that target the policy."""
    hazard_codes: tuple[str, ...] = ()
    """Rule codes of its open hazards, one per hazard (severity first)."""

    @property
    def users(self) -> int:
        return self.direct + self.via_group + self.by_default

    @property
    def hazards(self) -> int:
        return len(self.hazard_codes)


@dataclass(frozen=True, slots=True)
class StatusOverview:
    policies: tuple[PolicyStatus, ...]
    people: int
    """Accounts read (resource accounts excluded): the base of the counts."""
    totals: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StatusPage:
    overview: StatusOverview
    page: int
    pages: int

    @property
    def policies(self) -> tuple[PolicyStatus, ...]:
        start = self.page * PAGE_SIZE
        return self.overview.policies[start : start + PAGE_SIZE]


def require_admin(asker: Principal, tenant_id: TenantId) -> None:
    if not asker.is_admin or not names.same(asker.tenant_id, tenant_id):
        raise NotPermitted(ADMINS_ONLY)


async def shared_calling_status(
    asker: Principal, *, tenant_id: TenantId, tenant: TenantReader, uow: UnitOfWorkFactory
) -> StatusOverview:
    """Every Shared Calling policy in use, by name; NotPermitted for anyone but an admin."""
    require_admin(asker, tenant_id)
    snapshot = await tenant.snapshot(SnapshotScope(all_users=True))
    requests = await find_requests(
        tenant_id, uow=uow, states=sorted(LOCKING_STATES), limit=MAX_OPEN_REQUESTS
    )
    hazards = await open_hazards(tenant_id, uow=uow)
    requested = _requests_by_policy(requests)
    hazard_codes: dict[str, list[str]] = {}
    for hazard in hazards:
        for name in _hazard_policies(hazard.policy_names, hazard.subject):
            hazard_codes.setdefault(names.policy_key(name), []).append(hazard.code)
    counts = await asyncio.to_thread(_count_people, snapshot)
    policies = tuple(
        _status(snapshot, name, counts, requested, hazard_codes) for name in _in_use(snapshot)
    )
    people = sum(1 for u in snapshot.users.values() if not u.is_resource_account)
    totals = {
        "users": sum(p.users for p in policies),
        "open_requests": len({r for p in policies for r in p.open_requests}),
        "open_hazards": sum(p.hazards for p in policies),
    }
    return StatusOverview(policies, people, totals)


def status_page(overview: StatusOverview, page: int) -> StatusPage:
    """Page `page` (0-based, clamped to the pages there are)."""
    pages = max(1, math.ceil(len(overview.policies) / PAGE_SIZE))
    return StatusPage(overview, min(max(0, page), pages - 1), pages)


def status_csv(overview: StatusOverview) -> str:
    """Every policy, one row each; cells a spreadsheet would run as a formula are quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in overview.policies:
        row: list[Any] = [
            p.name,
            p.resource_account,
            p.resource_account_upn,
            p.number or "",
            p.users,
            p.direct,
            p.via_group,
            p.by_default,
            " ".join(p.open_requests),
            p.hazards,
            " ".join(p.hazard_codes),
        ]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = str(value)
    # CSV injection: a leading =, +, - or @ makes spreadsheets evaluate the cell (numbers
    # start with +, so they read '+14255550100, as the audit export writes them).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _in_use(snapshot: TenantSnapshot) -> list[str]:
    """Every named policy, and Global only when it names a resource account (otherwise it
    means "no Shared Calling")."""
    found = [
        p.name
        for p in snapshot.shared_calling_policies.values()
        if not names.same(p.name, GLOBAL_POLICY) or p.resource_account_id
    ]
    return sorted(found, key=lambda n: (names.fold(n), n))


_SLOTS = {AssignmentSource.DIRECT: 0, AssignmentSource.GROUP: 1, AssignmentSource.GLOBAL: 2}


def _count_people(snapshot: TenantSnapshot) -> dict[str, tuple[int, int, int]]:
    """(direct, via group, by default) per policy key, from each account's effective policy
    as the domain resolves it (CPU only: run in a worker thread)."""
    counts: dict[str, list[int]] = {}
    for user in snapshot.users.values():
        if user.is_resource_account:
            continue
        effective = effective_policy(user, PolicyType.SHARED_CALLING, snapshot)
        slot = counts.setdefault(names.policy_key(effective.name), [0, 0, 0])
        slot[_SLOTS[effective.source]] += 1
    return {key: (a, b, c) for key, (a, b, c) in counts.items()}


def _status(
    snapshot: TenantSnapshot,
    name: str,
    counts: Mapping[str, tuple[int, int, int]],
    requested: Mapping[str, list[str]],
    hazard_codes: Mapping[str, list[str]],
) -> PolicyStatus:
    policy = snapshot.policy(PolicyType.SHARED_CALLING, name)
    key = names.policy_key(name)
    account_id = policy.resource_account_id if policy is not None else None
    account = snapshot.user(account_id) if account_id else None
    numbers = snapshot.numbers_of(account_id) if account_id else ()
    direct, via_group, by_default = counts.get(key, (0, 0, 0))
    return PolicyStatus(
        name=name,
        resource_account=account.display_name if account else (account_id or "none"),
        resource_account_upn=account.user_principal_name if account else "",
        number=numbers[0].telephone_number if numbers else None,
        direct=direct,
        via_group=via_group,
        by_default=by_default,
        open_requests=tuple(requested.get(key, ())),
        hazard_codes=tuple(hazard_codes.get(key, ())),
    )


def _requests_by_policy(requests: Iterable[ChangeRequest]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for request in sorted(requests, key=lambda r: (r.created_at, r.id)):
        for name in dict.fromkeys(names.policy_key(n) for n in _targets(request)):
            found.setdefault(name, []).append(request.id)
    return found


def _targets(request: ChangeRequest) -> list[str]:
    """The Shared Calling policies a request changes: its desired state's policy, or, for a
    revert, the policies its target changes name."""
    if request.kind is not RequestKind.REVERT:
        name = request.desired.get("policy_name")
        return [name] if isinstance(name, str) and name else []
    found = []
    for target in request.desired.get("targets", ()):
        if not isinstance(target, Mapping) or not str(target.get("kind", "")).startswith("scp."):
            continue
        policy = target.get("policy")
        for name in (
            target.get("policy_name"),
            target.get("before"),
            policy.get("name") if isinstance(policy, Mapping) else None,
        ):
            if isinstance(name, str) and name and not names.same(name, GLOBAL_POLICY):
                found.append(name)
    return found


def _hazard_policies(policy_names: Sequence[str], subject: Subject) -> list[str]:
    found = list(policy_names)
    if subject.kind is SubjectKind.POLICY:
        found.append(subject.id)
    return list(dict.fromkeys(names.policy_key(n) for n in found))
