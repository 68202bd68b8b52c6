"""What the watch checks: users and policies of our applied requests, the newest one winning."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.planning.codec import desired_to_json
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
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
    watchlist = await load_watchlist(TENANT, uow=world.uow)
    assert ADELE in watchlist.user_ids
    assert NESTOR not in watchlist.user_ids
    assert {p.policy_name for p in watchlist.policies} == {"Seattle", "HelpDesk"}
