"""The read side of the hazard watch: open hazards a page at a time, the latest check, and
the monitoring verdict (exit codes of `python -m sharedcalling check`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from sharedcalling.domain import names
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import NotPermitted
from sharedcalling.domain.hazards import HazardState
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.domain.ids import TenantId
from sharedcalling.services.hazard_store import CheckRecord
from sharedcalling.services.unit_of_work import UnitOfWorkFactory

PAGE_SIZE = 5
"""Hazards per card page: each shows its facts and a button, and the card stays well small."""

ADMINS_ONLY = "Only admins can see and check hazards."


class Verdict(IntEnum):
    """Monitoring exit codes, as Nagios-style checks use them."""

    NONE = 0
    WARNINGS = 1
    HAZARDS = 2
    UNKNOWN = 3
    """Something cannot be told (a failed read, a fact the backend does not report), and no
    hazard is known: never reported as fine."""


def severity_order(hazards: Sequence[Hazard]) -> list[Hazard]:
    """Emergency, outbound broken, caller ID, warnings; drift before doubt; oldest first."""
    return sorted(
        hazards,
        key=lambda h: (h.hazard_class.rank, h.state is HazardState.UNKNOWN, h.first_seen, h.key),
    )


def verdict(open_hazards: Sequence[Hazard]) -> Verdict:
    drifted = [h for h in open_hazards if h.state is HazardState.DRIFTED]
    if any(h.hazard_class.is_hazard for h in drifted):
        return Verdict.HAZARDS
    if any(h.state is HazardState.UNKNOWN for h in open_hazards):
        return Verdict.UNKNOWN
    return Verdict.WARNINGS if drifted else Verdict.NONE


@dataclass(frozen=True, slots=True)
class HazardPage:
    hazards: tuple[Hazard, ...]
    page: int
    pages: int
    total: int
    counts: dict[str, int]
    """`hazards`, `warnings`, `unknown` among every open one."""
    last_check: CheckRecord | None


def require_admin(asker: Principal, tenant_id: TenantId) -> None:
    if not asker.is_admin or not names.same(asker.tenant_id, tenant_id):
        raise NotPermitted(ADMINS_ONLY)


def counts_of(open_hazards: Sequence[Hazard]) -> dict[str, int]:
    drifted = [h for h in open_hazards if h.state is HazardState.DRIFTED]
    return {
        "hazards": sum(1 for h in drifted if h.hazard_class.is_hazard),
        "warnings": sum(1 for h in drifted if not h.hazard_class.is_hazard),
        "unknown": sum(1 for h in open_hazards if h.state is HazardState.UNKNOWN),
    }


async def open_hazards(tenant_id: TenantId, *, uow: UnitOfWorkFactory) -> list[Hazard]:
    async with uow() as work:
        return severity_order(await work.hazards.open_hazards(tenant_id))


async def latest_check(tenant_id: TenantId, *, uow: UnitOfWorkFactory) -> CheckRecord | None:
    async with uow() as work:
        latest = await work.hazards.checks(tenant_id, limit=1)
    return latest[0] if latest else None


async def hazard_page(
    asker: Principal, page: int, *, tenant_id: TenantId, uow: UnitOfWorkFactory
) -> HazardPage:
    """Open hazards, severity first, `PAGE_SIZE` a page (a page past the end shows the last);
    admins only."""
    require_admin(asker, tenant_id)
    every = await open_hazards(tenant_id, uow=uow)
    pages = max(1, math.ceil(len(every) / PAGE_SIZE))
    shown = min(max(0, page), pages - 1)
    chunk = every[shown * PAGE_SIZE : (shown + 1) * PAGE_SIZE]
    return HazardPage(
        tuple(chunk),
        shown,
        pages,
        len(every),
        counts_of(every),
        await latest_check(tenant_id, uow=uow),
    )
