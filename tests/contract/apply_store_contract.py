"""ApplyStore contract: jobs, leases and their fencing, rows, restarts, the report outbox, flags.

Subclass as `TestXxx` and provide a `store` fixture over an empty store.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from sharedcalling.domain.apply import ChangeStatus, JobOutcome, JobState
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.planning import (
    Change,
    ChangeKind,
    CreateVoiceRoutingPolicy,
    EnableVoice,
    GrantPolicy,
)
from sharedcalling.domain.rules import Subject, SubjectKind
from sharedcalling.domain.tenant import PolicyType, VoiceRoutingPolicy
from sharedcalling.services.apply.store import ApplyStore, Lease, NoticeState, RowUpdate

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
OTHER_TENANT = TenantId("00000000-0000-4000-8000-00000000beef")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
USER = Subject(SubjectKind.USER, "00000000-0000-4000-8000-000000000005", "Diego \u00e9")
CHANGES: list[Change] = [
    EnableVoice(USER),
    CreateVoiceRoutingPolicy(VoiceRoutingPolicy("SC-NoPstn")),
    GrantPolicy(ChangeKind.USER_GRANT_VRP, USER, PolicyType.VOICE_ROUTING, "Global", "SC-NoPstn"),
]
S = ChangeStatus


def lease(owner: str, seconds: float = 30, at: datetime = T0) -> Lease:
    return Lease(owner, at + timedelta(seconds=seconds))


def rid(n: int) -> RequestId:
    return RequestId(f"SC-0000000{n}")


class ApplyStoreContract:
    @pytest.fixture
    def store(self) -> ApplyStore:
        raise NotImplementedError("a contract subclass provides an empty store")

    async def test_a_job_is_created_once_queued_and_unplanned(self, store: ApplyStore) -> None:
        assert await store.create_job(TENANT, rid(1), T0)
        assert not await store.create_job(TENANT, rid(1), T0 + timedelta(seconds=1))
        job = await store.get_job(rid(1))
        assert job is not None
        assert (job.state, job.attempt, job.planned, job.lease, job.created_at) == (
            JobState.QUEUED, 1, False, None, T0,
        )  # fmt: skip
        assert await store.get_job(rid(2)) is None

    async def test_jobs_are_counted_by_state_for_their_tenant_only(self, store: ApplyStore) -> None:
        assert await store.count_by_state(TENANT) == {}
        for n in (1, 2, 3):
            await store.create_job(TENANT, rid(n), T0 + timedelta(seconds=n))
        await store.create_job(OTHER_TENANT, rid(4), T0)
        taken = await store.lease_next(TENANT, lease("a"), T0 + timedelta(seconds=5))
        assert taken is not None
        done = T0 + timedelta(seconds=6)
        assert await store.set_state(taken.id, "a", done, state=JobState.DONE, release=True)

        assert await store.count_by_state(TENANT) == {JobState.QUEUED: 2, JobState.DONE: 1}
        assert await store.count_by_state(OTHER_TENANT) == {JobState.QUEUED: 1}

    async def test_racing_creations_of_one_job_insert_it_once_without_an_error(
        self, store: ApplyStore
    ) -> None:
        for n in range(30):  # the race is narrow: many rounds of several at once
            request_id = RequestId(f"SC-RACE{n:04d}")
            created = await asyncio.gather(
                *(store.create_job(TENANT, request_id, T0) for _ in range(6))
            )
            assert created.count(True) == 1

    async def test_of_many_simultaneous_claimants_exactly_one_leases_a_job(
        self, store: ApplyStore
    ) -> None:
        await store.create_job(TENANT, rid(1), T0)
        got = await asyncio.gather(
            *(store.lease_next(TENANT, lease(f"w{i}"), T0) for i in range(8))
        )
        winners = [job for job in got if job is not None]
        assert len(winners) == 1
        assert winners[0].lease is not None
        assert winners[0].lease.owner.startswith("w")

    async def test_each_of_two_claimants_gets_a_different_job(self, store: ApplyStore) -> None:
        for n in (1, 2):
            await store.create_job(TENANT, rid(n), T0 + timedelta(seconds=n))
        first, second = await asyncio.gather(
            store.lease_next(TENANT, lease("a"), T0 + timedelta(seconds=5)),
            store.lease_next(TENANT, lease("b"), T0 + timedelta(seconds=5)),
        )
        assert first is not None
        assert second is not None
        assert {first.id, second.id} == {rid(1), rid(2)}

    async def test_jobs_of_another_tenant_are_never_leased(self, store: ApplyStore) -> None:
        await store.create_job(OTHER_TENANT, rid(1), T0)
        assert await store.lease_next(TENANT, lease("a"), T0) is None

    async def test_an_expired_lease_passes_to_another_worker_and_fences_the_first(
        self, store: ApplyStore
    ) -> None:
        await store.create_job(TENANT, rid(1), T0)
        await store.lease_next(TENANT, lease("a", 10), T0)
        assert await store.set_state(rid(1), "a", T0, state=JobState.RUNNING, release=False)
        assert await store.lease_next(TENANT, lease("b"), T0 + timedelta(seconds=9)) is None
        later = T0 + timedelta(seconds=11)
        taken = await store.lease_next(TENANT, lease("b", at=later), later)
        assert taken is not None
        assert taken.state is JobState.RUNNING
        assert not await store.renew(rid(1), lease("a", 60, later), later)
        assert not await store.plan_rows(rid(1), "a", CHANGES, later)
        assert not await store.set_state(rid(1), "a", later, state=JobState.PAUSED, release=True)
        assert await store.plan_rows(rid(1), "b", CHANGES, later)
        assert not await store.update_rows(rid(1), "a", [RowUpdate(0, S.RUNNING)], later)
        assert (await store.rows(rid(1)))[0].status is S.PENDING

    async def test_renewing_keeps_the_lease(self, store: ApplyStore) -> None:
        await store.create_job(TENANT, rid(1), T0)
        await store.lease_next(TENANT, lease("a", 10), T0)
        at = T0 + timedelta(seconds=8)
        assert await store.renew(rid(1), lease("a", 10, at), at)
        assert await store.lease_next(TENANT, lease("b"), T0 + timedelta(seconds=12)) is None

    async def test_a_released_lease_is_free_at_once_and_the_job_unchanged(
        self, store: ApplyStore
    ) -> None:
        await store.create_job(TENANT, rid(1), T0)
        await store.lease_next(TENANT, lease("a"), T0)
        await store.set_state(rid(1), "a", T0, state=JobState.RUNNING, release=False)
        assert not await store.release(rid(1), "b", T0)
        assert await store.release(rid(1), "a", T0)
        taken = await store.lease_next(TENANT, lease("b"), T0)
        assert taken is not None
        assert taken.state is JobState.RUNNING

    async def test_rows_round_trip_and_record_attempts_and_before_values(
        self, store: ApplyStore
    ) -> None:
        await store.create_job(TENANT, rid(1), T0)
        await store.lease_next(TENANT, lease("a"), T0)
        assert await store.plan_rows(rid(1), "a", CHANGES, T0)
        assert not await store.plan_rows(rid(1), "a", CHANGES, T0)  # planned once
        rows = await store.rows(rid(1))
        assert [r.change for r in rows] == CHANGES
        assert [(r.seq, r.status, r.attempts) for r in rows] == [
            (n, S.PENDING, 0) for n in range(3)
        ]
        at = T0 + timedelta(seconds=1)
        updates = [RowUpdate(0, S.RUNNING, before={"voice": False}), RowUpdate(1, S.SKIPPED)]
        assert await store.update_rows(rid(1), "a", updates, at)
        assert await store.update_rows(rid(1), "a", [RowUpdate(0, S.FAILED, "denied")], at)
        first, second, _ = await store.rows(rid(1))
        assert (first.status, first.attempts, first.error, first.before) == (
            S.FAILED, 1, "denied", {"voice": False},
        )  # fmt: skip
        assert first.started_at == at
        assert first.finished_at == at
        assert (second.status, second.attempts, second.finished_at) == (S.SKIPPED, 0, at)
        job = await store.get_job(rid(1))
        assert job is not None
        assert job.planned

    async def test_a_finished_job_restarts_once_with_the_chosen_rows_pending(
        self, store: ApplyStore
    ) -> None:
        await store.create_job(TENANT, rid(1), T0)
        await store.lease_next(TENANT, lease("a"), T0)
        await store.plan_rows(rid(1), "a", CHANGES, T0)
        failed = [RowUpdate(0, S.FAILED, "x"), RowUpdate(1, S.SUCCEEDED), RowUpdate(2, S.FAILED)]
        await store.update_rows(rid(1), "a", failed, T0)
        assert not await store.restart(rid(1), [0, 2], T0, expected_attempt=1)  # not finished
        await store.set_state(rid(1), "a", T0, state=JobState.DONE, release=True,
                              outcome=JobOutcome.PARTIALLY_APPLIED, report={"k": [1]})  # fmt: skip
        done = await store.get_job(rid(1))
        assert done is not None
        assert (done.outcome, done.report, done.lease, done.finished_at) == (
            JobOutcome.PARTIALLY_APPLIED, {"k": [1]}, None, T0,
        )  # fmt: skip
        results = await asyncio.gather(
            *(store.restart(rid(1), [0, 2], T0, expected_attempt=1) for _ in range(4))
        )
        assert results.count(True) == 1
        job = await store.get_job(rid(1))
        assert job is not None
        assert (job.state, job.attempt, job.outcome) == (JobState.QUEUED, 2, None)
        assert [r.status for r in await store.rows(rid(1))] == [S.PENDING, S.SUCCEEDED, S.PENDING]

    async def test_a_verifying_job_is_leased_only_when_due(self, store: ApplyStore) -> None:
        await store.create_job(TENANT, rid(1), T0)
        await store.lease_next(TENANT, lease("a"), T0)
        due = T0 + timedelta(minutes=15)
        await store.set_state(rid(1), "a", T0, state=JobState.VERIFYING, release=True,
                              next_run_at=due, verify_until=T0 + timedelta(hours=48))  # fmt: skip
        early = T0 + timedelta(minutes=14)
        assert await store.lease_next(TENANT, lease("b", at=early), early) is None
        job = await store.lease_next(TENANT, lease("b", at=due), due)
        assert job is not None
        assert job.verify_until == T0 + timedelta(hours=48)

    async def test_finished_jobs_are_not_leased_to_run(self, store: ApplyStore) -> None:
        await store.create_job(TENANT, rid(1), T0)
        await store.lease_next(TENANT, lease("a"), T0)
        await store.set_state(rid(1), "a", T0, state=JobState.STALE, release=True)
        assert await store.lease_next(TENANT, lease("b"), T0) is None
        assert [j.id for j in await store.jobs(TENANT, states=[JobState.STALE])] == [rid(1)]

    async def test_one_sender_claims_a_report_and_a_dead_senders_claim_expires(
        self, store: ApplyStore
    ) -> None:
        await store.create_job(TENANT, rid(1), T0)
        await store.lease_next(TENANT, lease("a"), T0)
        await store.set_state(rid(1), "a", T0, state=JobState.DONE, release=True,
                              outcome=JobOutcome.APPLIED)  # fmt: skip
        claims = await asyncio.gather(
            *(store.claim_report(TENANT, lease(f"s{i}", 10), T0) for i in range(4))
        )
        assert len([c for c in claims if c is not None]) == 1
        later = T0 + timedelta(seconds=11)
        again = await store.claim_report(TENANT, lease("t", at=later), later)
        assert again is not None
        assert await store.mark_notified(rid(1), "t", later)
        assert await store.claim_report(TENANT, lease("u", at=later), later) is None
        job = await store.get_job(rid(1))
        assert job is not None
        assert job.notified_at == later
        assert job.lease is None

    async def test_flags_survive_and_are_per_tenant(self, store: ApplyStore) -> None:
        assert await store.get_flag(TENANT, "apply_freeze") is None
        await store.set_flag(TENANT, "apply_freeze", {"frozen": True, "reason": "\u00e9"}, "m", T0)
        later = T0 + timedelta(minutes=1)
        await store.set_flag(TENANT, "apply_freeze", {"frozen": False}, "n", later)
        flag = await store.get_flag(TENANT, "apply_freeze")
        assert flag is not None
        assert (flag.value, flag.updated_by, flag.updated_at) == ({"frozen": False}, "n", later)
        assert await store.get_flag(OTHER_TENANT, "apply_freeze") is None

    async def test_one_caller_claims_each_persons_notice_and_its_end_is_recorded(
        self, store: ApplyStore
    ) -> None:
        person = UserId("00000000-0000-4000-8000-00000000000A")
        claims = await asyncio.gather(
            *(
                store.claim_notice(TENANT, rid(1), person, "Ad\u00e8le", f"w{i}", T0)
                for i in range(6)
            )
        )
        assert claims.count(True) == 1
        winner = f"w{claims.index(True)}"
        other = UserId(person.lower())  # ids are compared without case
        assert not await store.claim_notice(TENANT, rid(1), other, "Ad\u00e8le", "late", T0)
        assert await store.claim_notice(TENANT, rid(2), person, "Ad\u00e8le", "w9", T0)
        later = T0 + timedelta(seconds=3)
        assert not await store.finish_notice(rid(1), person, "not-me", later, sent=True, attempts=1)
        assert await store.finish_notice(rid(1), person, winner, later, sent=False, attempts=3,
                                         reason="app not installed")  # fmt: skip
        assert not await store.finish_notice(rid(1), person, winner, later, sent=True, attempts=4)
        [notice] = await store.notices(rid(1))
        assert (notice.state, notice.attempts, notice.reason, notice.display_name) == (
            NoticeState.FAILED, 3, "app not installed", "Ad\u00e8le",
        )  # fmt: skip
        [pending] = await store.notices(rid(2))
        assert (pending.state, pending.owner) == (NoticeState.SENDING, "w9")
        assert await store.notices(rid(3)) == []
