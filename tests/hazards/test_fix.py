""" "Plan a fix": a FIX request from the current state, through approval like any plan."""

from __future__ import annotations

import pytest

from sharedcalling.domain.access import Principal, Role
from sharedcalling.domain.errors import NotPermitted
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
from sharedcalling.services.hazards.check import run_check
from sharedcalling.services.hazards.fix import (
    FixAlreadyPlanned,
    FixNotPossible,
    FixSubmitted,
    HazardResolved,
    plan_fix,
)
from sharedcalling.services.requests import get_request
from sharedcalling.services.unit_of_work import UsersLocked
from tests.demo_ids import ALEX, DIEGO, MEGAN
from tests.hazards import edits
from tests.hazards.conftest import USERS, World
from tests.hazards.support import TENANT, approve_and_apply

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ADMIN = Principal(TENANT, MEGAN, "Megan Bowen", frozenset({Role.USER, Role.ADMIN}))
APPROVER = Principal(TENANT, ALEX, "Alex Wilber", frozenset({Role.USER, Role.APPROVER}))


class Hook:
    def __init__(self) -> None:
        self.submitted: list[ChangeRequest] = []

    async def __call__(self, request: ChangeRequest) -> None:
        self.submitted.append(request)


async def check(world: World):  # type: ignore[no-untyped-def]
    world.clock.advance(3600)
    return (await run_check(world.ports, trigger="schedule")).open_hazards


async def test_a_fixable_hazard_becomes_a_fix_request_that_closes_it_once_applied(
    world: World,
) -> None:
    await check(world)
    edits.give_usages(world.tenant, "NoPSTN", "US-Default")
    [hazard] = await check(world)
    hook = Hook()

    result = await plan_fix(world.ports, ADMIN, hazard.id, after_submit=hook)
    assert isinstance(result, FixSubmitted)
    request = result.request
    assert (request.kind, request.state) == (RequestKind.FIX, RequestState.PENDING)
    assert request.parent_id == world.request.id
    assert request.requester_id == MEGAN
    assert sorted(request.user_ids) == sorted(u.lower() for u in USERS)
    assert {c.kind.value for c in result.preview.plan.changes} == {
        "vrp.create_empty",
        "user.grant_vrp",
    }
    assert hook.submitted == [request], "announced to approvers like any plan"
    again = await plan_fix(world.ports, ADMIN, hazard.id, after_submit=hook)
    assert isinstance(again, FixAlreadyPlanned)
    assert again.request.id == request.id

    await approve_and_apply(request.id, result.preview.plan, world.tenant, world.uow, world.clock)
    assert await check(world) == ()
    stored = await get_request(TENANT, request.id, uow=world.uow)
    assert stored.state is RequestState.APPLIED
    resolved = await plan_fix(world.ports, ADMIN, hazard.id, after_submit=hook)
    assert isinstance(resolved, HazardResolved)


async def test_what_no_change_can_mend_is_said_with_the_rule_and_nothing_is_submitted(
    world: World,
) -> None:
    edits.remove_ra_number(world.tenant)
    [hazard] = await check(world)
    hook = Hook()
    result = await plan_fix(world.ports, ADMIN, hazard.id, after_submit=hook)
    assert isinstance(result, FixNotPossible)
    assert "SC-R03" in result.reason
    assert [f.code for f in result.blocks] == ["SC-R03"]
    assert hook.submitted == []


async def test_only_admins_plan_fixes(world: World) -> None:
    edits.give_usages(world.tenant, "NoPSTN", "US-Default")
    [hazard] = await check(world)
    with pytest.raises(NotPermitted):
        await plan_fix(world.ports, APPROVER, hazard.id, after_submit=Hook())


async def test_users_in_another_open_request_are_named(world: World) -> None:
    from sharedcalling.domain.desired import DesiredState
    from sharedcalling.services.planning import preview_plan
    from tests.demo_ids import RA_HELPDESK
    from tests.hazards.support import submit_plan

    edits.give_usages(world.tenant, "NoPSTN", "US-Default")
    [hazard] = await check(world)
    other = await preview_plan(
        DesiredState(RA_HELPDESK, "HelpDesk", user_ids=(DIEGO,)), tenant=world.tenant
    )
    pending = await submit_plan(other.plan, world.uow, world.clock)
    with pytest.raises(UsersLocked) as locked:
        await plan_fix(world.ports, ADMIN, hazard.id, after_submit=Hook())
    assert locked.value.holders == {DIEGO: pending.id}
