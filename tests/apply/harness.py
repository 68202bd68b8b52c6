"""An apply engine over a real database and an emulated tenant, and approved requests for it.

Requests are made the way the approval flow makes them: `submit_request` with the plan's
fingerprint, then `apply_event(APPROVE)` by an approver.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sharedcalling.adapters.store.apply_store import SqlApplyStore
from sharedcalling.adapters.store.engine import make_engine
from sharedcalling.adapters.store.tenant_state import SqlTenantStateStore
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_faults import Faults
from sharedcalling.adapters.tenant.emulated_writes import WriteRecord
from sharedcalling.domain.apply import JobState
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.planning.codec import desired_to_json
from sharedcalling.domain.requests import Actor, ChangeRequest, RequestEvent, RequestKind
from sharedcalling.services.apply.progress import DeferredPresenter
from sharedcalling.services.apply.service import ApplyService
from sharedcalling.services.apply.settings import ApplySettings
from sharedcalling.services.apply.store import ChangeRow, JobRecord
from sharedcalling.services.apply.tell import TELL_PEOPLE
from sharedcalling.services.apply.wiring import build_apply
from sharedcalling.services.clock import SystemClock
from sharedcalling.services.exports import plan_to_json
from sharedcalling.services.planning import preview_plan
from sharedcalling.services.ports import TenantGateway
from sharedcalling.services.requests import RequestDraft, apply_event, get_request, submit_request
from tests.db import delete_all_rows
from tests.demo_ids import ALEX, MEGAN, MIRIAM
from tests.fakes.fake_notifier import FakeNotifier

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
MEGAN_ADMIN = Actor(TENANT, MEGAN, "Megan Bowen", is_admin=True)
ALEX_APPROVER = Actor(TENANT, ALEX, "Alex Wilber", is_approver=True)
MIRIAM_APPROVER = Actor(TENANT, MIRIAM, "Miriam Graham", is_approver=True)
FAST = ApplySettings(
    concurrency=8, lease_seconds=5, poll_seconds=0.05, progress_interval_seconds=0.5,
    group_reverify_seconds=0.2, retry_wait_seconds=30, chunk_size=20,
)  # fmt: skip
GENERATED = tuple(UserId(f"00000000-0000-4000-9000-{n:012d}") for n in range(1, 1001))


@dataclass
class Harness:
    url: str
    tenant: EmulatedTenantGateway
    apply: ApplyService
    notifier: FakeNotifier
    uow: SqlUnitOfWorkFactory
    clock: SystemClock = field(default_factory=SystemClock)

    @property
    def store(self) -> SqlApplyStore:
        return self.apply.deps.store  # type: ignore[return-value]

    async def approved(
        self,
        desired: DesiredState,
        *,
        requester: Actor = MEGAN_ADMIN,
        approver: Actor = ALEX_APPROVER,
        tenant: TenantGateway | None = None,
        tell_people: bool | None = None,
    ) -> ChangeRequest:
        preview = await preview_plan(desired, tenant=tenant or self.tenant)
        plan = preview.plan
        draft = RequestDraft(
            kind=RequestKind.SETUP,
            desired=desired_to_json(desired),
            plan=plan_to_json(plan) | ({} if tell_people is None else {TELL_PEOPLE: tell_people}),
            fingerprint=plan.fingerprint,
            user_ids=plan.changing_user_ids,
            justification="apply engine test",
            attested=[f"{f.code}:{f.subject.id}" for f in plan.attestations],
        )
        request = await submit_request(draft, actor=requester, uow=self.uow, clock=self.clock)
        moved = await apply_event(
            TENANT, request.id, RequestEvent.APPROVE, actor=approver, uow=self.uow,
            clock=self.clock, fingerprint=request.fingerprint,
        )  # fmt: skip
        return moved.request

    async def request(self, request_id: RequestId) -> ChangeRequest:
        return await get_request(TENANT, request_id, uow=self.uow)

    async def job(self, request_id: RequestId) -> JobRecord:
        job = await self.store.get_job(request_id)
        assert job is not None
        return job

    async def rows(self, request_id: RequestId) -> list[ChangeRow]:
        return await self.store.rows(request_id)

    async def settle(self, request_id: RequestId, *, seconds: float = 60) -> JobRecord:
        """Tick the worker until the job is finished and reported (or stale and reported)."""
        worker = self.apply.worker
        for _ in range(int(seconds / 0.02)):
            await worker.tick()
            await worker.idle()
            job = await self.store.get_job(request_id)
            if job is not None and job.state in (JobState.DONE, JobState.STALE) and job.notified_at:
                return job
            await asyncio.sleep(0.02)
        raise AssertionError(f"job {request_id} did not settle in {seconds} s")

    async def writes(self) -> list[WriteRecord]:
        return await self.tenant.write_log()


def tagged_counts(writes: Sequence[WriteRecord]) -> dict[tuple[str, int], int]:
    counts: dict[tuple[str, int], int] = {}
    for record in writes:
        if record.tag is not None:
            key = (str(record.tag["job_id"]), int(record.tag["seq"]))
            counts[key] = counts.get(key, 0) + 1
    return counts


@asynccontextmanager
async def harness(
    url: str,
    *,
    settings: ApplySettings = FAST,
    faults: Faults | None = None,
    notifier: FakeNotifier | None = None,
    worker_id: str = "test-worker",
    fresh: bool = True,
    presenter: DeferredPresenter | None = None,
) -> AsyncIterator[Harness]:
    """`fresh` empties the database first (the PostgreSQL one is shared by a session)."""
    engine = make_engine(url)
    try:
        if fresh:
            await delete_all_rows(engine)
        tenant = await EmulatedTenantGateway.open(SqlTenantStateStore(engine), faults=faults)
        uow, notifier = SqlUnitOfWorkFactory(engine), notifier or FakeNotifier()
        apply = build_apply(
            settings, tenant_id=TENANT, tenant=tenant, store=SqlApplyStore(engine), uow=uow,
            clock=SystemClock(), notifier=notifier, worker_id=worker_id, presenter=presenter,
        )  # fmt: skip
        try:
            yield Harness(url, tenant, apply, notifier, uow)
        finally:
            await apply.stop()
    finally:
        await engine.dispose()
