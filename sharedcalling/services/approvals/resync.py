"""Card copies catch up: the `approval.resync` job updates copies behind their request.

A decision (or an expiry) is committed first and its copies are updated after; a process that
dies in between, or a connector that fails an update, leaves copies showing an older version
(Approve and Reject on a decided request). Each copy records the version it last showed, so
this job finds the ones behind and updates them again. It is bounded (docs/decisions.md,
"Card copies catch up"):
- only requests before the apply (RESYNC_STATES) without an apply job: once the apply engine
  has a job, its progress and report cards own the copies, and its outbox resends the report;
- only requests created in the last MAX_AGE, copies with fewer than MAX_FAILURES failed
  updates in a row, at most PER_ROUND copies a round, one update every SPACING_SECONDS.
A lease lets one replica run each round; an update is idempotent anyway (the same view again).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from itertools import groupby
from typing import TYPE_CHECKING

from sharedcalling.domain.requests import RequestState as S
from sharedcalling.services.approvals import copies, leases
from sharedcalling.services.approvals.roster import read_roster
from sharedcalling.services.ports import TenantError
from sharedcalling.services.unit_of_work import RecordNotFound

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

RESYNC_KEY = "approval.resync"
RESYNC_STATES = frozenset({S.PENDING, S.APPROVED, S.REJECTED, S.CANCELLED, S.EXPIRED, S.STALE})
"""The states whose copies show the approval card (an apply job excludes a request too)."""
MAX_AGE = timedelta(days=14)
"""Requests older than this are left as they are: longer than any request stays undecided."""
MAX_FAILURES = 5
"""A copy whose update failed this many times in a row (deleted, a chat gone) is given up."""
PER_ROUND = 40
SPACING_SECONDS = 1.0
"""One update a second: 40 a round (within its lease) stays under Teams' 60 per 30 s in one
conversation (the approvals channel holds a copy of every request), far under 50 a second per
app."""


async def resync(
    services: Services,
    *,
    lease_seconds: float,
    limit: int = PER_ROUND,
    spacing: float = SPACING_SECONDS,
) -> int:
    """Update copies behind their request's version; returns how many updates went out.
    A failed update is counted on its copy and tried again next round."""
    if not await leases.claim(services, RESYNC_KEY, remind_after=lease_seconds):
        return 0
    async with services.uow() as work:
        behind = await work.card_copies.behind(
            services.tenant_id, states=RESYNC_STATES, since=services.clock.now() - MAX_AGE,
            max_failures=MAX_FAILURES, limit=limit,
        )  # fmt: skip
    if not behind:
        return 0
    try:
        roster = await read_roster(services)
    except TenantError:
        # Without the roster approvers would lose their buttons; the next round tries again.
        logger.info("Card copies not resynced: the approver group could not be read")
        return 0
    updated, first = 0, True
    for request_id, group in groupby(behind, key=lambda pair: pair[0].request_id):
        for copy, version in group:
            if not first:
                await asyncio.sleep(spacing)
            first = False
            # Read right before each update, after the pause: an apply that started meanwhile
            # owns the copies, and the approved view must not land over its progress.
            try:
                async with services.uow() as work:
                    request = await work.requests.get(services.tenant_id, request_id)
            except RecordNotFound:
                break
            if request.version != version:
                break  # it moved on since the query (perhaps into the apply): next round
            updated += await copies.update_copy(services, request, copy, roster)
    if updated:
        logger.info("Resynced %d card copies", updated)
    return updated
