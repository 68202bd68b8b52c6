"""Apply order: levels follow the plan's sequence, and `needs` names what stops a change."""

from __future__ import annotations

import asyncio

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.apply import levels, needs
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.planning import (
    Change,
    ChangeKind,
    CreateSharedCallingPolicy,
    CreateVoiceRoutingPolicy,
    EnableVoice,
    GrantPolicy,
    SetNumberLocation,
    UpdateEmergencyNumbers,
)
from sharedcalling.domain.rules import Subject, SubjectKind
from sharedcalling.domain.tenant import PolicyType, SharedCallingPolicy, VoiceRoutingPolicy
from sharedcalling.services.planning import preview_plan
from tests.demo_ids import DIEGO, PRADEEP, RA_MAINLINE

DIEGO_S = Subject(SubjectKind.USER, DIEGO, "Diego")
PRADEEP_S = Subject(SubjectKind.USER, PRADEEP, "Pradeep")
RA = Subject(SubjectKind.RESOURCE_ACCOUNT, RA_MAINLINE, "Main line")


def grant(kind: ChangeKind, subject: Subject, policy_type: PolicyType, name: str) -> GrantPolicy:
    return GrantPolicy(kind, subject, policy_type, "Global", name)


def test_a_real_plan_runs_in_levels_of_one_kind_in_catalogue_order() -> None:
    desired = DesiredState(RA_MAINLINE, "Pilot", (DIEGO, PRADEEP), ("+14255550193",))
    preview = asyncio.run(preview_plan(desired, tenant=EmulatedTenantGateway.seeded()))
    changes = preview.plan.changes
    grouped = levels(changes)
    kinds = [changes[level[0]].kind for level in grouped]
    assert kinds == sorted(set(kinds), key=lambda k: k.order)  # one level per kind, in order
    assert sum(len(level) for level in grouped) == len(changes)
    assert all(len({changes[i].kind for i in level}) == 1 for level in grouped)


def test_a_reversed_sequence_gives_reversed_levels() -> None:
    changes: list[Change] = [
        EnableVoice(DIEGO_S),
        EnableVoice(PRADEEP_S),
        grant(ChangeKind.SCP_GRANT_USER, DIEGO_S, PolicyType.SHARED_CALLING, "Seattle"),
    ]
    assert levels(changes) == [[0, 1], [2]]
    assert levels(changes[::-1]) == [[0], [1, 2]]


def test_a_users_grants_need_their_enterprise_voice_and_nothing_of_other_users() -> None:
    changes: list[Change] = [
        EnableVoice(DIEGO_S),
        EnableVoice(PRADEEP_S),
        grant(ChangeKind.USER_GRANT_VRP, DIEGO_S, PolicyType.VOICE_ROUTING, "NoPSTN"),
        grant(ChangeKind.SCP_GRANT_USER, DIEGO_S, PolicyType.SHARED_CALLING, "Seattle"),
    ]
    assert needs(changes) == [(), (), (0,), (0, 2)]


def test_grants_of_a_created_policy_need_its_creation() -> None:
    vrp = CreateVoiceRoutingPolicy(VoiceRoutingPolicy("SC-NoPstn"))
    changes: list[Change] = [
        vrp,
        grant(ChangeKind.USER_GRANT_VRP, DIEGO_S, PolicyType.VOICE_ROUTING, "sc-nopstn"),
        grant(ChangeKind.USER_GRANT_VRP, PRADEEP_S, PolicyType.VOICE_ROUTING, "Other"),
    ]
    assert needs(changes) == [(), (0,), ()]


def test_shared_calling_changes_need_the_resource_accounts_changes() -> None:
    policy = SharedCallingPolicy("Pilot", RA_MAINLINE, ("+14255550193",))
    changes: list[Change] = [
        SetNumberLocation(RA, "+14255550100", None, "loc"),
        CreateSharedCallingPolicy(policy, RA),
        grant(ChangeKind.SCP_GRANT_USER, DIEGO_S, PolicyType.SHARED_CALLING, "Pilot"),
        grant(ChangeKind.USER_GRANT_VRP, PRADEEP_S, PolicyType.VOICE_ROUTING, "NoPSTN"),
    ]
    assert needs(changes) == [(), (0,), (0, 1), ()]


def test_a_number_added_again_needs_its_release() -> None:
    changes: list[Change] = [
        UpdateEmergencyNumbers(ChangeKind.SCP_REMOVE_NUMBERS, "HelpDesk", ("+1a",), (), ()),
        UpdateEmergencyNumbers(ChangeKind.SCP_ADD_NUMBERS, "Seattle", ("+1b",), (), ()),
        UpdateEmergencyNumbers(ChangeKind.SCP_ADD_NUMBERS, "Pilot", ("+1a",), (), ()),
    ]
    assert needs(changes) == [(), (), (0,)]
