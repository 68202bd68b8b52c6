"""A Shared Calling policy in use, checked as it is now: the resource account rules SC-R01..R11
and the emergency rules SC-E01..E10 against the policy's current numbers, and SC-P01 against
what the applied request set up (its resource account and callback numbers).

The rules are the plan's own (`RULES`); this module only chooses which findings are hazards.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sharedcalling.domain import names
from sharedcalling.domain.callerid_setup import EMERGENCY_CODES, OUTBOUND_CODES
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.hazards.facts import (
    account_name,
    number_facts,
    policy_facts,
    resource_account_facts,
)
from sharedcalling.domain.hazards.model import (
    Facts,
    HazardClass,
    HazardState,
    Observation,
    PolicyWatch,
    observation_key,
    subject_key,
)
from sharedcalling.domain.rules.context import Context, build_context
from sharedcalling.domain.rules.model import Finding, Rule, Severity, Subject, SubjectKind
from sharedcalling.domain.rules.registry import RULES
from sharedcalling.domain.tenant import SharedCallingPolicy, TenantSnapshot

WATCHED_RULES: tuple[Rule, ...] = tuple(
    rule for rule in RULES if rule.code.startswith(("SC-R", "SC-E"))
)
"""SC-R01..R11 and SC-E01..E09 as registered. SC-E10 concerns numbers a plan releases; a check
releases nothing, so it has no check of its own (docs/rules.md)."""

_TARGET_POLICY_RULE = next(rule for rule in RULES if rule.code == "SC-P01")
_SUMMARY = {rule.code: rule.summary for rule in RULES}

STANDING_NOTES = frozenset({("SC-R08", Severity.WARN), ("SC-R05", Severity.WARN)})
"""Warnings true of every such setup (trunk capacity for Direct Routing, "confirm the service
number with TNS"): shown when the plan was approved; no change in the tenant makes them new."""


def rule_class(finding: Finding) -> HazardClass:
    """Emergency-path rules first, then what stops outside calls; warnings last."""
    if finding.severity is Severity.WARN:
        return HazardClass.WARNING
    if finding.code in EMERGENCY_CODES:
        return HazardClass.EMERGENCY
    if finding.code in OUTBOUND_CODES:
        return HazardClass.OUTBOUND_BROKEN
    return HazardClass.WARNING


def _is_hazard(finding: Finding, watch: PolicyWatch) -> bool:
    if finding.attest or (finding.code, finding.severity) in STANDING_NOTES:
        return False
    accepted = f"{finding.code}|{names.fold(finding.subject.id)}"
    return not (finding.severity is Severity.WARN and accepted in watch.accepted)


def observe_policy(
    watch: PolicyWatch, snapshot: TenantSnapshot, number_countries: Mapping[str, str]
) -> tuple[list[Observation], dict[str, Facts]]:
    """The hazards of one policy in use, and the facts seen of the policy, its resource account
    and its emergency callback numbers."""
    policy = snapshot.shared_calling_policy(watch.policy_name)
    subject = _policy_subject(watch, policy)
    facts: dict[str, Facts] = {subject_key(subject): policy_facts(policy, snapshot)}
    found = list(_target_policy(watch, policy, subject, snapshot))
    if policy is None or not policy.resource_account_id:
        return found, facts
    desired = DesiredState(
        resource_account_id=policy.resource_account_id,
        policy_name=policy.name,
        user_ids=watch.user_ids,
        number_countries=number_countries,
    )
    ctx = build_context(desired, snapshot)
    facts[subject_key(ctx.ra_subject)] = resource_account_facts(
        policy.resource_account_id, snapshot
    )
    for number in ctx.emergency_numbers:
        facts[subject_key(_number_subject(number))] = number_facts(number, snapshot)
    found += [_from_rule(f, watch, facts) for f in _findings(ctx) if _is_hazard(f, watch)]
    return found, facts


def _findings(ctx: Context) -> Iterator[Finding]:
    for rule in WATCHED_RULES:
        yield from rule.check(ctx)


def _number_subject(number: str) -> Subject:
    return Subject(SubjectKind.NUMBER, number, number)


def _policy_subject(watch: PolicyWatch, policy: SharedCallingPolicy | None) -> Subject:
    name = policy.name if policy is not None else watch.policy_name
    return Subject(SubjectKind.POLICY, name, f"Shared Calling policy {name}")


def _from_rule(finding: Finding, watch: PolicyWatch, facts: Mapping[str, Facts]) -> Observation:
    summary = _SUMMARY.get(finding.code, "the rule holds")
    return Observation(
        key=observation_key(finding.code, finding.subject),
        code=finding.code,
        state=HazardState.UNKNOWN if finding.uncertain else HazardState.DRIFTED,
        hazard_class=rule_class(finding),
        subject=finding.subject,
        message=finding.message,
        expected=f"{summary} (held when request {watch.request_id} was applied)",
        observed=finding.message,
        policy_names=(watch.policy_name,),
        request_ids=(watch.request_id,),
        affected_user_ids=watch.user_ids,
        facts=facts.get(subject_key(finding.subject), {}),
    )


def _target_policy(
    watch: PolicyWatch,
    policy: SharedCallingPolicy | None,
    subject: Subject,
    snapshot: TenantSnapshot,
) -> Iterator[Observation]:
    """SC-P01 with the request's own resource account and numbers: the policy must still exist,
    point to that account, and hold the numbers the request asked for."""
    desired = DesiredState(
        resource_account_id=watch.resource_account_id,
        policy_name=watch.policy_name,
        emergency_numbers=watch.emergency_numbers,
    )
    for finding in _TARGET_POLICY_RULE.check(build_context(desired, snapshot)):
        yield _policy_drift(watch, policy, subject, finding, snapshot)


def _policy_change(
    watch: PolicyWatch,
    policy: SharedCallingPolicy | None,
    finding: Finding,
    snapshot: TenantSnapshot,
) -> tuple[HazardClass, str, str]:
    """(class, what the request set up, what there is now) of an SC-P01 finding."""
    wanted = account_name(watch.resource_account_id, snapshot)
    if policy is None:
        return (
            HazardClass.OUTBOUND_BROKEN,
            f"policy {watch.policy_name} with resource account {wanted}",
            "the policy does not exist; its users have no Shared Calling policy",
        )
    if finding.severity is Severity.BLOCK:
        now = account_name(policy.resource_account_id, snapshot)
        return HazardClass.CALLER_ID, f"resource account {wanted}", f"resource account {now}"
    return (
        HazardClass.WARNING,
        "emergency callback numbers " + ", ".join(watch.emergency_numbers or ()),
        "emergency callback numbers " + (", ".join(policy.emergency_numbers) or "none"),
    )


def _policy_drift(
    watch: PolicyWatch,
    policy: SharedCallingPolicy | None,
    subject: Subject,
    finding: Finding,
    snapshot: TenantSnapshot,
) -> Observation:
    cls, expected, observed = _policy_change(watch, policy, finding, snapshot)
    return Observation(
        key=observation_key(finding.code, subject),
        code=finding.code,
        state=HazardState.DRIFTED,
        hazard_class=cls,
        subject=subject,
        message=f"{subject.display}: {observed} (request {watch.request_id} set up {expected}).",
        expected=expected,
        observed=observed,
        policy_names=(watch.policy_name,),
        request_ids=(watch.request_id,),
        affected_user_ids=watch.user_ids,
        facts=policy_facts(policy, snapshot),
    )
