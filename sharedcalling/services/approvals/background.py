"""The approval workflow's periodic jobs: announce what was never announced, remind, expire,
and update card copies left behind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sharedcalling.services.approvals.announce import announce_pending
from sharedcalling.services.approvals.resync import resync
from sharedcalling.services.approvals.sweep import sweep
from sharedcalling.services.background import PeriodicJob

if TYPE_CHECKING:
    from sharedcalling.services import Services

ANNOUNCE_EVERY_SECONDS = 30.0
SWEEP_EVERY_SECONDS = 60.0
RESYNC_EVERY_SECONDS = 60.0


def approval_jobs(services: Services) -> list[PeriodicJob]:
    async def announce_job() -> None:
        await announce_pending(services)

    async def sweep_job() -> None:
        # The lease is a little shorter than the round, so one replica sweeps each round.
        await sweep(services, lease_seconds=SWEEP_EVERY_SECONDS * 0.8)

    async def resync_job() -> None:
        # One replica a round; PER_ROUND updates a second apart fit within the lease.
        await resync(services, lease_seconds=RESYNC_EVERY_SECONDS * 0.8)

    return [
        PeriodicJob("approval.announce", ANNOUNCE_EVERY_SECONDS, announce_job, first_delay=5.0),
        PeriodicJob("approval.sweep", SWEEP_EVERY_SECONDS, sweep_job, first_delay=10.0),
        PeriodicJob("approval.resync", RESYNC_EVERY_SECONDS, resync_job, first_delay=15.0),
    ]
