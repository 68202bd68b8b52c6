"""The hazard check on the emulated tenant: one fact changed at a time is found, announced
once, and closed when fixed; a read that fails is UNKNOWN, never drift."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.hazards import HazardClass, HazardState
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.domain.tenant import PolicyType
from sharedcalling.services.hazards.check import run_check
from sharedcalling.services.ports import TenantUnavailable
from tests.demo_ids import DIEGO, ISAIAH, MEGAN, RA_HELPDESK, RA_MAINLINE
from tests.hazards import edits
from tests.hazards.conftest import USERS, World


async def check(world: World) -> list[Hazard]:
    world.clock.advance(3600)
    outcome = await run_check(world.ports, trigger="schedule")
    assert outcome.ran
    return list(outcome.open_hazards)


async def closed(world: World) -> list[Hazard]:
    async with world.uow() as work:
        return await work.hazards.closed(world.ports.tenant_id)


def by_code(hazards: list[Hazard], code: str) -> Hazard:
    found = [h for h in hazards if h.code == code]
    assert len(found) == 1, [(h.code, h.subject.display) for h in hazards]
    return found[0]


async def test_what_the_request_set_up_checks_clean(world: World) -> None:
    assert await check(world) == []
    async with world.uow() as work:
        [record] = await work.hazards.checks(world.ports.tenant_id)
        facts = await work.hazards.facts(world.ports.tenant_id)
    assert record.outcome == "ok"
    assert record.summary["users"] == len(USERS)
    assert record.summary["policies"] == 1
    assert facts[f"user:{DIEGO}"]["caller ID"] == "SHARED, +14255550100"
    assert world.notifier.sent == []


@dataclass(frozen=True)
class Scenario:
    name: str
    change: Callable[[EmulatedTenantGateway], None]
    code: str
    hazard_class: HazardClass
    subject_id: str
    fact: str
    """A fact of the subject whose before and after the hazard must name."""


SCENARIOS = [
    Scenario("ra number removed", edits.remove_ra_number, "SC-R03",
             HazardClass.OUTBOUND_BROKEN, RA_MAINLINE, "numbers"),
    Scenario("ra license removed", edits.remove_ra_license, "SC-R02",
             HazardClass.OUTBOUND_BROKEN, RA_MAINLINE, "Teams Phone Resource Account license"),
    Scenario("emergency number assigned to a user",
             lambda t: edits.assign_number(t, edits.EMERGENCY_NUMBER, ISAIAH), "SC-E04",
             HazardClass.EMERGENCY, edits.EMERGENCY_NUMBER, "assignment"),
    Scenario("user given a number", lambda t: edits.assign_number(t, edits.SPARE_NUMBER, DIEGO),
             "SC-U05", HazardClass.CALLER_ID, DIEGO, "phone numbers"),
    Scenario("user's voice routing policy given usages",
             lambda t: edits.give_usages(t, "NoPSTN", "US-Default"), "SC-U07",
             HazardClass.OUTBOUND_BROKEN, "vrp:NoPSTN", "PSTN usages"),
    Scenario("policy's resource account changed in the admin center",
             lambda t: edits.point_policy_at(t, "Seattle", RA_HELPDESK), "SC-P01",
             HazardClass.CALLER_ID, "Seattle", "resource account"),
]  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_one_changed_fact_is_drift_announced_once_and_closed_when_undone(
    world: World, scenario: Scenario
) -> None:
    assert await check(world) == []  # the baseline: as set up
    before = world.tenant._state.objects()
    scenario.change(world.tenant)

    hazard = by_code(await check(world), scenario.code)
    assert hazard.state is HazardState.DRIFTED
    assert hazard.hazard_class is scenario.hazard_class
    assert hazard.subject.id.lower() == scenario.subject_id.lower()
    assert hazard.first_seen == world.clock.now()
    [(_fact, was, now)] = [c for c in hazard.changes if c[0] == scenario.fact]
    assert was != now
    assert hazard.request_ids == (world.request.id,)
    cards = world.notifier.to(MEGAN)
    assert [m for m in cards if hazard.id in m.text], "the admin got the hazard"
    announced = len(world.notifier.sent)

    again = by_code(await check(world), scenario.code)
    assert (again.id, again.first_seen) == (hazard.id, hazard.first_seen)
    assert again.last_seen == world.clock.now() > hazard.last_seen
    assert len(world.notifier.sent) == announced, "announced once"

    edits.put(world.tenant, *before)  # undone by hand
    remaining = await check(world)
    assert hazard.id not in {h.id for h in remaining}
    [gone] = [h for h in await closed(world) if h.id == hazard.id]
    assert gone.state is HazardState.OK
    assert gone.closed_at == world.clock.now()
    assert gone.resolution == "the check found it as set up again"
    assert [d for d, _ in world.notifier.updates if d.activity_id], "its card says resolved"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_outbound_broken_hazard_tells_the_affected_people_and_says_admins_know(
    world: World,
) -> None:
    edits.remove_ra_number(world.tenant)
    await check(world)
    [told] = world.notifier.to(DIEGO)
    assert "outside calls will fail" in told.text
    assert "SC-R03" in told.text
    assert "The bot has told your Teams admins" in told.text
    await check(world)
    assert len(world.notifier.to(DIEGO)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_without_a_reachable_admin_nobody_is_told_that_admins_know(world: World) -> None:
    world.notifier.reachable.discard(MEGAN)
    edits.remove_ra_number(world.tenant)
    [hazard] = await check(world)
    [told] = world.notifier.to(DIEGO)
    assert "admins" not in told.text
    assert hazard.announced_at is None
    world.notifier.reachable.add(MEGAN)
    await check(world)
    assert [m for m in world.notifier.to(MEGAN) if hazard.id in m.text], "retried next check"


@pytest.mark.parametrize(
    "fault",
    [
        lambda t: t.faults.throttle("snapshot", times=1, retry_after=7),
        lambda t: t.faults.fail(
            "snapshot", TenantUnavailable("gateway timeout", operation="snapshot")
        ),
    ],
    ids=["throttled", "failing"],
)
async def test_a_failed_read_is_unknown_never_drift_and_announces_nothing(
    world: World, fault: Callable[[EmulatedTenantGateway], None]
) -> None:
    edits.remove_ra_number(world.tenant)
    fault(world.tenant)
    [unknown] = await check(world)
    assert unknown.state is HazardState.UNKNOWN
    assert unknown.code == "READ"
    assert "snapshot" in unknown.message
    assert ("TenantThrottled" in unknown.message) or ("TenantUnavailable" in unknown.message)
    assert world.notifier.sent == []
    async with world.uow() as work:
        [record] = await work.hazards.checks(world.ports.tenant_id, limit=1)
    assert record.outcome == "unknown"
    assert record.summary["operation"] == "snapshot"

    hazards = await check(world)  # the read works again: now the drift is seen
    assert [h.code for h in hazards] == ["SC-R03"]
    assert [h.code for h in await closed(world)] == ["READ"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_drift_already_open_stays_open_while_reads_fail(world: World) -> None:
    edits.remove_ra_number(world.tenant)
    [hazard] = await check(world)
    world.tenant.faults.fail("snapshot", TenantUnavailable("down", operation="snapshot"), times=2)
    open_now = await check(world)
    assert {h.code for h in open_now} == {"SC-R03", "READ"}
    kept = by_code(open_now, "SC-R03")
    assert (kept.state, kept.last_seen) == (HazardState.DRIFTED, hazard.last_seen)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_license_the_backend_cannot_read_is_unknown_not_drift(world: World) -> None:
    from sharedcalling.domain.tenant import (
        PLAN_RESOURCE_ACCOUNT,
        License,
        ProvisioningStatus,
        ServicePlan,
    )

    ra = world.tenant._state.user(RA_MAINLINE)
    assert ra is not None
    doubt = tuple(
        License(lic.sku_part_number, tuple(
            replace(p, status=ProvisioningStatus.UNKNOWN) if p.name == PLAN_RESOURCE_ACCOUNT else p
            for p in lic.service_plans))
        for lic in ra.licenses
    )  # fmt: skip
    assert ServicePlan  # imported for the reader: the plan keeps its name, loses its state
    edits.put(world.tenant, replace(ra, licenses=doubt))
    [hazard] = await check(world)
    assert (hazard.code, hazard.state) == ("SC-R02", HazardState.UNKNOWN)
    assert world.notifier.sent == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_users_of_a_policy_left_by_the_check_are_grouped_by_cause(world: World) -> None:
    for user in USERS:
        edits.grant_directly(world.tenant, user, PolicyType.VOICE_ROUTING, "DE-Berlin-PSTN")
    [hazard] = await check(world)
    assert (hazard.code, hazard.subject.id) == ("SC-U07", "vrp:DE-Berlin-PSTN")
    assert sorted(hazard.affected_user_ids) == sorted(u.lower() for u in USERS)
    assert hazard.affected_count == 3
