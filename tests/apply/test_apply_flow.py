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
from tests.fakes.fake_notifier import FakeNotifier

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


async def test_cards_without_an_activity_id_are_followed_by_new_messages_not_updates(
    database_url: str,
) -> None:
    """A channel that answers a send with no id (the Agents Playground) gets no update calls
    it cannot route; the requester and approver get the report card as a new message."""
    async with harness(database_url, notifier=FakeNotifier(gives_ids=False)) as h:
        request = await h.approved(DesiredState(RA_MAINLINE, "Pilot", (DIEGO,), ()))
        await h.apply.after_approved(request)
        await h.settle(request.id)
        assert h.notifier.updates == []
        to_megan = [s.message.text for s in h.notifier.sent if s.to == MEGAN.lower()]
        assert len(to_megan) == 2  # the progress card it could not update, then the report
        assert "is applied" in to_megan[-1]
        assert any("is applied" in t for t in h.notifier.texts_to(ALEX))
