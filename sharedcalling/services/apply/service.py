"""ApplyService: the apply engine as Services offers it to the edge and to the app."""

from __future__ import annotations

from dataclasses import dataclass

from sharedcalling.domain.apply import JobState
from sharedcalling.domain.ids import RequestId
from sharedcalling.domain.requests import Actor, ChangeRequest, RequestState
from sharedcalling.services.apply import commands
from sharedcalling.services.apply.deps import ApplyDeps
from sharedcalling.services.apply.freeze import FreezeState, freeze_state, set_freeze
from sharedcalling.services.apply.progress import DeferredPresenter
from sharedcalling.services.apply.views import ApplyView, Phase, apply_view, findings_of
from sharedcalling.services.apply.worker import ApplyWorker
from sharedcalling.services.background import PeriodicJob
from sharedcalling.services.requests import get_request

_PHASE_OF = {
    JobState.QUEUED: Phase.APPLYING,
    JobState.RUNNING: Phase.APPLYING,
    JobState.PAUSED: Phase.PAUSED,
    JobState.VERIFYING: Phase.VERIFYING,
    JobState.DONE: Phase.DONE,
    JobState.STALE: Phase.STALE,
}


@dataclass(frozen=True)
class ApplyService:
    deps: ApplyDeps
    worker: ApplyWorker
    presenter: DeferredPresenter
    """Text until the Teams edge binds its card presenter."""

    async def after_approved(self, request: ChangeRequest) -> None:
        """Persist the request's job and start it now (the worker's tick also finds it)."""
        if request.state is RequestState.APPROVED:
            await self.deps.store.create_job(request.tenant_id, request.id, self.deps.clock.now())
            self.worker.wake()

    def background_jobs(self) -> list[PeriodicJob]:
        return [PeriodicJob("apply", self.deps.settings.poll_seconds, self.worker.tick)]

    async def stop(self) -> None:
        await self.worker.stop()

    async def view(self, request_id: RequestId) -> ApplyView | None:
        """The apply of a request as its cards show it; None before it has a planned job."""
        deps = self.deps
        job = await deps.store.get_job(request_id)
        if job is None or not job.planned:
            return None
        request = await get_request(deps.tenant_id, request_id, uow=deps.uow)
        rows = await deps.store.rows(job.id)
        return apply_view(
            request,
            rows,
            _PHASE_OF[job.state],
            findings=findings_of(job.report),
            outcome=job.outcome,
            note=job.error or "",
            attempt=job.attempt,
        )

    async def retry_failed(self, actor: Actor, request_id: RequestId) -> commands.RetryResult:
        result = await commands.retry_failed(self.deps, actor, request_id)
        if result.retried:
            self.worker.wake()
        return result

    async def revert(self, actor: Actor, request_id: RequestId) -> commands.RevertResult:
        return await commands.revert_request(self.deps, actor, request_id)

    async def freeze(self, actor: Actor, reason: str) -> FreezeState:
        state = await set_freeze(actor, True, reason, uow=self.deps.uow, clock=self.deps.clock)
        self.deps.gate.forget()  # this process's jobs stop at their very next change
        return state

    async def resume(self, actor: Actor) -> FreezeState:
        state = await set_freeze(actor, False, uow=self.deps.uow, clock=self.deps.clock)
        self.deps.gate.forget()
        self.worker.wake()
        return state

    async def freeze_state(self) -> FreezeState:
        return await freeze_state(self.deps.store, self.deps.tenant_id)
