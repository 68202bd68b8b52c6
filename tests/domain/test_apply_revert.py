"""Reverts: the recorded before-values come back, and a changed tenant makes a revert stale."""

from __future__ import annotations

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.apply import (
    AppliedChange,
    NotRevertible,
    accounts_to_read,
    current_value,
    plan_revert,
    revert_targets,
)
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import ChangeKind, DisableVoice, GrantPolicy
from sharedcalling.domain.tenant import PolicyType, TenantSnapshot
from sharedcalling.services.changes import apply_change
from sharedcalling.services.planning import preview_plan
from sharedcalling.services.ports import SnapshotScope
from tests.demo_ids import ADELE, DIEGO, PATTI, RA_MAINLINE


async def applied_with_befores(
    gateway: EmulatedTenantGateway, desired: DesiredState
) -> list[AppliedChange]:
    changes = (await preview_plan(desired, tenant=gateway)).plan.changes
    applied = []
    for change in changes:
        snapshot = await read(gateway)
        applied.append(AppliedChange(change, current_value(change, snapshot)))  # type: ignore[arg-type]
        await apply_change(change, tenant=gateway)
    return applied


async def read(gateway: EmulatedTenantGateway) -> TenantSnapshot:
    return await gateway.snapshot(SnapshotScope(user_ids=[ADELE, DIEGO, PATTI]))


def facts(snapshot: TenantSnapshot, user_id: str) -> tuple[object, ...]:
    user = snapshot.user(user_id)
    assert user is not None
    return (
        user.enterprise_voice_enabled,
        sorted((p.policy_type, p.name) for p in user.direct_policies),
    )


async def test_a_revert_puts_every_recorded_value_back_and_then_needs_nothing() -> None:
    gateway = EmulatedTenantGateway.seeded()
    original = await read(gateway)
    desired = DesiredState(RA_MAINLINE, "Pilot", (DIEGO, ADELE, PATTI), ("+14255550193",))
    applied = await applied_with_befores(gateway, desired)
    targets, refused = revert_targets(applied)
    revert = plan_revert(targets, await read(gateway))
    assert revert.changes
    assert [r.change.kind for r in refused] == [ChangeKind.SCP_CREATE]  # NoPSTN existed
    assert all(isinstance(r, NotRevertible) and "stays" in r.reason for r in refused)
    for change in revert.changes:
        await apply_change(change, tenant=gateway)
    reverted = await read(gateway)
    for user in (DIEGO, ADELE, PATTI):
        assert facts(reverted, user) == facts(original, user)
    assert plan_revert(targets, reverted).changes == ()


async def test_a_revert_runs_newest_first_and_disables_only_voice_the_request_enabled() -> None:
    gateway = EmulatedTenantGateway.seeded()
    desired = DesiredState(RA_MAINLINE, "Seattle", (DIEGO, ADELE, PATTI))
    applied = await applied_with_befores(gateway, desired)
    targets, _ = revert_targets(applied)
    kinds = [c.kind for c in targets]
    assert kinds == sorted(kinds, key=lambda k: -k.order)
    assert [c.subject.id for c in targets if isinstance(c, DisableVoice)] == [DIEGO]
    assert ADELE not in {c.subject.id for c in targets}  # compliant: nothing was written
    restored = {
        c.subject.id: c.policy_name
        for c in targets
        if isinstance(c, GrantPolicy) and c.policy_type is PolicyType.SHARED_CALLING
    }
    assert restored == {PATTI: "HelpDesk", DIEGO: None}  # None unassigns: he had no grant


async def test_the_revert_fingerprint_follows_the_tenant() -> None:
    gateway = EmulatedTenantGateway.seeded()
    applied = await applied_with_befores(gateway, DesiredState(RA_MAINLINE, "Seattle", (DIEGO,)))
    targets, _ = revert_targets(applied)
    first = plan_revert(targets, await read(gateway))
    assert plan_revert(targets, await read(gateway)).fingerprint == first.fingerprint
    await gateway.grant_policy(PolicyType.SHARED_CALLING, UserId(DIEGO), "HelpDesk")
    moved = plan_revert(targets, await read(gateway))
    assert moved.fingerprint != first.fingerprint
    assert accounts_to_read(moved.changes) == [DIEGO]
