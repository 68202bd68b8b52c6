"""A user a request of ours set up, checked by their caller-ID answer.

Expected: SHARED (or SHARED_EXT) on the policy the applied request granted. The answer is
`caller_id_answer`, the one the user gets when they ask; this module only says which outcome
is which hazard. A cause that sits with the resource account or the policy (SHARED_BROKEN, a
deleted policy) is reported once, by the policy's check, with this user among those affected;
a cause in a policy many users share (their voice routing policy got PSTN usages, their
emergency call routing policy no longer suits) is one hazard of that policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sharedcalling.domain import names
from sharedcalling.domain.callerid import CallerIdAnswer, caller_id_answer, one_line_text
from sharedcalling.domain.callerid_model import EmergencyKind, Outcome
from sharedcalling.domain.hazards.facts import (
    emergency_routing_facts,
    missing_account_facts,
    user_facts,
    voice_routing_facts,
)
from sharedcalling.domain.hazards.model import (
    Facts,
    HazardClass,
    HazardState,
    Observation,
    UserWatch,
    observation_key,
    subject_key,
)
from sharedcalling.domain.policy import effective_policy
from sharedcalling.domain.rules.model import Subject, SubjectKind
from sharedcalling.domain.tenant import PLAN_TEAMS_PHONE, PolicyType, TenantSnapshot, User

SHARED_OUTCOMES = frozenset({Outcome.SHARED, Outcome.SHARED_EXT})
_USER_LEVEL_UNKNOWN = "SC-U03"
"""The only doubt of an answer that is the user's own; the others are the resource account's."""


@dataclass(frozen=True, slots=True)
class _Cause:
    code: str
    hazard_class: HazardClass
    subject: Subject
    facts: Facts


AnswerCache = dict[tuple[object, ...], CallerIdAnswer]
"""Answers by everything `caller_id_answer` reads of a user, within one snapshot."""


def _answer_key(user: User, snapshot: TenantSnapshot) -> tuple[object, ...]:
    """What the caller-ID answer reads of the user: the account, Teams Phone, enterprise voice,
    the numbers, and each effective policy with how it won. Users who agree on all of these
    get the same outcome, number, codes and emergency verdict (only their names differ)."""
    return (
        user.account_type,
        user.account_enabled,
        user.soft_deleted,
        user.plan_status(PLAN_TEAMS_PHONE),
        user.enterprise_voice_enabled,
        snapshot.numbers_of(user.id),
        *(effective_policy(user, policy_type, snapshot) for policy_type in PolicyType),
    )


def _shared_answer(
    user: User, snapshot: TenantSnapshot, countries: Mapping[str, str], cache: AnswerCache
) -> CallerIdAnswer:
    """10,000 users on one policy are a handful of distinct setups: compute each once."""
    key = _answer_key(user, snapshot)
    found = cache.get(key)
    if found is None:
        found = cache[key] = caller_id_answer(user, snapshot, number_countries=countries)
    return found


def observe_user(
    watch: UserWatch,
    snapshot: TenantSnapshot,
    number_countries: Mapping[str, str],
    *,
    policy_exists: bool,
    answers: AnswerCache | None = None,
) -> tuple[list[Observation], dict[str, Facts]]:
    """The user's hazards, and the facts seen of the user (and of a shared cause).

    `answers` shares answers between users with the same setup; a user whose shared answer
    shows any problem gets their own answer, so every text about them is theirs."""
    user = snapshot.user(watch.user_id)
    if user is None:
        return _missing(watch)
    subject = Subject(
        SubjectKind.USER, user.id, f"{user.display_name} ({user.user_principal_name})"
    )
    answer = _shared_answer(user, snapshot, number_countries, {} if answers is None else answers)
    causes = _causes(watch, user, subject, answer, snapshot, policy_exists)
    if causes:
        answer = caller_id_answer(user, snapshot, number_countries=number_countries)
        causes = _causes(watch, user, subject, answer, snapshot, policy_exists)
    facts: dict[str, Facts] = {subject_key(subject): user_facts(user, answer, snapshot)}
    for shared in (_voice_routing_cause(user, snapshot), _emergency_routing(user, snapshot)):
        # Kept for every user, so that a later change to the shared policy has a "before".
        facts[subject_key(shared.subject)] = shared.facts
    found = [
        _observation(watch, cause, _observed(cause, user, answer), _reasons(answer), state)
        for cause, state in causes
    ]
    return found, facts


def _missing(watch: UserWatch) -> tuple[list[Observation], dict[str, Facts]]:
    subject = Subject(SubjectKind.USER, watch.user_id, watch.user_id)
    gone = _Cause("SC-U01", HazardClass.OUTBOUND_BROKEN, subject, missing_account_facts())
    text = "the account no longer exists in the tenant"
    return [_observation(watch, gone, text, text)], {subject_key(subject): gone.facts}


def _observed(cause: _Cause, user: User, answer: CallerIdAnswer) -> str:
    if cause.subject.kind is not SubjectKind.USER:
        # A policy many users share: what it holds now, not one user's answer.
        return "; ".join(f"{name}: {value}" for name, value in cause.facts.items())
    return one_line_text(answer, user.display_name, about_self=False)


def _causes(
    watch: UserWatch,
    user: User,
    subject: Subject,
    answer: CallerIdAnswer,
    snapshot: TenantSnapshot,
    policy_exists: bool,
) -> list[tuple[_Cause, HazardState]]:
    on_policy = answer.shared is not None and names.policy_key(
        answer.shared.policy_name
    ) == names.policy_key(watch.policy_name)
    causes: list[tuple[_Cause, HazardState]] = []
    if answer.outcome in SHARED_OUTCOMES and on_policy:
        if any(r.code == _USER_LEVEL_UNKNOWN for r in answer.unknowns):
            facts = user_facts(user, answer, snapshot)
            doubt = _Cause(_USER_LEVEL_UNKNOWN, HazardClass.OUTBOUND_BROKEN, subject, facts)
            causes.append((doubt, HazardState.UNKNOWN))
    elif not (answer.outcome is Outcome.SHARED_BROKEN and on_policy):
        cause = _caller_id_cause(user, subject, answer, snapshot)
        if cause.code != "SC-P02" or policy_exists:
            causes.append((cause, HazardState.DRIFTED))
    emergency = _emergency_cause(user, answer, snapshot)
    if emergency is not None:
        causes.append((emergency, HazardState.DRIFTED))
    return causes


def _caller_id_cause(
    user: User, subject: Subject, answer: CallerIdAnswer, snapshot: TenantSnapshot
) -> _Cause:
    """Which rule the outcome breaks, and whether calls fail or show another number."""
    facts = user_facts(user, answer, snapshot)
    codes = [r.code for r in answer.reasons if r.code]
    outcome = answer.outcome
    if outcome is Outcome.NO_PSTN:
        return _Cause(codes[0] if codes else "SC-U03", HazardClass.OUTBOUND_BROKEN, subject, facts)
    if outcome in (Outcome.PERSONAL, Outcome.PERSONAL_DR):
        return _Cause("SC-U05", HazardClass.CALLER_ID, subject, facts)
    if outcome is Outcome.INCONSISTENT and "SC-U05" not in codes:
        return _voice_routing_cause(user, snapshot)
    if outcome is Outcome.INCONSISTENT:
        return _Cause("SC-U05", HazardClass.OUTBOUND_BROKEN, subject, facts)
    works = outcome in SHARED_OUTCOMES
    cls = HazardClass.CALLER_ID if works else HazardClass.OUTBOUND_BROKEN
    return _Cause("SC-P02", cls, subject, facts)


def _voice_routing_cause(user: User, snapshot: TenantSnapshot) -> _Cause:
    """SC-U07: the user's effective voice routing policy has PSTN usages; one hazard per policy."""
    name = effective_policy(user, PolicyType.VOICE_ROUTING, snapshot).name
    subject = Subject(SubjectKind.POLICY, f"vrp:{name}", f"voice routing policy {name}")
    facts = voice_routing_facts(snapshot.voice_routing_policy(name))
    return _Cause("SC-U07", HazardClass.OUTBOUND_BROKEN, subject, facts)


