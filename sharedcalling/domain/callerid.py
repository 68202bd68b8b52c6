"""The caller-ID answer: which number a user presents, and how callbacks work.

The decision steps are described in docs/architecture.md, "The caller-ID answer".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from sharedcalling.domain.callerid_facts import (
    Facts,
    active_numbers,
    describe_assignment,
    gather_facts,
    no_pstn_reasons,
)
from sharedcalling.domain.callerid_model import (
    EMERGENCY_HOLD_MINUTES,
    Callbacks,
    CallerIdAnswer,
    CallerIdCaveat,
    EmergencyAnswer,
    EmergencyKind,
    Outcome,
    Reason,
    SharedCallingDetails,
)
from sharedcalling.domain.callerid_setup import SetupVerdict, judge_setup
from sharedcalling.domain.callerid_summary import one_line_text, summary_text
from sharedcalling.domain.tenant import (
    PLAN_TEAMS_PHONE,
    AppConfigurationType,
    NumberType,
    PhoneNumber,
    ProvisioningStatus,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
)

__all__ = [
    "EMERGENCY_HOLD_MINUTES",
    "Callbacks",
    "CallerIdAnswer",
    "CallerIdCaveat",
    "EmergencyAnswer",
    "EmergencyKind",
    "Outcome",
    "Reason",
    "SharedCallingDetails",
    "caller_id_answer",
    "describe_assignment",
    "one_line_text",
    "summary_text",
]


def caller_id_answer(
    user: User, snapshot: TenantSnapshot, *, number_countries: Mapping[str, str] | None = None
) -> CallerIdAnswer:
    """Work through the decision steps 1-7 in order; the first matching step decides. Never raises.

    `number_countries` holds countries derived from the E.164 prefix for numbers whose
    `IsoCountryCode` is blank, as the plan gets them (services derive them).
    """
    blocked = no_pstn_reasons(user)
    if blocked:
        return CallerIdAnswer(Outcome.NO_PSTN, None, blocked)
    facts = gather_facts(user, snapshot, number_countries)
    answer = next((a for step in _STEPS if (a := step(facts)) is not None), None)
    answer = answer if answer is not None else _unroutable(facts)
    return _with_caveats(answer, facts)


def _with_caveats(answer: CallerIdAnswer, facts: Facts) -> CallerIdAnswer:
    """Name numbers that are not working numbers, and what the backend cannot tell."""
    unknowns: tuple[Reason, ...] = ()
    if facts.user.plan_status(PLAN_TEAMS_PHONE) is ProvisioningStatus.UNKNOWN:
        name = facts.user.display_name
        text = (
            f"cannot tell whether Teams Phone is provisioned for {name}; the backend does not "
            "report it"
        )
        unknowns = (Reason(text, "SC-U03"),)
    inactive = tuple((n.telephone_number, n.activation_state.value) for n in facts.inactive)
    named = tuple(Reason(f"number {n} is {state}, not a working number") for n, state in inactive)
    return replace(
        answer,
        reasons=(*named, *answer.reasons),
        unknowns=(*unknowns, *answer.unknowns),
        inactive_numbers=inactive,
    )


def _personal(facts: Facts, outcome: Outcome, number: PhoneNumber) -> CallerIdAnswer:
    reasons = [Reason(f"a personal {number.number_type.value} number is assigned")]
    if facts.scp_policy is not None:
        reasons.append(Reason(f"the Shared Calling policy {facts.scp.name} is ignored"))
    clid = facts.clid
    presented: str | None = number.base
    if clid is not None and clid.substitutes_resource:
        # CallingIDSubstitute Resource: people see the CLID resource account's number.
        presented = clid.presented_number
        reasons.append(Reason(f"caller-ID policy {clid.policy_name} presents {clid.effect}"))
    return CallerIdAnswer(
        outcome,
        presented,
        tuple(reasons),
        personal_number=number.telephone_number,
        clid=clid,
        callbacks=Callbacks.RING_USER,
        # Caller-ID blocking and substitution never apply to emergency calls:
        # https://learn.microsoft.com/microsoftteams/caller-id-policies
        emergency=EmergencyAnswer(EmergencyKind.OWN_NUMBER, (number.base,)),
    )


def _step2_personal_dr(facts: Facts) -> CallerIdAnswer | None:
    direct_routing = facts.of_type(NumberType.DIRECT_ROUTING)
    if direct_routing and facts.vrp_usages:
        return _personal(facts, Outcome.PERSONAL_DR, direct_routing[0])
    return None


def _step3_personal(facts: Facts) -> CallerIdAnswer | None:
    own = facts.of_type(NumberType.CALLING_PLAN) + facts.of_type(NumberType.OPERATOR_CONNECT)
    return _personal(facts, Outcome.PERSONAL, own[0]) if own else None


def _shared_details(
    facts: Facts, policy: SharedCallingPolicy, verdict: SetupVerdict | None = None
) -> SharedCallingDetails:
    snapshot = facts.snapshot
    ra_id = policy.resource_account_id
    ra = snapshot.user(ra_id)
    if verdict is not None:
        ra_number = verdict.context.ra_number
    else:
        active = active_numbers(ra_id, snapshot) if ra_id else ()
        ra_number = active[0] if active else None
    apps = snapshot.associations_of(ra_id) if ra_id else ()
    attendants = [a for a in apps if a.configuration_type is AppConfigurationType.AUTO_ATTENDANT]
    others = [a for a in apps if a.configuration_type is not AppConfigurationType.AUTO_ATTENDANT]
    pattern = facts.extension_pattern
    return SharedCallingDetails(
        policy_name=policy.name,
        assignment=describe_assignment(facts.scp, snapshot),
        resource_account_id=ra_id,
        resource_account_name=ra.display_name if ra is not None else None,
        resource_account_number=ra_number.base if ra_number is not None else None,
        auto_attendant_name=attendants[0].configuration_name if attendants else None,
        other_app_name=others[0].configuration_name if others else None,
        other_app_type=others[0].configuration_type if others else None,
        emergency_numbers=policy.emergency_numbers,
        extension=pattern.telephone_number.split(";ext=", 1)[-1] if pattern else None,
    )


def _shared_emergency(details: SharedCallingDetails, verdict: SetupVerdict) -> EmergencyAnswer:
    """What emergency services see, unless the rules say the emergency path is not set up."""
    if verdict.emergency:
        return EmergencyAnswer(EmergencyKind.NOT_SET_UP, reasons=verdict.emergency)
    if verdict.outbound:
        return EmergencyAnswer(EmergencyKind.UNDETERMINED)
    if details.emergency_numbers:
        return EmergencyAnswer(
            EmergencyKind.CALLBACK_POOL, details.emergency_numbers, EMERGENCY_HOLD_MINUTES
        )
    if details.resource_account_number:
        return EmergencyAnswer(EmergencyKind.MAIN_NUMBER, (details.resource_account_number,))
    return EmergencyAnswer(EmergencyKind.NONE)


def _step4_5_shared(facts: Facts) -> CallerIdAnswer | None:
    policy = facts.scp_policy
    no_number = not facts.numbers or facts.extension_pattern is not None
    if policy is None or not no_number or facts.vrp_usages:
        return None
    verdict = judge_setup(
        facts.user,
        policy,
        facts.snapshot,
        extension_dialing=facts.extension_pattern is not None,
        number_countries=facts.number_countries,
    )
    details = _shared_details(facts, policy, verdict)
    emergency = _shared_emergency(details, verdict)
    if verdict.outbound:
        return CallerIdAnswer(
            Outcome.SHARED_BROKEN,
            None,
            verdict.outbound,
            shared=details,
            clid=facts.clid,
            emergency=emergency,
        )
    reasons = [Reason(f"Shared Calling policy {policy.name} applies ({details.assignment})")]
    if verdict.no_auto_attendant:
        reasons.append(Reason("callbacks reach no auto attendant", "SC-R10"))
    if facts.clid is not None:
        reasons.append(Reason(f"caller-ID policy {facts.clid.policy_name} is in force", "SC-P06"))
    return CallerIdAnswer(
        Outcome.SHARED_EXT if details.extension else Outcome.SHARED,
        details.resource_account_number,
        tuple(reasons),
        personal_number=facts.numbers[0].telephone_number if facts.numbers else None,
        shared=details,
        clid=facts.clid,
        callbacks=Callbacks.AUTO_ATTENDANT if details.auto_attendant_name else _no_aa(details),
        emergency=emergency,
        unknowns=verdict.unknowns,
    )


def _no_aa(details: SharedCallingDetails) -> Callbacks:
    return Callbacks.NO_AUTO_ATTENDANT if details.resource_account_number else Callbacks.NONE


def _step6_inconsistent(facts: Facts) -> CallerIdAnswer | None:
    policy = facts.scp_policy
    if policy is not None and not facts.numbers and facts.vrp_usages:
        usages = ", ".join(facts.vrp_usages)
        reason = Reason(
            f"voice routing policy {facts.vrp.name} has PSTN usages ({usages}) although "
            f"Shared Calling policy {policy.name} applies",
            "SC-U07",
        )
        return CallerIdAnswer(
            Outcome.INCONSISTENT,
            None,
            (reason,),
            shared=_shared_details(facts, policy),
            clid=facts.clid,
            emergency=EmergencyAnswer(EmergencyKind.UNDETERMINED),
        )
    plain_dr = [n for n in facts.of_type(NumberType.DIRECT_ROUTING) if not n.has_extension]
    if plain_dr and not facts.vrp_usages:
        return _dr_without_routing(facts, plain_dr[0])
    return None


def _dr_without_routing(facts: Facts, number: PhoneNumber) -> CallerIdAnswer:
    reasons = (
        Reason(f"direct routing number {number.telephone_number} is assigned", "SC-U05"),
        Reason(f"voice routing policy {facts.vrp.name} has no PSTN usages", "SC-U07"),
    )
    return CallerIdAnswer(
        Outcome.INCONSISTENT,
        None,
        reasons,
        personal_number=number.telephone_number,
        shared=_shared_details(facts, facts.scp_policy) if facts.scp_policy else None,
        clid=facts.clid,
        emergency=EmergencyAnswer(EmergencyKind.UNDETERMINED),
    )


def _step7_no_number(facts: Facts) -> CallerIdAnswer | None:
    if facts.numbers or facts.scp_policy is not None:
        return None
    if facts.inactive:
        reason = Reason(
            "no working phone number and no Shared Calling policy with a resource account"
        )
    else:
        reason = Reason("no phone number and no Shared Calling policy with a resource account")
    return CallerIdAnswer(Outcome.NO_NUMBER, None, (reason,))


def _unroutable(facts: Facts) -> CallerIdAnswer:
    """No step matched: an extension number with an empty voice routing policy and no Shared
    Calling policy; nothing can place the call, so report it like step 6."""
    if not facts.numbers:  # unreachable today; kept so that the answer never raises
        return CallerIdAnswer(Outcome.NO_NUMBER, None)
    return _dr_without_routing(facts, facts.numbers[0])


_STEPS: tuple[Callable[[Facts], CallerIdAnswer | None], ...] = (
    _step2_personal_dr,
    _step3_personal,
    _step4_5_shared,
    _step6_inconsistent,
    _step7_no_number,
)
