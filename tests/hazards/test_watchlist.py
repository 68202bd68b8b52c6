"""What the watch checks: users and policies of our applied requests, the newest one winning."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.planning.changes import GrantPolicy
from sharedcalling.domain.planning.codec import desired_to_json
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
from sharedcalling.domain.rules.model import ChangeKind, Subject, SubjectKind
from sharedcalling.domain.tenant import PolicyType
from sharedcalling.services.apply.replan import revert_desired_to_json
from sharedcalling.services.hazards.watchlist import build_watchlist, load_watchlist
from tests.demo_ids import ADELE, DIEGO, MEGAN, NESTOR, RA_HELPDESK, RA_MAINLINE
from tests.hazards.conftest import World
from tests.hazards.support import TENANT

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def request(
    n: int,
    desired: DesiredState,
    *,
    state: RequestState = RequestState.APPLIED,
    plan: dict[str, object] | None = None,
) -> ChangeRequest:
    return ChangeRequest(
        id=RequestId(f"SC-0000000{n}"), tenant_id=TENANT, kind=RequestKind.SETUP, state=state,
        requester_id=MEGAN, requester_name="Megan", justification="", fingerprint="sha256:x",
        created_at=AT + timedelta(minutes=n), updated_at=AT, desired=desired_to_json(desired),
        plan=plan or {},
    )  # fmt: skip


def warned(code: str, subject: str) -> dict[str, object]:
    return {"findings": [{"code": code, "severity": "WARN", "subject": {"id": subject}}]}


def test_the_newest_request_wins_for_a_user_and_for_a_policy() -> None:
    older = request(1, DesiredState(RA_MAINLINE, "Seattle", (ADELE, DIEGO), ("+14255550191",)),
                    plan=warned("SC-E08", "Seattle"))  # fmt: skip
    newer = request(
        2, DesiredState(RA_MAINLINE, "Seattle", (DIEGO,)), plan=warned("SC-R10", RA_MAINLINE)
    )
    elsewhere = request(3, DesiredState(RA_HELPDESK, "HelpDesk", (NESTOR,)))
    watchlist = build_watchlist([elsewhere, newer, older])  # newest first, as the store gives them
    users = {w.user_id: (w.policy_name, w.request_id) for w in watchlist.users}
    assert users == {
        ADELE: ("Seattle", older.id),
        DIEGO: ("Seattle", newer.id),
        NESTOR: ("HelpDesk", elsewhere.id),
    }
    seattle = next(p for p in watchlist.policies if p.policy_name == "Seattle")
    assert seattle.request_id == newer.id
    assert seattle.emergency_numbers is None, "the newest request kept the policy's numbers"
    assert seattle.user_ids == tuple(sorted((ADELE, DIEGO)))
    assert seattle.accepted == {"SC-E08|seattle", f"SC-R10|{RA_MAINLINE}"}


def test_users_the_plan_left_out_are_not_watched_and_unreadable_requests_are_skipped() -> None:
    blocked = request(1, DesiredState(RA_MAINLINE, "Seattle", (ADELE, DIEGO)),
                      plan={"blocked_user_ids": [DIEGO.upper()]})  # fmt: skip
    broken = request(2, DesiredState(RA_MAINLINE, "Seattle", (NESTOR,)))
    broken = replace(broken, desired={"v": 99})
    watchlist = build_watchlist([broken, blocked])
    assert watchlist.user_ids == (ADELE,)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_only_applied_and_partially_applied_requests_count(world: World) -> None:
    pending = request(
        7, DesiredState(RA_HELPDESK, "HelpDesk", (NESTOR,)), state=RequestState.PENDING
    )
    partial = request(8, DesiredState(RA_HELPDESK, "HelpDesk", (UserId(ADELE),)),
                      state=RequestState.PARTIALLY_APPLIED)  # fmt: skip
    async with world.uow() as work:
        await work.requests.add(pending)
        await work.requests.add(partial)
        await work.commit()
    watchlist = await load_watchlist(TENANT, uow=world.uow, apply_store=world.ports.apply_store)
    assert ADELE in watchlist.user_ids
    assert NESTOR not in watchlist.user_ids
    assert {p.policy_name for p in watchlist.policies} == {"Seattle", "HelpDesk"}


def reverting(n: int, parent: ChangeRequest, *users: str) -> ChangeRequest:
    """An applied revert of `parent` that set `users`' Shared Calling policy back to Global."""
    targets = [
        GrantPolicy(ChangeKind.SCP_GRANT_USER, Subject(SubjectKind.USER, u, u),
                    PolicyType.SHARED_CALLING, before="Seattle (direct)", policy_name=None)
        for u in users
    ]  # fmt: skip
    base = request(n, DesiredState(RA_MAINLINE, "Seattle", ()))
    return replace(
        base, kind=RequestKind.REVERT, parent_id=parent.id,
        desired=revert_desired_to_json(parent.id, targets, ()),
    )  # fmt: skip


