import asyncio
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.planning import plan
from sharedcalling.domain.rules import Severity, SubjectKind
from sharedcalling.domain.tenant import SharedCallingPolicy
from sharedcalling.services.changes import apply_changes
from sharedcalling.services.ports import SnapshotScope
from tests.strategies import RA_ID, SPARE, Scenario, base_snapshot, scenarios

# Each property applies up to 50 plans to a fresh emulated tenant: about a second per test.
pytestmark = pytest.mark.slow

BOUNDED = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def apply_and_replan(scenario: Scenario):
    first = plan(scenario.desired, scenario.snapshot)
    gateway = EmulatedTenantGateway.from_snapshot(scenario.snapshot)

    async def run():
        await apply_changes(first.changes, tenant=gateway)
        return await gateway.snapshot(SnapshotScope(user_ids=scenario.desired.user_ids))

    after = asyncio.run(run())
    return first, after, plan(scenario.desired, after)


@BOUNDED
@given(scenarios())
def test_applying_a_plan_then_planning_again_gives_an_empty_plan(scenario: Scenario):
    first, _, second = apply_and_replan(scenario)
    assert second.changes == ()
    assert second.blocked == first.blocked


@BOUNDED
@given(scenarios())
def test_no_fix_finding_remains_for_included_users_after_apply(scenario: Scenario):
    first, _, second = apply_and_replan(scenario)
    if first.blocked:
        return
    included = set(first.changing_user_ids) | set(first.compliant_user_ids)
    remaining = [
        f
        for f in second.findings
        if f.severity is Severity.FIX
        and f.subject.kind is SubjectKind.USER
        and f.subject.id in included
    ]
    assert remaining == []


@BOUNDED
@given(scenarios())
def test_users_with_a_block_finding_are_never_changed(scenario: Scenario):
    first, after, _ = apply_and_replan(scenario)
    for user_id in first.blocked_user_ids:
        assert after.users.get(user_id) == scenario.snapshot.users.get(user_id)
    assert not {c.subject.id for c in first.changes} & set(first.blocked_user_ids)


@BOUNDED
@given(scenarios(), st.randoms(use_true_random=False))
def test_the_fingerprint_is_deterministic_and_ignores_input_order(scenario: Scenario, rnd):
    users = list(scenario.desired.user_ids)
    rnd.shuffle(users)
    shuffled = replace(scenario.desired, user_ids=(*users, *users[:1]))
    once = plan(scenario.desired, scenario.snapshot)
    assert plan(scenario.desired, scenario.snapshot).fingerprint == once.fingerprint
    assert plan(shuffled, scenario.snapshot).fingerprint == once.fingerprint
    assert once.fingerprint.startswith("sha256:")


def test_a_new_policys_fingerprint_follows_the_admins_order_of_emergency_numbers():
    snapshot = base_snapshot({})
    first = plan(DesiredState(RA_ID, "Redmond", (), emergency_numbers=SPARE[:2]), snapshot)
    second = plan(DesiredState(RA_ID, "Redmond", (), emergency_numbers=SPARE[1::-1]), snapshot)
    assert first.fingerprint != second.fingerprint


def test_the_order_of_numbers_an_existing_policy_already_holds_does_not_count():
    # Compared as a set to decide whether a change is needed (docs/rules.md, "Names the plan
    # chooses").
    snapshot = replace(
        base_snapshot({}),
        shared_calling_policies={"Seattle": SharedCallingPolicy("Seattle", RA_ID, SPARE[:2])},
    )
    first = plan(DesiredState(RA_ID, "Seattle", (), emergency_numbers=SPARE[:2]), snapshot)
    second = plan(DesiredState(RA_ID, "Seattle", (), emergency_numbers=SPARE[1::-1]), snapshot)
    assert first.changes == second.changes == ()
    assert first.fingerprint == second.fingerprint


@BOUNDED
@given(scenarios())
def test_the_fingerprint_changes_when_a_fact_the_plan_rests_on_changes(scenario: Scenario):
    before = plan(scenario.desired, scenario.snapshot)
    user_id = scenario.desired.user_ids[0]
    user = scenario.snapshot.users[user_id]
    flipped = replace(user, enterprise_voice_enabled=not user.enterprise_voice_enabled)
    changed = replace(scenario.snapshot, users={**scenario.snapshot.users, user_id: flipped})
    after = plan(scenario.desired, changed)
    if user_id in before.blocked_user_ids or before.blocked:
        return
    assert after.fingerprint != before.fingerprint
