"""Several workers on one database, group assignments re-verified, the Graph+PowerShell path."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

import pytest

from sharedcalling.adapters.tenant.composite import CompositeTenantGateway
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.powershell import PowerShellTenantGateway
from sharedcalling.adapters.tenant.powershell_worker import PowerShellWorker
from sharedcalling.domain.apply import JobOutcome, JobState, UserOutcome, plan_revert
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import RequestId
from sharedcalling.domain.planning import Change, GrantGroupPolicy
from sharedcalling.domain.requests import ChangeRequest, RequestEvent, RequestKind
from sharedcalling.domain.rules import Subject, SubjectKind
from sharedcalling.domain.tenant import PolicyType
from sharedcalling.services.apply.commands import plan_document
from sharedcalling.services.apply.replan import revert_desired_to_json
from sharedcalling.services.apply.wiring import build_apply
from sharedcalling.services.clock import SystemClock
from sharedcalling.services.planning import preview_plan
from sharedcalling.services.ports import SnapshotScope
from sharedcalling.services.requests import RequestDraft, apply_event, submit_request
from tests.apply.harness import (
    ALEX_APPROVER,
    FAST,
    GENERATED,
    MEGAN_ADMIN,
    TENANT,
    Harness,
    harness,
    tagged_counts,
)
from tests.db import database_url
from tests.demo_ids import DIEGO, MIRIAM, PRADEEP, RA_MAINLINE, VOICE_APPROVERS
from tests.fakes.fake_graph import graph_stack
from tests.fakes.fake_notifier import FakeNotifier
from tests.fakes.standin_worker import in_process_launcher

__all__ = ["database_url"]


@pytest.mark.slow
async def test_two_workers_on_one_database_each_run_a_job_and_none_twice(
    database_url: str,
) -> None:
    async with harness(database_url, worker_id="worker-a") as a:
        requests = [
            await a.approved(DesiredState(RA_MAINLINE, "Seattle", GENERATED[n : n + 10]))
            for n in range(0, 40, 10)
        ]
        other = build_apply(
            FAST, tenant_id=TENANT, tenant=a.tenant, store=a.store, uow=a.uow,
            clock=SystemClock(), notifier=FakeNotifier(), worker_id="worker-b",
        )  # fmt: skip
        try:
            for _ in range(200):
                await asyncio.gather(a.apply.worker.tick(), other.worker.tick())
                await asyncio.gather(a.apply.worker.idle(), other.worker.idle())
                jobs = [await a.job(r.id) for r in requests]
                if all(j.state is JobState.DONE and j.notified_at for j in jobs):
                    break
                await asyncio.sleep(0.02)
        finally:
            await other.stop()
        writes = await a.writes()
        by_job = Counter((w.tag["job_id"], w.tag["worker"]) for w in writes if w.tag)
        workers_of = {job: [w for (j, w) in by_job if j == job] for job, _ in by_job}
        assert all(len(w) == 1 for w in workers_of.values())  # each job run by exactly one
        assert {w[0] for w in workers_of.values()} == {"worker-a", "worker-b"}
        assert set(tagged_counts(writes).values()) == {1}
        assert len(tagged_counts(writes)) == 160


async def test_a_group_assignment_is_re_verified_until_every_member_shows_it(
    database_url: str,
) -> None:
    async with harness(database_url) as h:
        # Miriam's direct assignment keeps the group's policy from her, as Teams' slow
        # propagation would: the job waits, re-checks on a schedule, and only then reports.
        await h.tenant.grant_policy(PolicyType.SHARED_CALLING, MIRIAM, "HelpDesk")
        group = Subject(SubjectKind.GROUP, VOICE_APPROVERS, "Voice Approvers")
        grant = GrantGroupPolicy(group, PolicyType.SHARED_CALLING, "Seattle", 1)
        request = await _revert_kind_request(h, [grant])
        await h.apply.after_approved(request)
        for _ in range(200):
            await h.apply.worker.tick()
            await h.apply.worker.idle()
            if (await h.job(request.id)).state is JobState.VERIFYING:
                break
        job = await h.job(request.id)
        assert job.state is JobState.VERIFYING
        view = await h.apply.view(request.id)
        assert view is not None
        assert [u.user_id for u in view.users_with(UserOutcome.AWAITING)] == [MIRIAM]
        assert job.next_run_at is not None
        await h.tenant.grant_policy(PolicyType.SHARED_CALLING, MIRIAM, None)  # delivered now
        job = await h.settle(request.id)
        assert job.outcome is JobOutcome.APPLIED


@pytest.mark.slow
async def test_group_assignments_that_never_arrive_are_reported_unverified(
    database_url: str,
) -> None:
    quick = replace(FAST, group_verify_hours=0.5 / 3600)
    async with harness(database_url, settings=quick) as h:
        await h.tenant.grant_policy(PolicyType.SHARED_CALLING, MIRIAM, "HelpDesk")
        group = Subject(SubjectKind.GROUP, VOICE_APPROVERS, "Voice Approvers")
        request = await _revert_kind_request(
            h, [GrantGroupPolicy(group, PolicyType.SHARED_CALLING, "Seattle", 1)]
        )
        job = await h.settle(request.id)
        assert job.outcome is JobOutcome.PARTIALLY_APPLIED
        view = await h.apply.view(request.id)
        assert view is not None
        [miriam] = view.users_with(UserOutcome.UNVERIFIED)
        assert (miriam.user_id, "did not deliver" in miriam.reason) == (MIRIAM, True)


async def _revert_kind_request(h: Harness, targets: list[Change]) -> ChangeRequest:
    """A request whose stored plan is a list of target changes (the form reverts use)."""
    desired = revert_desired_to_json(RequestId("SC-00000000"), targets, ())
    snapshot = await h.tenant.snapshot(SnapshotScope())
    plan = plan_revert(targets, snapshot)
    draft = RequestDraft(
        kind=RequestKind.REVERT,
        desired=desired,
        plan=plan_document(plan.changes, plan.fingerprint),
        fingerprint=plan.fingerprint,
        user_ids=[],
        justification="group grant",
    )
    request = await submit_request(draft, actor=MEGAN_ADMIN, uow=h.uow, clock=h.clock)
    moved = await apply_event(
        TENANT, request.id, RequestEvent.APPROVE, actor=ALEX_APPROVER, uow=h.uow,
        clock=h.clock, fingerprint=request.fingerprint,
    )  # fmt: skip
    return moved.request


async def test_the_same_engine_applies_through_graph_and_the_powershell_worker(
    database_url: str,
) -> None:
    async with harness(database_url) as h:
        emulated = EmulatedTenantGateway.seeded()
        async with graph_stack(emulated) as stack:
            launch = in_process_launcher(emulated, after_write=stack.fake.refresh)
            worker = PowerShellWorker(launch, call_timeout=10.0)
            composite = CompositeTenantGateway(
                stack.gateway, PowerShellTenantGateway(worker, emulated.tenant_id)
            )
            apply = build_apply(
                FAST, tenant_id=TENANT, tenant=composite, store=h.store, uow=h.uow,
                clock=SystemClock(), notifier=FakeNotifier(), worker_id="composite",
            )  # fmt: skip
            try:
                desired = DesiredState(RA_MAINLINE, "Pilot", (DIEGO, PRADEEP), ("+14255550193",))
                request = await h.approved(desired, tenant=composite)
                await apply.after_approved(request)
                for _ in range(500):
                    await apply.worker.tick()
                    await apply.worker.idle()
                    job = await h.job(request.id)
                    if job.state is JobState.DONE and job.notified_at:
                        break
                assert job.outcome is JobOutcome.APPLIED
                rows = await h.rows(request.id)
                assert tagged_counts(await emulated.write_log()) == {
                    (request.id, r.seq): 1 for r in rows
                }
                assert (await preview_plan(desired, tenant=composite)).plan.changes == ()
            finally:
                await apply.stop()
                await worker.close()
