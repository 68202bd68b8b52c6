from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.requests import (
    DEFAULT_EXPIRY,
    LOCKING_STATES,
    PERSON_EVENTS,
    TRANSITIONS,
    Actor,
    ChangeRequest,
    Refusal,
    RequestEvent,
    RequestKind,
    RequestRefused,
    RequestState,
    transition,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
FP = "sha256:" + "a" * 64
OTHER_FP = "sha256:" + "b" * 64

MEGAN = Actor(TENANT, UserId("megan"), "Megan", is_admin=True)
ALEX = Actor(TENANT, UserId("alex"), "Alex", is_approver=True)
MIRIAM = Actor(TENANT, UserId("miriam"), "Miriam", is_approver=True)
ADELE = Actor(TENANT, UserId("adele"), "Adele")
SYSTEM = Actor.system(TENANT)
E, S = RequestEvent, RequestState


def draft(**changes: object) -> ChangeRequest:
    base = ChangeRequest(
        id=RequestId("SC-00000001"),
        tenant_id=TENANT,
        kind=RequestKind.SETUP,
        state=S.DRAFT,
        requester_id=MEGAN.id,
        requester_name=MEGAN.name,
        justification="Pilot for floor 3",
        fingerprint=FP,
        created_at=T0,
        updated_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def pending(**changes: object) -> ChangeRequest:
    return transition(draft(**changes), E.SUBMIT, actor=MEGAN, at=T0).request


def test_submit_makes_a_pending_request_that_expires_after_the_default_time() -> None:
    moved = transition(draft(), E.SUBMIT, actor=MEGAN, at=T0)
    assert moved.changed
    assert moved.from_state is S.DRAFT
    assert moved.request.state is S.PENDING
    assert moved.request.expires_at == T0 + DEFAULT_EXPIRY


def test_only_the_requester_submits() -> None:
    with pytest.raises(RequestRefused) as refused:
        transition(draft(), E.SUBMIT, actor=ALEX, at=T0)
    assert refused.value.refusal is Refusal.NOT_REQUESTER


def test_one_approval_of_the_shown_plan_approves_by_default() -> None:
    moved = transition(pending(), E.APPROVE, actor=ALEX, at=T0, fingerprint=FP)
    assert moved.request.state is S.APPROVED
    assert [d.actor_id for d in moved.request.approvals] == [ALEX.id]


def test_two_required_approvals_wait_for_a_second_approver() -> None:
    first = transition(pending(required_approvals=2), E.APPROVE, actor=ALEX, at=T0, fingerprint=FP)
    assert first.changed
    assert first.request.state is S.PENDING
    assert first.request.approvals_missing == 1
    second = transition(first.request, E.APPROVE, actor=MIRIAM, at=T0, fingerprint=FP)
    assert second.request.state is S.APPROVED


def test_the_same_approver_twice_counts_once_and_changes_nothing() -> None:
    first = transition(pending(required_approvals=2), E.APPROVE, actor=ALEX, at=T0, fingerprint=FP)
    again = transition(first.request, E.APPROVE, actor=ALEX, at=T0, fingerprint=FP)
    assert not again.changed
    assert again.request == first.request


def test_an_approver_clicking_again_after_approval_gets_the_same_record() -> None:
    approved = transition(pending(), E.APPROVE, actor=ALEX, at=T0, fingerprint=FP).request
    again = transition(approved, E.APPROVE, actor=ALEX, at=T0, fingerprint=FP)
    assert not again.changed
    assert again.request is approved


@pytest.mark.parametrize(
    ("actor", "refusal"),
    [
        (ADELE, Refusal.NOT_APPROVER),
        (MEGAN, Refusal.NOT_APPROVER),
        (replace(MEGAN, is_approver=True), Refusal.OWN_REQUEST),
    ],
    ids=["plain user", "admin without approver role", "requester who is an approver"],
)
def test_approve_is_refused_for_non_approvers_and_the_requester(
    actor: Actor, refusal: Refusal
) -> None:
    with pytest.raises(RequestRefused) as refused:
        transition(pending(), E.APPROVE, actor=actor, at=T0, fingerprint=FP)
    assert refused.value.refusal is refusal


def test_the_person_a_request_is_for_cannot_approve_it() -> None:
    request = pending(beneficiary_id=ALEX.id)
    with pytest.raises(RequestRefused) as refused:
        transition(request, E.APPROVE, actor=ALEX, at=T0, fingerprint=FP)
    assert refused.value.refusal is Refusal.OWN_REQUEST


def test_a_card_showing_another_plan_is_refused() -> None:
    with pytest.raises(RequestRefused) as refused:
        transition(pending(), E.APPROVE, actor=ALEX, at=T0, fingerprint=OTHER_FP)
    assert refused.value.refusal is Refusal.STALE_CARD


def test_approve_after_expiry_is_refused_and_expire_needs_the_time_to_pass() -> None:
    request = pending()
    late = T0 + DEFAULT_EXPIRY
    with pytest.raises(RequestRefused) as refused:
        transition(request, E.APPROVE, actor=ALEX, at=late, fingerprint=FP)
    assert refused.value.refusal is Refusal.EXPIRED
    with pytest.raises(RequestRefused) as early:
        transition(request, E.EXPIRE, actor=SYSTEM, at=late - timedelta(seconds=1))
    assert early.value.refusal is Refusal.NOT_EXPIRED
    assert transition(request, E.EXPIRE, actor=SYSTEM, at=late).request.state is S.EXPIRED


def test_reject_needs_a_reason_and_ends_the_request() -> None:
    with pytest.raises(RequestRefused) as refused:
        transition(pending(), E.REJECT, actor=ALEX, at=T0, fingerprint=FP, reason="  ")
    assert refused.value.refusal is Refusal.REASON_REQUIRED
    rejected = transition(
        pending(required_approvals=2), E.REJECT, actor=ALEX, at=T0, fingerprint=FP, reason="No"
    )
    assert rejected.request.state is S.REJECTED
    assert rejected.request.rejection is not None
    assert rejected.request.rejection.reason == "No"


@pytest.mark.parametrize("event", [E.APPROVE, E.REJECT])
@pytest.mark.parametrize("state", [S.REJECTED, S.CANCELLED, S.EXPIRED, S.STALE, S.APPLIED])
def test_decisions_after_the_request_ended_are_refused(
    state: RequestState, event: RequestEvent
) -> None:
    ended = replace(pending(), state=state)
    with pytest.raises(RequestRefused) as refused:
        transition(ended, event, actor=MIRIAM, at=T0, fingerprint=FP, reason="late")
    assert refused.value.refusal is Refusal.NOT_ALLOWED


def test_the_requester_or_an_admin_cancels_nobody_else() -> None:
    assert transition(pending(), E.CANCEL, actor=MEGAN, at=T0).request.state is S.CANCELLED
    other_admin = Actor(TENANT, UserId("lee"), "Lee", is_admin=True)
    assert transition(pending(), E.CANCEL, actor=other_admin, at=T0).request.state is S.CANCELLED
    with pytest.raises(RequestRefused) as refused:
        transition(pending(), E.CANCEL, actor=ALEX, at=T0)
    assert refused.value.refusal is Refusal.NOT_REQUESTER


@pytest.mark.parametrize("event", sorted(set(RequestEvent) - PERSON_EVENTS))
def test_system_events_are_refused_to_people(event: RequestEvent) -> None:
    with pytest.raises(RequestRefused) as refused:
        transition(pending(), event, actor=MEGAN, at=T0 + DEFAULT_EXPIRY)
    assert refused.value.refusal is Refusal.SYSTEM_ONLY


def test_an_actor_of_another_tenant_is_refused() -> None:
    stranger = replace(ALEX, tenant_id=TenantId("11111111-2222-4333-8444-555555555555"))
    with pytest.raises(RequestRefused) as refused:
        transition(pending(), E.APPROVE, actor=stranger, at=T0, fingerprint=FP)
    assert refused.value.refusal is Refusal.OTHER_TENANT


def test_the_apply_path_runs_through_applying_to_a_final_state() -> None:
    approved = transition(pending(), E.APPROVE, actor=ALEX, at=T0, fingerprint=FP).request
    applying = transition(approved, E.START_APPLY, actor=SYSTEM, at=T0).request
    partial = transition(applying, E.COMPLETE_PARTIALLY, actor=SYSTEM, at=T0).request
    assert partial.state is S.PARTIALLY_APPLIED
    again = transition(partial, E.RETRY_FAILED, actor=MEGAN, at=T0).request
    assert again.state is S.APPLYING
    assert transition(again, E.COMPLETE, actor=SYSTEM, at=T0).request.state is S.APPLIED


def test_every_state_but_the_final_ones_has_a_way_out() -> None:
    sources = {state for state, _event in TRANSITIONS}
    assert sources == set(RequestState) - {S.APPLIED, S.REJECTED, S.EXPIRED, S.CANCELLED, S.STALE}
    assert {S.PENDING, S.APPROVED, S.APPLYING} == LOCKING_STATES


PEOPLE = st.sampled_from([MEGAN, ALEX, MIRIAM, ADELE, replace(MEGAN, is_approver=True)])
STEPS = st.lists(
    st.tuples(
        st.sampled_from(list(RequestEvent)),
        st.one_of(PEOPLE, st.just(SYSTEM)),
        st.sampled_from([FP, OTHER_FP]),
        st.integers(min_value=0, max_value=100),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(steps=STEPS, required=st.integers(min_value=1, max_value=3))
def test_nothing_is_approved_without_enough_other_people_approving_that_fingerprint(
    steps: list[tuple[RequestEvent, Actor, str, int]], required: int
) -> None:
    request = pending(required_approvals=required)
    for event, actor, fingerprint, hours in steps:
        try:
            request = transition(
                request,
                event,
                actor=actor,
                at=T0 + timedelta(hours=hours),
                fingerprint=fingerprint,
                reason="because",
            ).request
        except RequestRefused:
            continue
        if request.state in (S.APPROVED, S.APPLYING, S.APPLIED, S.PARTIALLY_APPLIED, S.FAILED):
            approvers = {d.actor_id for d in request.approvals}
            assert len(approvers) >= required
            assert MEGAN.id not in approvers
            assert all(d.fingerprint == FP for d in request.approvals)


def test_admins_decide_self_service_requests_only_and_never_their_own() -> None:
    from sharedcalling.domain.requests import Refusal, RequestKind, RequestRefused, may_decide

    diego = UserId("00000000-0000-4000-8000-000000000005")
    megan_admin = Actor(TENANT, UserId("megan"), "Megan", is_admin=True)
    base = _pending_for_self_service(diego)
    assert may_decide(base, megan_admin)
    approved = transition(
        base,
        RequestEvent.APPROVE,
        actor=megan_admin,
        at=base.created_at,
        fingerprint=base.fingerprint,
    )
    assert approved.request.state is RequestState.APPROVED
    setup = replace(base, kind=RequestKind.SETUP)
    with pytest.raises(RequestRefused) as refused:
        transition(setup, RequestEvent.APPROVE, actor=megan_admin, at=base.created_at,
                   fingerprint=base.fingerprint)  # fmt: skip
    assert refused.value.refusal is Refusal.NOT_APPROVER
    for own in (Actor(TENANT, diego, "Diego", is_admin=True, is_approver=True),):
        with pytest.raises(RequestRefused) as refused:
            transition(base, RequestEvent.APPROVE, actor=own, at=base.created_at,
                       fingerprint=base.fingerprint)  # fmt: skip
        assert refused.value.refusal is Refusal.OWN_REQUEST


def _pending_for_self_service(user: UserId) -> ChangeRequest:
    from sharedcalling.domain.requests import RequestKind

    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    return ChangeRequest(
        id=RequestId("SC-00000005"), tenant_id=TENANT, kind=RequestKind.SELF_SERVICE,
        state=RequestState.PENDING, requester_id=user, requester_name="Diego",
        justification="Customers", fingerprint="sha256:" + "c" * 64, created_at=at,
        updated_at=at, expires_at=at + timedelta(hours=72), user_ids=(user,),
        beneficiary_id=user,
    )  # fmt: skip
