"""The apply after an approval, as Teams sees it: progress updates at the configured rate, and
a hard failure retried by typing "retry failed SC-…"."""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from cards.actions import APPROVAL_APPROVE
from sharedcalling import bootstrap
from sharedcalling.domain.apply import ChangeStatus, JobOutcome, UserOutcome
from sharedcalling.domain.ids import RequestId
from sharedcalling.domain.requests import RequestEvent, RequestState
from sharedcalling.services.apply.store import ChangeRow
from sharedcalling.services.requests import actor_of, apply_event
from tests.apply.harness import GENERATED, tagged_counts
from tests.demo_ids import DIEGO, PRADEEP
from tests.edge.approvals.kit import Desk, card_text, running_desk
from tests.edge.teams import object_id, personal
from tests.fakes.fake_connector import FakeConnector

INTERVAL = 2  # the smallest APPLY_PROGRESS_INTERVAL_SECONDS the settings accept


@pytest.mark.slow  # the emulated tenant is slowed down so that the apply takes seconds
async def test_a_long_apply_updates_each_card_copy_at_most_once_per_interval(
    tmp_path: Path, connector: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks: the engine offers a progress update after every few changes, far more
    # often than the interval allows, so the interval is what bounds the updates.
    settings_of = bootstrap.apply_settings
    monkeypatch.setattr(
        bootstrap, "apply_settings", lambda s: replace(settings_of(s), chunk_size=4)
    )
    environ = {
        "APPLY_PROGRESS_INTERVAL_SECONDS": str(INTERVAL),
        "APPLY_CONCURRENCY": "1",
        "EMULATED_FAULTS": "*=delay:0.04",  # every tenant call, reads and writes
    }
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with running_desk(url, connector, **environ) as desk:
        await desk.meet("megan", "alex", "miriam")
        request = await desk.submit(users=GENERATED[:30])
        copies = {(c.conversation_id, c.activity_id) for c in await desk.copies(request.id)}
        assert len(copies) == 3
        # Approved without the click's own card updates, so every update counted is the apply's.
        principal = await desk.services.resolve_principal(desk.tenant, object_id("alex"))
        approved = await apply_event(
            desk.tenant, request.id, RequestEvent.APPROVE, actor=actor_of(principal),
            uow=desk.services.uow, clock=desk.services.clock, fingerprint=request.fingerprint,
        )  # fmt: skip
        desk.connector.clear()

        started = time.monotonic()
        await desk.services.after_approved(approved.request)
        await desk.applies_settled()
        duration = time.monotonic() - started

        assert (await desk.request(request.id)).state is RequestState.APPLIED
        changes = len(tagged_counts(await desk.services.tenant.write_log()))  # type: ignore[attr-defined]
        assert changes == 120  # four for each of the 30 people
        assert duration > 2 * INTERVAL, duration
        updates = Counter(
            (s.conversation_id, s.activity_id) for s in desk.connector.sent if s.method == "PUT"
        )
        assert set(updates) == copies  # only the request's own cards are updated
        bound = math.ceil(duration / INTERVAL) + 2  # + the first progress card and the report
        assert max(updates.values()) <= bound, (updates, duration)
        assert min(updates.values()) >= 4  # progress did go out while it ran, then the report
        assert changes // 4 > bound  # offered after each chunk: the interval did the limiting


async def test_typing_retry_failed_reruns_only_the_failed_changes_and_reports_applied(
    tmp_path: Path, connector: FakeConnector
) -> None:
    faults = f"grant_policy@{PRADEEP}=fail:*:validation"
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with running_desk(url, connector, EMULATED_FAULTS=faults) as desk:
        await desk.meet("megan", "alex", "miriam")
        request = await desk.submit(users=(DIEGO, PRADEEP))
        await desk.click("alex", APPROVAL_APPROVE, request)
        await desk.applies_settled()
        assert (await desk.request(request.id)).state is RequestState.PARTIALLY_APPLIED
        view = await desk.services.apply.view(request.id)
        assert view is not None
        assert [u.user_id for u in view.users_with(UserOutcome.FAILED)] == [PRADEEP]
        failed = [r.seq for r in await _rows(desk, request.id) if r.status is ChangeStatus.FAILED]
        assert failed
        tenant = desk.services.tenant
        first_run = tagged_counts(await tenant.write_log())  # type: ignore[attr-defined]

        tenant.faults.clear()  # type: ignore[attr-defined]  # the cause was fixed
        desk.connector.clear()
        reply = await desk.teams.ask("megan", f"retry failed {request.id.lower()}")
        assert reply.text.startswith(
            f"Retrying {len(failed)} failed changes of {request.id}. This card follows it."
        )
        assert reply.cards
        await desk.applies_settled()

        assert (await desk.request(request.id)).state is RequestState.APPLIED
        job = await desk.services.apply.deps.store.get_job(request.id)
        assert job is not None
        assert (job.outcome, job.attempt) == (JobOutcome.APPLIED, 2)
        view = await desk.services.apply.view(request.id)
        assert view is not None
        assert {u.user_id for u in view.users_with(UserOutcome.DONE)} == {DIEGO, PRADEEP}
        retried = tagged_counts(await tenant.write_log())  # type: ignore[attr-defined]
        again = {seq for (_, seq), n in retried.items() if n > first_run.get((request.id, seq), 0)}
        assert again == set(failed)  # Diego's changes, done the first time, were not redone
        rows = {r.seq: r for r in await _rows(desk, request.id)}
        assert all(rows[s].change.subject.id == PRADEEP for s in failed)
        megan = personal("megan").conversation["id"]
        [report] = [
            s for s in desk.connector.sent
            if s.conversation_id == megan and s.cards and "is applied" in card_text(s.cards[0])
        ][-1:]  # fmt: skip
        assert report.cards[0]["body"][0]["text"] == f"{request.id} is applied"


async def _rows(desk: Desk, request_id: RequestId) -> list[ChangeRow]:
    return await desk.services.apply.deps.store.rows(request_id)
