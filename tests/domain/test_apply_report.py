"""Per-user results and the job outcome, from change statuses and verification findings."""

from __future__ import annotations

import pytest

from sharedcalling.domain.apply import (
    ChangeResult,
    ChangeStatus,
    Finding,
    JobOutcome,
    UserOutcome,
    counts,
    job_outcome,
    user_results,
)
from sharedcalling.domain.planning import (
    ChangeKind,
    CreateVoiceRoutingPolicy,
    EnableVoice,
    GrantPolicy,
)
from sharedcalling.domain.rules import Subject, SubjectKind
from sharedcalling.domain.tenant import PolicyType, VoiceRoutingPolicy

A, B = Subject(SubjectKind.USER, "a", "Ann"), Subject(SubjectKind.USER, "b", "Bob")
VOICE_A, VOICE_B = EnableVoice(A), EnableVoice(B)
GRANT_A = GrantPolicy(ChangeKind.SCP_GRANT_USER, A, PolicyType.SHARED_CALLING, "Global", "S")
GRANT_B = GrantPolicy(ChangeKind.SCP_GRANT_USER, B, PolicyType.SHARED_CALLING, "Global", "S")
POLICY = CreateVoiceRoutingPolicy(VoiceRoutingPolicy("SC-NoPstn"))
S = ChangeStatus


def results(*pairs: tuple[object, ChangeStatus]) -> list[ChangeResult]:
    return [ChangeResult(c, s, "boom" if s is S.FAILED else None) for c, s in pairs]  # type: ignore[arg-type]


def test_the_worst_status_of_a_users_changes_is_their_outcome() -> None:
    found = user_results(results((VOICE_A, S.SUCCEEDED), (VOICE_B, S.SKIPPED),
                                 (GRANT_A, S.FAILED), (GRANT_B, S.SKIPPED)))  # fmt: skip
    assert [(r.user_id, r.outcome, r.reason) for r in found] == [
        ("a", UserOutcome.FAILED, "boom"),
        ("b", UserOutcome.COMPLIANT, ""),
    ]


def test_verification_findings_replace_a_done_outcome_but_not_a_failure() -> None:
    findings = [Finding("A", UserOutcome.UNVERIFIED, "Teams shows Global"),
                Finding("b", UserOutcome.AWAITING, "group")]  # fmt: skip
    found = user_results(results((GRANT_A, S.SUCCEEDED), (GRANT_B, S.FAILED)), findings)
    assert [(r.outcome, r.reason) for r in found] == [
        (UserOutcome.UNVERIFIED, "Teams shows Global"),
        (UserOutcome.FAILED, "boom"),
    ]


def test_policies_are_not_users() -> None:
    assert user_results(results((POLICY, S.SUCCEEDED))) == ()


@pytest.mark.parametrize(
    ("statuses", "findings", "outcome"),
    [
        ((S.SUCCEEDED, S.SKIPPED), (), JobOutcome.APPLIED),
        ((S.SKIPPED, S.SKIPPED), (), JobOutcome.APPLIED),
        ((S.SUCCEEDED, S.FAILED), (), JobOutcome.PARTIALLY_APPLIED),
        ((S.FAILED, S.FAILED), (), JobOutcome.FAILED),
        ((S.SKIPPED, S.FAILED), (), JobOutcome.FAILED),
        ((S.SUCCEEDED, S.SUCCEEDED), (Finding("a", UserOutcome.UNVERIFIED, "x"),),
         JobOutcome.PARTIALLY_APPLIED),
        ((S.SUCCEEDED, S.SUCCEEDED), (Finding("a", UserOutcome.AWAITING, "x"),),
         JobOutcome.APPLIED),
    ],
)  # fmt: skip
def test_the_job_outcome(
    statuses: tuple[ChangeStatus, ChangeStatus], findings: tuple[Finding, ...], outcome: JobOutcome
) -> None:
    assert job_outcome(results((VOICE_A, statuses[0]), (GRANT_A, statuses[1])), findings) is outcome


def test_counts_hold_every_status() -> None:
    tally = counts(results((VOICE_A, S.SUCCEEDED), (GRANT_A, S.SUCCEEDED), (POLICY, S.FAILED)))
    assert tally == {S.PENDING: 0, S.RUNNING: 0, S.SUCCEEDED: 2, S.FAILED: 1, S.SKIPPED: 0}
