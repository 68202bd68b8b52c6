"""Stale plans, hard failures with retry, throttling, crashed writes re-checked, freezes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from sharedcalling.adapters.tenant.emulated_faults import Faults, parse_faults
from sharedcalling.domain.apply import ChangeStatus, JobOutcome, JobState, UserOutcome
from sharedcalling.domain.audit import AuditEntry
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.errors import InvalidInput, NotPermitted
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.requests import RequestEvent, RequestKind, RequestState
from sharedcalling.domain.tenant import PolicyType, TenantSnapshot
from sharedcalling.services.apply.replan import replan
from sharedcalling.services.apply.store import Lease, RowUpdate
from sharedcalling.services.changes import apply_change
from sharedcalling.services.planning import preview_plan
from sharedcalling.services.ports import SnapshotScope
from sharedcalling.services.requests import apply_event
from tests.apply.harness import (
    ALEX_APPROVER,
    GENERATED,
    MEGAN_ADMIN,
    Harness,
    harness,
    tagged_counts,
)
from tests.db import database_url
from tests.demo_ids import DIEGO, LEE, MEGAN, PATTI, PRADEEP, RA_MAINLINE

__all__ = ["database_url"]

SEATTLE = PolicyType.SHARED_CALLING


async def test_a_plan_gone_stale_after_approval_writes_nothing(database_url: str) -> None:
    async with harness(database_url) as h:
        request = await h.approved(DesiredState(RA_MAINLINE, "Seattle", (DIEGO, PRADEEP)))
        await h.tenant.grant_policy(SEATTLE, PRADEEP, "HelpDesk")  # someone else, meanwhile
        before = len(await h.writes())
        job = await h.settle(request.id)
        assert job.state is JobState.STALE
        assert "fingerprint" in (job.error or "")
        assert (await h.request(request.id)).state is RequestState.STALE
        assert len(await h.writes()) == before
        assert await h.rows(request.id) == []
        assert any("was not applied" in t for t in h.notifier.texts_to(MEGAN))


@pytest.mark.slow
async def test_a_hard_failure_for_one_user_spares_the_others_and_retry_fixes_it(
    database_url: str,
) -> None:
    faults = parse_faults(f"grant_policy@{PRADEEP}=fail:*:validation")
    async with harness(database_url, faults=faults) as h:
        desired = DesiredState(RA_MAINLINE, "Seattle", (DIEGO, PRADEEP, *GENERATED[:8]))
        request = await h.approved(desired)
        job = await h.settle(request.id)
        assert job.outcome is JobOutcome.PARTIALLY_APPLIED
        assert (await h.request(request.id)).state is RequestState.PARTIALLY_APPLIED
        view = await h.apply.view(request.id)
        assert view is not None
        failed = view.users_with(UserOutcome.FAILED)
        assert [u.user_id for u in failed] == [PRADEEP]
        assert "rejected" in failed[0].reason
        assert len(view.users_with(UserOutcome.DONE)) == 9
        assert view.can_retry
        pradeep_rows = [r for r in await h.rows(request.id) if r.change.subject.id == PRADEEP]
        # Pradeep's voice is on already: his three grants, the first refused, the rest not tried.
        assert [r.status for r in pradeep_rows] == [ChangeStatus.FAILED] * 3
        assert "rejected" in (pradeep_rows[0].error or "")
        assert "not attempted" in (pradeep_rows[-1].error or "")

        h.tenant.faults.clear_subject(PRADEEP)
        result = await h.apply.retry_failed(MEGAN_ADMIN, request.id)
        assert (result.retried, result.new_request) == (3, None)
        job = await h.settle(request.id)
        assert (job.outcome, job.attempt) == (JobOutcome.APPLIED, 2)
        assert (await h.request(request.id)).state is RequestState.APPLIED
        rows = await h.rows(request.id)
        assert tagged_counts(await h.writes()) == {(request.id, r.seq): 1 for r in rows}
        assert (await preview_plan(desired, tenant=h.tenant)).plan.changes == ()


async def test_a_write_the_tenant_does_not_show_at_read_back_is_unverified(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The call succeeded, but reading back finds another value (another admin, a sync): the
    user is unverified with what Teams shows, and the request is only partly applied."""
    async with harness(database_url) as h:
        request = await h.approved(DesiredState(RA_MAINLINE, "Seattle", (DIEGO, PRADEEP)))
        write = h.tenant.grant_policy

        async def overwritten(policy_type: PolicyType, user_id: UserId, name: str | None) -> None:
            await write(policy_type, user_id, name)
            if policy_type is SEATTLE and user_id == PRADEEP:
                await write(policy_type, user_id, "HelpDesk")  # right after the bot's write

        monkeypatch.setattr(h.tenant, "grant_policy", overwritten)
        job = await h.settle(request.id)

        rows = await h.rows(request.id)
        assert {r.status for r in rows} == {ChangeStatus.SUCCEEDED}  # every call succeeded
        assert job.outcome is JobOutcome.PARTIALLY_APPLIED
        assert (await h.request(request.id)).state is RequestState.PARTIALLY_APPLIED
        view = await h.apply.view(request.id)
        assert view is not None
        [unverified] = view.users_with(UserOutcome.UNVERIFIED)
        assert unverified.user_id == PRADEEP
        assert unverified.reason.startswith("scp.grant_user was written, but Teams shows ")
        # What the tenant holds, in words, not what was written (nor a dict).
        assert unverified.reason.endswith('Teams shows the policy "HelpDesk" assigned directly')
        assert "Seattle" not in unverified.reason
        assert [u.user_id for u in view.users_with(UserOutcome.DONE)] == [DIEGO]
        assert view.can_retry


