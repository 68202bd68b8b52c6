"""The apply engine end to end in one process: approval to report, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

from sharedcalling.domain.apply import ChangeStatus, JobOutcome, JobState
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.requests import RequestState
from sharedcalling.services.planning import preview_plan
from tests.apply.harness import harness, tagged_counts
from tests.db import database_url
from tests.demo_ids import ALEX, DIEGO, MEGAN, PRADEEP, RA_MAINLINE

__all__ = ["database_url"]


async def test_an_approved_request_is_applied_once_verified_and_reported(database_url: str) -> None:
    async with harness(database_url) as h:
        desired = DesiredState(RA_MAINLINE, "Pilot", (DIEGO, PRADEEP), ("+14255550193",))
        request = await h.approved(desired)
        await h.apply.after_approved(request)
        job = await h.settle(request.id)
        assert (job.state, job.outcome) == (JobState.DONE, JobOutcome.APPLIED)
        assert (await h.request(request.id)).state is RequestState.APPLIED
        rows = await h.rows(request.id)
        assert {r.status for r in rows} == {ChangeStatus.SUCCEEDED}
        assert all(r.attempts == 1 and r.before is not None for r in rows)
        counts = tagged_counts(await h.writes())
        assert counts == {(request.id, r.seq): 1 for r in rows}
        assert (await preview_plan(desired, tenant=h.tenant)).plan.changes == ()
        assert any("is applied" in t for t in h.notifier.texts_to(MEGAN))
        assert any("is applied" in t for t in h.notifier.texts_to(ALEX))
        kinds = Counter(r.change.kind.value for r in rows)
        assert (kinds["scp.create"], kinds["scp.grant_user"]) == (1, 2)
