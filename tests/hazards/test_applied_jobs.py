"""The watch follows what the apply engine did: a revert ends the watch of what it set back,
and users whose changes failed are not watched as configured."""

from __future__ import annotations

import pytest

from sharedcalling.adapters.tenant.emulated_faults import parse_faults
from sharedcalling.domain.apply import JobOutcome
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.domain.requests import RequestEvent, RequestKind, RequestState
from sharedcalling.services.hazards.check import WatchPorts, run_check
from sharedcalling.services.hazards.watchlist import load_watchlist
from sharedcalling.services.requests import apply_event
from tests.apply.harness import ALEX_APPROVER, MEGAN_ADMIN, TENANT, Harness, harness
from tests.db import database_url
from tests.demo_ids import DIEGO, MEGAN, PATTI, PRADEEP, RA_MAINLINE
from tests.hazards import edits
from tests.hazards.support import RecordingNotifier, SteppingClock, make_ports, remember_chat

__all__ = ["database_url"]


async def _watch(h: Harness) -> tuple[WatchPorts, RecordingNotifier, SteppingClock]:
    clock, notifier = SteppingClock(), RecordingNotifier(reachable={MEGAN})
    await remember_chat(h.uow, MEGAN, clock.now())
    return make_ports(h.tenant, h.uow, clock, notifier, apply_store=h.store), notifier, clock


async def _check(ports: WatchPorts, clock: SteppingClock) -> list[Hazard]:
    clock.advance(3600)
    outcome = await run_check(ports, trigger="schedule")
    assert outcome.ran
    return list(outcome.open_hazards)


@pytest.mark.slow
async def test_an_applied_revert_ends_the_watch_and_closes_the_hazards_of_its_users(
    database_url: str,
) -> None:
    async with harness(database_url) as h:
        ports, notifier, clock = await _watch(h)
        request = await h.approved(DesiredState(RA_MAINLINE, "Seattle", (DIEGO, PATTI)))
        assert (await h.settle(request.id)).outcome is JobOutcome.APPLIED
        assert await _check(ports, clock) == []
        edits.assign_number(h.tenant, edits.SPARE_NUMBER, DIEGO)  # Diego drifts meanwhile
        [hazard] = await _check(ports, clock)
        assert hazard.code == "SC-U05"
        told = len(notifier.sent)

        revert = (await h.apply.revert(MEGAN_ADMIN, request.id)).request
        await apply_event(TENANT, revert.id, RequestEvent.APPROVE, actor=ALEX_APPROVER,
                          uow=h.uow, clock=h.clock, fingerprint=revert.fingerprint)  # fmt: skip
        assert (await h.settle(revert.id)).outcome is JobOutcome.APPLIED
        assert (await h.request(revert.id)).kind is RequestKind.REVERT

        assert await _check(ports, clock) == []
        assert len(notifier.sent) == told, "the reverted set-up is not announced as drift"
        async with h.uow() as work:
            [gone] = await work.hazards.closed(TENANT)
        assert gone.id == hazard.id
        assert gone.resolution == "no applied request of ours sets it up any more"
        watchlist = await load_watchlist(TENANT, uow=h.uow, apply_store=h.store)
        assert watchlist.is_empty, "nothing of ours is set up any more: not even the policy"


@pytest.mark.slow
async def test_users_whose_changes_failed_are_not_watched_the_others_are(
    database_url: str,
) -> None:
    faults = parse_faults(f"grant_policy@{PRADEEP}=fail:*:validation")
    async with harness(database_url, faults=faults) as h:
        ports, notifier, clock = await _watch(h)
        request = await h.approved(DesiredState(RA_MAINLINE, "Seattle", (DIEGO, PRADEEP)))
        assert (await h.settle(request.id)).outcome is JobOutcome.PARTIALLY_APPLIED
        assert (await h.request(request.id)).state is RequestState.PARTIALLY_APPLIED

        assert await _check(ports, clock) == [], "Pradeep, never configured, is no drift"
        assert notifier.sent == []
        watchlist = await load_watchlist(TENANT, uow=h.uow, apply_store=h.store)
        assert watchlist.user_ids == (DIEGO,)

        edits.assign_number(h.tenant, edits.SPARE_NUMBER, DIEGO)
        [hazard] = await _check(ports, clock)
        assert (hazard.code, hazard.affected_user_ids) == ("SC-U05", (DIEGO,))
