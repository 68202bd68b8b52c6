"""Test-then-set: nothing of a fresh plan is in place before apply, everything after it."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.apply import accounts_to_read, current_value, in_place
from sharedcalling.domain.apply.readback import shown_text
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import (
    ChangeKind,
    CreateVoiceRoutingPolicy,
    DisableVoice,
    EnableVoice,
    GrantPolicy,
)
from sharedcalling.domain.rules import Subject, SubjectKind
from sharedcalling.domain.tenant import PolicyType, TenantSnapshot, VoiceRoutingPolicy
from sharedcalling.services.changes import apply_change
from sharedcalling.services.planning import preview_plan
from sharedcalling.services.ports import SnapshotScope
from tests.demo_ids import ADELE, DIEGO, LEE, PRADEEP, RA_BERLIN, RA_MAINLINE

CASES = [
    pytest.param(DesiredState(RA_MAINLINE, "Seattle", (DIEGO, PRADEEP)), id="existing policy"),
    pytest.param(
        DesiredState(RA_MAINLINE, "Pilot", (DIEGO, ADELE), ("+14255550193", "+14255550194")),
        id="new policy",
    ),
    pytest.param(
        DesiredState(RA_MAINLINE, "Seattle", (DIEGO,), ("+14255550192", "+14255550193")),
        id="numbers moved",
    ),
    pytest.param(
        DesiredState(RA_BERLIN, "Berlin", (PRADEEP,), ra_voice_routing_policy="DE-Berlin-PSTN"),
        id="direct routing",
    ),
]


async def read(gateway: EmulatedTenantGateway, ids: Sequence[str]) -> TenantSnapshot:
    return await gateway.snapshot(SnapshotScope(user_ids=[UserId(i) for i in ids]))


@pytest.mark.parametrize("desired", CASES)
async def test_no_change_of_a_fresh_plan_is_in_place_and_every_one_is_after_apply(
    desired: DesiredState,
) -> None:
    gateway = EmulatedTenantGateway.seeded()
    changes = (await preview_plan(desired, tenant=gateway)).plan.changes
    assert changes
    before = await read(gateway, accounts_to_read(changes))
    assert not any(in_place(c, before) for c in changes)
    for change in changes:
        await apply_change(change, tenant=gateway)
    after = await read(gateway, accounts_to_read(changes))
    assert all(in_place(c, after) for c in changes)


async def test_current_values_are_what_a_revert_needs() -> None:
    gateway = EmulatedTenantGateway.seeded()
    snapshot = await read(gateway, [DIEGO, ADELE, LEE])
    diego, adele = Subject(SubjectKind.USER, DIEGO, "D"), Subject(SubjectKind.USER, ADELE, "A")
    assert current_value(EnableVoice(diego), snapshot) == {"voice": False}
    assert current_value(DisableVoice(adele), snapshot) == {"voice": True}
    scp = GrantPolicy(ChangeKind.SCP_GRANT_USER, adele, PolicyType.SHARED_CALLING, "", "X")
    assert current_value(scp, snapshot) == {"direct": "Seattle"}
    vrp = GrantPolicy(ChangeKind.USER_GRANT_VRP, diego, PolicyType.VOICE_ROUTING, "", "X")
    assert current_value(vrp, snapshot) == {"direct": None}
    assert current_value(CreateVoiceRoutingPolicy(VoiceRoutingPolicy("NoPSTN")), snapshot) == {
        "exists": True
    }


async def test_a_grant_of_no_policy_is_in_place_only_without_a_direct_assignment() -> None:
    snapshot = await read(EmulatedTenantGateway.seeded(), [ADELE, DIEGO])
    adele, diego = Subject(SubjectKind.USER, ADELE, "A"), Subject(SubjectKind.USER, DIEGO, "D")
    kind, policy_type = ChangeKind.SCP_GRANT_USER, PolicyType.SHARED_CALLING
    assert not in_place(GrantPolicy(kind, adele, policy_type, "", None), snapshot)
    assert in_place(GrantPolicy(kind, diego, policy_type, "", None), snapshot)
    assert in_place(GrantPolicy(kind, adele, policy_type, "", "tag:SEATTLE"), snapshot)


async def test_an_existing_policy_with_other_usages_is_not_in_place() -> None:
    snapshot = await read(EmulatedTenantGateway.seeded(), [])
    assert not in_place(CreateVoiceRoutingPolicy(VoiceRoutingPolicy("NoPSTN", ("X",))), snapshot)
    assert in_place(CreateVoiceRoutingPolicy(VoiceRoutingPolicy("NoPSTN")), snapshot)


async def test_what_teams_shows_is_said_in_words_for_the_report() -> None:
    gateway = EmulatedTenantGateway.seeded()
    snapshot = await read(gateway, [DIEGO, ADELE])
    diego, adele = Subject(SubjectKind.USER, DIEGO, "D"), Subject(SubjectKind.USER, ADELE, "A")
    ghost = Subject(SubjectKind.USER, UserId("00000000-0000-4000-8000-0000000009ff"), "G")
    scp = GrantPolicy(ChangeKind.SCP_GRANT_USER, adele, PolicyType.SHARED_CALLING, "", "X")
    vrp = GrantPolicy(ChangeKind.USER_GRANT_VRP, diego, PolicyType.VOICE_ROUTING, "", "X")
    said = {
        shown_text(EnableVoice(diego), snapshot),
        shown_text(DisableVoice(adele), snapshot),
        shown_text(EnableVoice(ghost), snapshot),
        shown_text(scp, snapshot),
        shown_text(vrp, snapshot),
        shown_text(CreateVoiceRoutingPolicy(VoiceRoutingPolicy("Nowhere")), snapshot),
    }
    assert said == {
        "Enterprise Voice off",
        "Enterprise Voice on",
        "no such account any more",
        'the policy "Seattle" assigned directly',
        "no direct assignment (Global or a group's policy applies)",
        "no such policy",
    }
    assert not any("{" in text for text in said)  # never a raw value
