"""The caller-ID answer and the plan's rules agree, over generated tenants (issue 7).

For a user whose effective Shared Calling policy names a resource account, every rule of `RULES`
is run as a plan would run it to keep that user on that policy (unfiltered: a plan drops the FIX
findings of a user it blocks, but the setup is as wrong as before):

- the answer says SHARED or SHARED_EXT only when no rule BLOCKs the resource account's calling;
- whenever a rule BLOCKs the resource account's calling, the answer is not SHARED;
- a BLOCK the backend's data cannot confirm (an `Unknown` license state) never reads as a
  verdict: a SHARED answer then says "I cannot tell" and names the code;
- an emergency-setup problem the rules find (an unsuitable or missing ECRP, SC-U08; no location
  on the RA number, SC-R04; a BLOCK on the callback pool, SC-E01..SC-E07) shows in the answer as
  "emergency calling is not set up correctly", with the code and without a callback number;
  without one, the answer names the callback numbers or the main number.

SC-R04 is a resource account BLOCK that concerns the emergency path only: outside calls still
present the shared number, so the answer stays SHARED and names SC-R04 in its emergency part.
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.callerid import EmergencyKind, Outcome, caller_id_answer
from sharedcalling.domain.callerid_facts import _teams_phone_reason
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.policy import effective_policy
from sharedcalling.domain.rules import RULES, Finding, Severity, SubjectKind, build_context
from sharedcalling.domain.rules.user_rules import teams_phone_problem
from sharedcalling.domain.tenant import PolicyType, ProvisioningStatus, TenantSnapshot, User
from sharedcalling.services.ports import SnapshotScope
from tests.strategies import agreement_tenants

SHARED = (Outcome.SHARED, Outcome.SHARED_EXT)
EMERGENCY_CODES = {"SC-U08", "SC-R04", *(f"SC-E0{n}" for n in range(1, 8))}


def rules_for(user: User, snapshot: TenantSnapshot) -> tuple[Finding, ...] | None:
    """Findings of a plan keeping `user` on their effective policy; None without one."""
    effective = effective_policy(user, PolicyType.SHARED_CALLING, snapshot)
    policy = snapshot.shared_calling_policy(effective.name)
    if policy is None or policy.resource_account_id is None:
        return None
    numbers = snapshot.numbers_of(user.id)
    extension = len(numbers) == 1 and numbers[0].has_extension
    desired = DesiredState(
        resource_account_id=policy.resource_account_id,
        policy_name=policy.name,
        user_ids=(user.id,),
        extension_dialing_user_ids=frozenset({user.id}) if extension else frozenset(),
    )
    ctx = build_context(desired, snapshot)
    return tuple(finding for rule in RULES for finding in rule.check(ctx))


def calling_blocks(findings: tuple[Finding, ...], *, uncertain: bool = False) -> set[str]:
    """RA BLOCKs on outside calls; `uncertain` picks those the data cannot confirm instead."""
    return {
        f.code
        for f in findings
        if f.severity is Severity.BLOCK
        and f.subject.kind is SubjectKind.RESOURCE_ACCOUNT
        and f.code != "SC-R04"
        and f.uncertain is uncertain
    }


def emergency_problems(findings: tuple[Finding, ...]) -> set[str]:
    return {
        f.code
        for f in findings
        if f.code in EMERGENCY_CODES
        and (f.severity is Severity.BLOCK or f.code in {"SC-U08", "SC-R04"})
    }


@settings(max_examples=400, deadline=None)
@given(agreement_tenants())
def test_the_answer_says_shared_only_when_the_rules_let_the_account_carry_calls(
    snapshot: TenantSnapshot,
) -> None:
    for user in snapshot.users.values():
        if user.is_resource_account:
            continue
        findings = rules_for(user, snapshot)
        if findings is None:
            continue
        answer = caller_id_answer(user, snapshot)
        blocks = calling_blocks(findings)
        if answer.outcome in SHARED:
            assert blocks == set(), (answer, blocks)
        if blocks:
            assert answer.outcome not in SHARED, (answer, blocks)
        # What the rules cannot confirm, the answer may not state with confidence.
        doubts = calling_blocks(findings, uncertain=True)
        if doubts and answer.outcome in SHARED:
            assert not answer.certain, (answer, doubts)
            assert doubts <= {r.code for r in answer.unknowns}


@settings(max_examples=400, deadline=None)
@given(agreement_tenants())
def test_a_shared_answer_names_every_emergency_problem_the_rules_find(
    snapshot: TenantSnapshot,
) -> None:
    for user in snapshot.users.values():
        findings = None if user.is_resource_account else rules_for(user, snapshot)
        if findings is None:
            continue
        answer = caller_id_answer(user, snapshot)
        if answer.outcome not in SHARED:
            continue
        problems = emergency_problems(findings)
        named = {r.code for r in answer.emergency.reasons}
        if problems:
            assert answer.emergency.kind is EmergencyKind.NOT_SET_UP, (answer, problems)
            assert answer.emergency.numbers == ()
            assert problems <= named, (problems, named)
        else:
            assert answer.emergency.kind in (EmergencyKind.CALLBACK_POOL, EmergencyKind.MAIN_NUMBER)
            assert named == set()


def test_the_demo_tenant_answers_agree_with_the_rules() -> None:
    gateway = EmulatedTenantGateway.seeded()
    snapshot = asyncio.run(gateway.snapshot(SnapshotScope(all_users=True)))
    checked = 0
    for user in snapshot.users.values():
        findings = None if user.is_resource_account else rules_for(user, snapshot)
        if findings is None:
            continue
        answer = caller_id_answer(user, snapshot)
        checked += 1
        if answer.outcome in SHARED:
            assert calling_blocks(findings) == set()
            assert emergency_problems(findings) == set()
    assert checked >= 5  # Adele, Nestor, Patti, Lynne, Grady


@pytest.mark.parametrize("status", [None, *ProvisioningStatus])
def test_the_answer_and_sc_u03_judge_every_teams_phone_state_alike(
    status: ProvisioningStatus | None,
) -> None:
    """The rule blocks exactly when the answer names SC-U03, or says it cannot tell."""
    blocked = teams_phone_problem("Someone", status) is not None
    named = _teams_phone_reason(status) is not None
    cannot_tell = status is ProvisioningStatus.UNKNOWN
    assert blocked == (named or cannot_tell)
    assert not (named and cannot_tell)
