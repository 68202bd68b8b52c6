"""The caller-ID answer (reference §9): which number a user presents, and how callbacks work."""

from __future__ import annotations

from collections.abc import Callable

from sharedcalling.domain.callerid_facts import (
    Facts,
    active_numbers,
    describe_assignment,
    gather_facts,
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
from sharedcalling.domain.callerid_summary import one_line_text, summary_text
from sharedcalling.domain.tenant import (
    PLAN_PAYG_PREFIX,
    PLAN_TEAMS_PHONE,
    AccountType,
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


def caller_id_answer(user: User, snapshot: TenantSnapshot) -> CallerIdAnswer:
    """Work through §9 steps 1-7 in order; the first matching step decides. Never raises."""
    blocked = _no_pstn_reasons(user)
    if blocked:
        return CallerIdAnswer(Outcome.NO_PSTN, None, blocked)
    facts = gather_facts(user, snapshot)
    for step in _STEPS:
        answer = step(facts)
        if answer is not None:
            return answer
    return _unroutable(facts)


def _no_pstn_reasons(user: User) -> tuple[Reason, ...]:
    """Step 1, plus the account checks that make Teams Phone moot (SC-U01, SC-U02)."""
    if user.account_type is not AccountType.USER:
        # Resource accounts are sign-in blocked by design: their type says it all.
        return (Reason(f"the account is a {user.account_type.value}, not a user", "SC-U01"),)
    reasons: list[Reason] = []
    if user.soft_deleted:
        reasons.append(Reason("the account is deleted", "SC-U02"))
    elif not user.account_enabled:
        reasons.append(Reason("the account is disabled", "SC-U02"))
    status = user.plan_status(PLAN_TEAMS_PHONE)
    if status is None:
        reasons.append(Reason("there is no Teams Phone license", "SC-U03"))
    elif status is not ProvisioningStatus.SUCCESS:
        reasons.append(Reason("the Teams Phone license is still provisioning", "SC-U03"))
    if not user.enterprise_voice_enabled:
        reasons.append(Reason("enterprise voice is disabled", "SC-U04"))
    return tuple(reasons)


def _personal(facts: Facts, outcome: Outcome, number: PhoneNumber) -> CallerIdAnswer:
    reasons = [Reason(f"a personal {number.number_type.value} number is assigned")]
    if facts.scp_policy is not None:
        reasons.append(Reason(f"the Shared Calling policy {facts.scp.name} is ignored"))
    return CallerIdAnswer(
        outcome,
        number.base,
        tuple(reasons),
        personal_number=number.telephone_number,
        clid=facts.clid,
        callbacks=Callbacks.RING_USER,
        # Caller-ID blocking and substitution never apply to emergency calls (Caller ID doc).
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


def _shared_details(facts: Facts, policy: SharedCallingPolicy) -> SharedCallingDetails:
    snapshot = facts.snapshot
    ra_id = policy.resource_account_id
    ra = snapshot.users.get(ra_id) if ra_id else None
    ra_numbers = active_numbers(ra_id, snapshot) if ra_id else ()
    apps = snapshot.associations_of(ra_id) if ra_id else ()
    attendants = [a for a in apps if a.configuration_type is AppConfigurationType.AUTO_ATTENDANT]
    others = [a for a in apps if a.configuration_type is not AppConfigurationType.AUTO_ATTENDANT]
    pattern = facts.extension_pattern
    return SharedCallingDetails(
        policy_name=policy.name,
        assignment=describe_assignment(facts.scp, snapshot),
        resource_account_id=ra_id,
        resource_account_name=ra.display_name if ra is not None else None,
        resource_account_number=ra_numbers[0].base if ra_numbers else None,
        auto_attendant_name=attendants[0].configuration_name if attendants else None,
        other_app_name=others[0].configuration_name if others else None,
        other_app_type=others[0].configuration_type if others else None,
        emergency_numbers=policy.emergency_numbers,
        extension=pattern.telephone_number.split(";ext=", 1)[-1] if pattern else None,
    )


def _shared_emergency(details: SharedCallingDetails) -> EmergencyAnswer:
    if details.emergency_numbers:
        return EmergencyAnswer(
            EmergencyKind.CALLBACK_POOL, details.emergency_numbers, EMERGENCY_HOLD_MINUTES
        )
    if details.resource_account_number:
        return EmergencyAnswer(EmergencyKind.MAIN_NUMBER, (details.resource_account_number,))
    return EmergencyAnswer(EmergencyKind.NONE)


def _broken_reasons(facts: Facts, details: SharedCallingDetails) -> tuple[Reason, ...]:
    """Step 5 conditions: the resource account cannot carry the calls (SC-R01, SC-R03, SC-R06)."""
    ra_id = details.resource_account_id
    ra = facts.snapshot.users.get(ra_id) if ra_id else None
    if ra is None:
        return (Reason(f"resource account {ra_id} was not found", "SC-R01"),)
    if details.resource_account_number is None:
        return (Reason(f"{ra.display_name} has no active phone number", "SC-R03"),)
    number = facts.snapshot.number(details.resource_account_number)
    calling_plan = number is not None and number.number_type is NumberType.CALLING_PLAN
    if calling_plan and not ra.has_plan_prefix(PLAN_PAYG_PREFIX):
        return (Reason(f"{ra.display_name} has no Pay-As-You-Go Calling Plan", "SC-R06"),)
    return ()


def _step4_5_shared(facts: Facts) -> CallerIdAnswer | None:
    policy = facts.scp_policy
    no_number = not facts.numbers or facts.extension_pattern is not None
    if policy is None or not no_number or facts.vrp_usages:
        return None
    details = _shared_details(facts, policy)
    emergency = _shared_emergency(details)
    broken = _broken_reasons(facts, details)
    if broken:
        return CallerIdAnswer(
            Outcome.SHARED_BROKEN,
            None,
            broken,
            shared=details,
            clid=facts.clid,
            emergency=emergency,
        )
    reasons = [Reason(f"Shared Calling policy {policy.name} applies ({details.assignment})")]
    if details.auto_attendant_name is None:
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
        details = _shared_details(facts, policy)
        return CallerIdAnswer(
            Outcome.INCONSISTENT,
            None,
            (reason,),
            shared=details,
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