def test_a_revert_undoes_its_request_and_sets_its_users_back_from_older_ones() -> None:
    older = request(1, DesiredState(RA_MAINLINE, "Seattle", (ADELE, DIEGO, NESTOR)))
    reverted = request(2, DesiredState(RA_HELPDESK, "HelpDesk", (DIEGO, MEGAN)))
    revert = reverting(3, reverted, DIEGO)  # Megan was on HelpDesk already: nothing to undo
    newer = request(4, DesiredState(RA_MAINLINE, "Seattle", (MEGAN,)))
    watchlist = build_watchlist([newer, revert, reverted, older])
    users = {w.user_id: w.request_id for w in watchlist.users}
    # Diego was set back by the revert: not watched for the older request either. Megan is the
    # newer request's; Adele and Nestor the older one's. HelpDesk: no applied request any more.
    assert users == {ADELE: older.id, NESTOR: older.id, MEGAN: newer.id}
    [seattle] = watchlist.policies
    assert (seattle.policy_name, seattle.request_id) == ("Seattle", newer.id)


def test_a_reverted_request_alone_on_its_policy_leaves_it_unwatched() -> None:
    setup = request(1, DesiredState(RA_HELPDESK, "HelpDesk", (NESTOR,)))
    other = request(2, DesiredState(RA_MAINLINE, "Seattle", (ADELE,)))
    watchlist = build_watchlist([reverting(3, setup, NESTOR), other, setup])
    assert watchlist.user_ids == (ADELE,)
    assert [p.policy_name for p in watchlist.policies] == ["Seattle"]


def test_users_whose_revert_failed_stay_watched_and_a_revert_of_a_revert_restores() -> None:
    setup = request(1, DesiredState(RA_MAINLINE, "Seattle", (ADELE, DIEGO)))
    revert = replace(reverting(2, setup, ADELE, DIEGO), state=RequestState.PARTIALLY_APPLIED)
    failed = {revert.id: frozenset({DIEGO})}
    assert build_watchlist([revert, setup], failed).user_ids == (DIEGO,)

    again = reverting(3, revert, ADELE)  # the revert reverted: the set-up is back
    watchlist = build_watchlist([again, revert, setup], failed)
    assert watchlist.user_ids == tuple(sorted((ADELE, DIEGO)))
    assert {w.request_id for w in watchlist.users} == {setup.id}
    assert [p.request_id for p in watchlist.policies] == [setup.id]


def test_users_whose_changes_failed_are_left_to_older_requests() -> None:
    older = request(1, DesiredState(RA_MAINLINE, "Seattle", (DIEGO,)))
    partial = request(2, DesiredState(RA_HELPDESK, "HelpDesk", (ADELE, DIEGO)),
                      state=RequestState.PARTIALLY_APPLIED)  # fmt: skip
    watchlist = build_watchlist([partial, older], {partial.id: frozenset({DIEGO})})
    users = {w.user_id: w.request_id for w in watchlist.users}
    assert users == {ADELE: partial.id, DIEGO: older.id}