async def test_retry_needs_a_new_approval_when_the_tenant_changed(database_url: str) -> None:
    faults = parse_faults(f"grant_policy@{PRADEEP}=fail:*:validation")
    async with harness(database_url, faults=faults) as h:
        request = await h.approved(DesiredState(RA_MAINLINE, "Seattle", (DIEGO, PRADEEP)))
        await h.settle(request.id)
        with pytest.raises(NotPermitted):
            await h.apply.retry_failed(ALEX_APPROVER, request.id)
        h.tenant.faults.clear_subject(PRADEEP)
        await h.tenant.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, None)  # drift
        await h.tenant.set_enterprise_voice(LEE, False)  # unrelated: changes nothing
        result = await h.apply.retry_failed(MEGAN_ADMIN, request.id)
        assert result.retried == 0
        assert result.new_request is not None
        assert (result.new_request.state, result.new_request.parent_id) == (
            RequestState.PENDING,
            request.id,
        )
        assert "tenant changed" in result.reason
        assert (await h.request(request.id)).state is RequestState.PARTIALLY_APPLIED


async def test_nothing_to_retry_and_wrong_states_are_refused_plainly(database_url: str) -> None:
    async with harness(database_url) as h:
        request = await h.approved(DesiredState(RA_MAINLINE, "Seattle", (DIEGO,)))
        with pytest.raises(InvalidInput, match="APPROVED"):
            await h.apply.retry_failed(MEGAN_ADMIN, request.id)
        await h.settle(request.id)
        with pytest.raises(InvalidInput, match="APPLIED"):
            await h.apply.retry_failed(MEGAN_ADMIN, request.id)


@pytest.mark.slow
async def test_throttling_on_thirty_percent_of_calls_still_applies_every_change_once(
    database_url: str,
) -> None:
    async with harness(database_url) as h:
        request = await h.approved(DesiredState(RA_MAINLINE, "Seattle", GENERATED[:40]))
        parse_faults("*=throttle:30%:0.01", h.tenant.faults)
        job = await h.settle(request.id)
        assert job.outcome is JobOutcome.APPLIED
        rows = await h.rows(request.id)
        assert len(rows) == 160
        assert tagged_counts(await h.writes()) == {(request.id, r.seq): 1 for r in rows}
        stats = h.apply.deps.tenant.pacer.stats  # type: ignore[attr-defined]
        assert stats.throttled > 30


@pytest.mark.slow
async def test_a_write_interrupted_by_a_crash_is_read_again_not_repeated(
    database_url: str,
) -> None:
    async with harness(database_url) as h:
        first, second = GENERATED[:2]
        request = await h.approved(DesiredState(RA_MAINLINE, "Seattle", (first, second)))
        # A first worker planned the job, marked two writes running, made one, and died.
        store, now = h.store, h.clock.now()
        await store.create_job(request.tenant_id, request.id, now)
        job = await store.lease_next(request.tenant_id, _lease("dead", now, 0.2), now)
        assert job is not None
        plan = await replan(request, h.tenant)
        await store.plan_rows(
            job.id, "dead", plan.changes, now, {"attestations": sorted(plan.attested)}
        )
        rows = await store.rows(job.id)
        made, interrupted = rows[0], rows[1]
        running = [
            RowUpdate(r.seq, ChangeStatus.RUNNING, before={"voice": False}) for r in rows[:2]
        ]
        await store.update_rows(job.id, "dead", running, now)
        await apply_change(made.change, tenant=h.tenant)
        await asyncio.sleep(0.25)  # the dead worker's lease expires

        job = await h.settle(request.id)
        assert job.outcome is JobOutcome.APPLIED
        voice_writes = [w for w in await h.writes() if w.operation == "set_enterprise_voice"]
        assert [w.arguments["user_id"] for w in voice_writes] == [first, second]
        rows = {r.seq: r for r in await h.rows(request.id)}
        assert rows[made.seq].status is ChangeStatus.SUCCEEDED  # found in place
        assert rows[made.seq].attempts == 1
        assert rows[interrupted.seq].attempts == 2  # re-checked, then written