def _emergency_cause(user: User, answer: CallerIdAnswer, snapshot: TenantSnapshot) -> _Cause | None:
    """SC-U08: the user's emergency call routing policy no longer suits the resource account.
    The other emergency codes are the resource account's or the policy's, reported there."""
    emergency = answer.emergency
    if emergency.kind is not EmergencyKind.NOT_SET_UP:
        return None
    if not any(r.code == "SC-U08" for r in emergency.reasons):
        return None
    return _emergency_routing(user, snapshot)


def _emergency_routing(user: User, snapshot: TenantSnapshot) -> _Cause:
    name = effective_policy(user, PolicyType.EMERGENCY_CALL_ROUTING, snapshot).name
    subject = Subject(SubjectKind.POLICY, f"ecrp:{name}", f"emergency call routing policy {name}")
    facts = emergency_routing_facts(snapshot.emergency_routing_policy(name))
    return _Cause("SC-U08", HazardClass.EMERGENCY, subject, facts)


def _reasons(answer: CallerIdAnswer) -> str:
    every = (*answer.unknowns, *answer.reasons, *answer.emergency.reasons)
    return "; ".join(f"{r.text} ({r.code})" if r.code else r.text for r in every)


def _observation(
    watch: UserWatch,
    cause: _Cause,
    observed: str,
    why: str,
    state: HazardState = HazardState.DRIFTED,
) -> Observation:
    expected = f"Shared Calling on policy {watch.policy_name}"
    return Observation(
        key=observation_key(cause.code, cause.subject),
        code=cause.code,
        state=state,
        hazard_class=cause.hazard_class,
        subject=cause.subject,
        message=f"{cause.subject.display}: {why}." if why else f"{cause.subject.display}.",
        expected=f"{expected} (request {watch.request_id})",
        observed=observed,
        policy_names=(watch.policy_name,),
        request_ids=(watch.request_id,),
        affected_user_ids=(watch.user_id,),
        facts=cause.facts,
    )
