"""Resource account rules SC-R01..SC-R11 (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sharedcalling.domain.rules.context import Context
from sharedcalling.domain.rules.model import ChangeKind, Finding, Severity
from sharedcalling.domain.rules.needs import ra_needs_location, ra_needs_vrp
from sharedcalling.domain.tenant import (
    PLAN_COMMUNICATIONS_CREDITS,
    PLAN_PAYG_PREFIX,
    PLAN_RESOURCE_ACCOUNT,
    PLAN_TEAMS_PHONE,
    ActivationState,
    AppConfigurationType,
    Capability,
    NumberType,
    PhoneNumber,
    ProvisioningStatus,
)

UNSUPPORTED_CP_SERVICE_COUNTRIES = frozenset({"RO", "CZ", "HU", "SG", "NZ", "AU", "JP"})


def _number_of_type(ctx: Context, number_type: NumberType) -> PhoneNumber | None:
    number = ctx.ra_number
    return number if number is not None and number.number_type is number_type else None


def check_is_resource_account(ctx: Context) -> Iterator[Finding]:
    if ctx.ra is None or not ctx.ra.is_resource_account:
        shown = ctx.ra_subject.display
        message = f"{shown} is not a resource account."
        if ctx.ra is None:
            message = f"{shown} was not found in the tenant; it is not a resource account."
        yield Finding("SC-R01", Severity.BLOCK, ctx.ra_subject, message)


def check_resource_account_license(ctx: Context) -> Iterator[Finding]:
    ra = ctx.ra
    if ra is None or not ra.is_resource_account:
        return
    name = ctx.ra_subject.display
    status = ra.plan_status(PLAN_RESOURCE_ACCOUNT)
    if ra.plan_status(PLAN_TEAMS_PHONE) is not None:
        message = (
            f"{name} holds Teams Phone Standard (MCOEV); swap it for the Teams Phone Resource "
            "Account license in a single license operation; separate steps can break the account."
        )
    elif status is ProvisioningStatus.UNKNOWN:
        message = (
            f"Cannot tell whether {name}'s Teams Phone Resource Account license is provisioned: "
            "the backend does not report it. Check it in the Microsoft 365 admin center."
        )
    elif status is not ProvisioningStatus.SUCCESS:
        message = f"{name} lacks a provisioned Teams Phone Resource Account license; assign it."
    else:
        return
    uncertain = status is ProvisioningStatus.UNKNOWN and ra.plan_status(PLAN_TEAMS_PHONE) is None
    yield Finding("SC-R02", Severity.BLOCK, ctx.ra_subject, message, uncertain=uncertain)


def check_resource_account_number(ctx: Context) -> Iterator[Finding]:
    if ctx.ra is None or not ctx.ra.is_resource_account or ctx.ra_number is not None:
        return
    numbers = ctx.ra_numbers
    if not numbers:
        detail = "it has no number"
    elif len(numbers) > 1:
        detail = "it has " + ", ".join(n.telephone_number for n in numbers)
    else:
        detail = f"{numbers[0].telephone_number} is {numbers[0].activation_state.value}"
    message = (
        f"{ctx.ra_subject.display} has no usable number ({detail}); outbound calls for its "
        "users would fail."
    )
    yield Finding("SC-R03", Severity.BLOCK, ctx.ra_subject, message)


def check_emergency_location(ctx: Context) -> Iterator[Finding]:
    number = ctx.ra_number
    if number is None or not ra_needs_location(ctx):
        return
    chosen = ctx.desired.emergency_location_id
    if chosen and number.location_update_supported:
        message = (
            f"{number.telephone_number} of {ctx.ra_subject.display} has no emergency location; "
            f"the plan sets location {chosen}."
        )
        changes = (ChangeKind.RA_SET_LOCATION,)
        yield Finding("SC-R04", Severity.FIX, ctx.ra_subject, message, changes)
        return
    if number.location_update_supported:
        message = (
            f"{number.telephone_number} of {ctx.ra_subject.display} has no emergency location; "
            "choose one for the plan to set."
        )
    else:
        message = _who_sets_the_location(number)
    yield Finding("SC-R04", Severity.BLOCK, ctx.ra_subject, message)


def _who_sets_the_location(number: PhoneNumber) -> str:
    """Who can set a location the plan cannot: the TNS desk for Calling Plan, the operator for
    Operator Connect, the admin for Direct Routing (SC-R04)."""
    n = number.telephone_number
    if number.number_type is NumberType.OPERATOR_CONNECT:
        return f"Ask {number.operator_name or 'the operator'} to set the emergency location on {n}."
    if number.number_type is NumberType.DIRECT_ROUTING:
        return (
            f"Set the emergency location on {n} yourself: Set-CsPhoneNumberAssignment "
            f"-PhoneNumber {n} -LocationId <location id>."
        )
    return f"Contact the Microsoft TNS service desk to set the location on {n}."


def check_calling_plan_country(ctx: Context) -> Iterator[Finding]:
    number = _number_of_type(ctx, NumberType.CALLING_PLAN)
    if number is None or not number.is_service_number:
        return
    country = ctx.country_of(number) or "an unknown country"
    if country in UNSUPPORTED_CP_SERVICE_COUNTRIES:
        message = f"Calling Plan service numbers in {country} are not supported for Shared Calling."
        yield Finding("SC-R05", Severity.BLOCK, ctx.ra_subject, message)
        return
    message = (
        f"Some existing Calling Plan service numbers in {country} are unsupported for Shared "
        f"Calling; confirm {number.telephone_number} with the TNS service desk."
    )
    yield Finding("SC-R05", Severity.WARN, ctx.ra_subject, message)


def check_pay_as_you_go(ctx: Context) -> Iterator[Finding]:
    if ctx.ra is None or _number_of_type(ctx, NumberType.CALLING_PLAN) is None:
        return
    status = ctx.ra.plan_prefix_status(PLAN_PAYG_PREFIX)
    if status is ProvisioningStatus.UNKNOWN:
        message = (
            f"Cannot tell whether the Pay-As-You-Go Calling Plan of {ctx.ra_subject.display} is "
            "provisioned: the backend does not report it. Check it in the Microsoft 365 admin "
            "center."
        )
        yield Finding("SC-R06", Severity.BLOCK, ctx.ra_subject, message, uncertain=True)
    elif status is not ProvisioningStatus.SUCCESS:
        message = (
            f"Assign a Pay-As-You-Go Calling Plan to {ctx.ra_subject.display} "
            f"(no service plan starting {PLAN_PAYG_PREFIX} is provisioned)."
        )
        yield Finding("SC-R06", Severity.BLOCK, ctx.ra_subject, message)


_CREDITS_HINT: dict[ProvisioningStatus | None, str] = {
    ProvisioningStatus.SUCCESS: "Communications Credits are licensed",
    ProvisioningStatus.UNKNOWN: "whether Communications Credits are provisioned is not reported",
}


def check_funding(ctx: Context) -> Iterator[Finding]:
    if ctx.ra is None or _number_of_type(ctx, NumberType.CALLING_PLAN) is None:
        return
    hint = _CREDITS_HINT.get(
        ctx.ra.plan_status(PLAN_COMMUNICATIONS_CREDITS), "no Communications Credits seen"
    )
    message = (
        f"Confirm {ctx.ra_subject.display} has funded Communications Credits or PAYG overage "
        f"({hint}); otherwise users hear 'You are not setup to use this calling feature'."
    )
    yield Finding("SC-R07", Severity.WARN, ctx.ra_subject, message, attest=True)


def check_direct_routing_vrp(ctx: Context) -> Iterator[Finding]:
    number = _number_of_type(ctx, NumberType.DIRECT_ROUTING)
    if number is None:
        return
    name = ctx.ra_subject.display
    if ra_needs_vrp(ctx):
        chosen = ctx.desired.ra_voice_routing_policy
        if chosen and ctx.ra_vrp_usages():
            message = f"{name} has no PSTN usages; the plan grants voice routing policy {chosen}."
            changes = (ChangeKind.RA_GRANT_VRP,)
            yield Finding("SC-R08", Severity.FIX, ctx.ra_subject, message, changes)
        else:
            shown = _chosen_vrp_problem(ctx, chosen)
            message = f"{name} needs a voice routing policy with PSTN usages ({shown})."
            yield Finding("SC-R08", Severity.BLOCK, ctx.ra_subject, message)
    capacity = "SBC and trunk capacity must cover the extra concurrent Shared Calling calls."
    yield Finding("SC-R08", Severity.WARN, ctx.ra_subject, capacity)


def _chosen_vrp_problem(ctx: Context, chosen: str | None) -> str:
    if not chosen:
        return "none was chosen"
    if ctx.snapshot.voice_routing_policy(chosen) is None:
        return f"the chosen policy {chosen} does not exist"
    return f"{chosen} has no PSTN usages"


def check_operator(ctx: Context) -> Iterator[Finding]:
    number = _number_of_type(ctx, NumberType.OPERATOR_CONNECT)
    if number is None:
        return
    shown = number.telephone_number
    if number.operator_name:
        message = f"Confirm {number.operator_name} supports Shared Calling for {shown}."
    elif number.operator_id:
        # Graph's numberAssignment carries the operator's id only, never its name.
        message = (
            f"Confirm the operator of {shown} (operator id {number.operator_id}; the tenant data "
            "gives no name) supports Shared Calling."
        )
    else:
        message = (
            f"Confirm the operator of {shown} supports Shared Calling; the tenant data does not "
            "say which operator it is."
        )
    yield Finding("SC-R09", Severity.WARN, ctx.ra_subject, message, attest=True)


def check_auto_attendant(ctx: Context) -> Iterator[Finding]:
    number = ctx.ra_number
    if number is None:
        return
    associations = ctx.snapshot.associations_of(ctx.desired.resource_account_id)
    if any(a.configuration_type is AppConfigurationType.AUTO_ATTENDANT for a in associations):
        return
    others = ", ".join(f"{a.configuration_type.value} {a.configuration_name}" for a in associations)
    detail = f" (associated with {others} only)" if others else ""
    message = (
        f"Callbacks to {number.telephone_number} reach no auto attendant{detail}; people calling "
        "back cannot reach the Shared Calling users."
    )
    yield Finding("SC-R10", Severity.WARN, ctx.ra_subject, message)


def check_eligibility_hints(ctx: Context) -> Iterator[Finding]:
    number = ctx.ra_number
    if number is None or number.activation_state is not ActivationState.ACTIVATED:
        return
    flagged = number.shared_calling_policy_supported is False
    no_capability = (
        number.number_type is NumberType.DIRECT_ROUTING
        and Capability.SHARED_CALLING not in number.capabilities
    )
    if flagged or no_capability:
        message = (
            f"Number {number.telephone_number} may not be eligible for Shared Calling "
            "(flag undocumented)."
        )
        yield Finding("SC-R11", Severity.WARN, ctx.ra_subject, message)