@pytest.mark.slow
async def test_a_freeze_stops_writes_until_resume_and_survives_a_restart(
    database_url: str,
) -> None:
    faults = Faults()
    faults.delay("*", 0.01)
    async with harness(database_url, faults=faults) as h:
        desired = DesiredState(RA_MAINLINE, "Seattle", GENERATED[:60])
        request = await h.approved(desired)
        await h.apply.after_approved(request)
        for _ in range(1000):  # until the job is under way
            if len(await h.writes()) >= 20:
                break
            await asyncio.sleep(0.01)
        with pytest.raises(NotPermitted):
            await h.apply.freeze(ALEX_APPROVER, "no")
        await h.apply.freeze(MEGAN_ADMIN, "network change window")
        await h.apply.worker.idle()
        assert (await h.job(request.id)).state is JobState.PAUSED
        frozen_at = len(await h.writes())
        assert frozen_at < 240
        for _ in range(5):
            await h.apply.worker.tick()
            await asyncio.sleep(0.05)
        assert len(await h.writes()) == frozen_at
        texts = [m.text for _, m in h.notifier.updates] + [s.message.text for s in h.notifier.sent]
        assert any("paused by the change freeze" in t for t in texts), texts
    async with harness(database_url, faults=Faults(), fresh=False) as h:  # restarted: frozen
        assert (await h.apply.freeze_state()).frozen
        await h.apply.worker.tick()
        await h.apply.worker.idle()
        assert len(await h.writes()) == frozen_at
        await h.apply.resume(MEGAN_ADMIN)
        job = await h.settle(request.id)
        assert job.outcome is JobOutcome.APPLIED
        rows = await h.rows(request.id)
        assert tagged_counts(await h.writes()) == {(request.id, r.seq): 1 for r in rows}
        events = [e.facts.event for e in await _audit(h)]
        assert events.count("apply.freeze") == 1
        assert events.count("apply.resume") == 1


@pytest.mark.slow
async def test_a_revert_is_a_new_request_that_puts_the_before_values_back(
    database_url: str,
) -> None:
    async with harness(database_url) as h:
        desired = DesiredState(RA_MAINLINE, "Seattle", (DIEGO, PATTI))
        original = await h.tenant.snapshot(_scope(DIEGO, PATTI))
        request = await h.approved(desired)
        await h.settle(request.id)
        result = await h.apply.revert(MEGAN_ADMIN, request.id)
        revert = result.request
        assert (revert.kind, revert.parent_id, revert.state) == (
            RequestKind.REVERT,
            request.id,
            RequestState.PENDING,
        )
        await apply_event(request.tenant_id, revert.id, RequestEvent.APPROVE, actor=ALEX_APPROVER,
                          uow=h.uow, clock=h.clock, fingerprint=revert.fingerprint)  # fmt: skip
        job = await h.settle(revert.id)
        assert job.outcome is JobOutcome.APPLIED
        reverted = await h.tenant.snapshot(_scope(DIEGO, PATTI))
        for user in (DIEGO, PATTI):
            assert _facts(reverted, user) == _facts(original, user)
        with pytest.raises(InvalidInput, match="already back"):
            await h.apply.revert(MEGAN_ADMIN, request.id)


def _lease(owner: str, now: datetime, seconds: float) -> Lease:
    return Lease(owner, now + timedelta(seconds=seconds))


def _facts(snapshot: TenantSnapshot, user_id: str) -> tuple[object, ...]:
    user = snapshot.user(user_id)
    assert user is not None
    return (user.enterprise_voice_enabled, set(user.direct_policies))


def _scope(*ids: str) -> SnapshotScope:
    return SnapshotScope(user_ids=[UserId(i) for i in ids])


async def _audit(h: Harness) -> list[AuditEntry]:
    async with h.uow() as work:
        return await work.audit.entries(h.apply.deps.tenant_id)


async def test_a_stored_request_that_cannot_be_read_is_stale_not_guessed(
    database_url: str,
) -> None:
    async with harness(database_url) as h:
        request = await h.approved(DesiredState(RA_MAINLINE, "Seattle", (DIEGO,)))
        async with h.uow() as work:
            broken = replace(request, desired={"v": 99})
            await work.requests.save(broken, expected_version=request.version)
            await work.commit()
        job = await h.settle(request.id)
        assert job.state is JobState.STALE
        assert "cannot be read" in (job.error or "")
        assert (await h.request(request.id)).state is RequestState.STALE
        assert await h.writes() == []
