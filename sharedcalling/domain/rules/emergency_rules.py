"""Emergency callback number rules SC-E01..SC-E09 (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sharedcalling.domain import names
from sharedcalling.domain.rules.context import Context
from sharedcalling.domain.rules.model import Finding, Severity, Subject, SubjectKind
from sharedcalling.domain.tenant import (
    ActivationState,
    AppConfigurationType,
    AssignmentStatus,
    NumberType,
    PhoneNumber,
    PolicyType,
    shared_calling_target_id,
)

SMALL_POOL_USERS_PER_NUMBER = 25
"""Warn when more users than this share one emergency callback number (each is held 60 min)."""


def _subject(number: str) -> Subject:
    return Subject(SubjectKind.NUMBER, number, number)


def _known(ctx: Context) -> Iterator[PhoneNumber]:
    for wanted in ctx.emergency_numbers:
        number = ctx.snapshot.number(wanted)
        if number is not None:
            yield number


def _with_ra_number(ctx: Context) -> Iterator[tuple[PhoneNumber, PhoneNumber]]:
    ra_number = ctx.ra_number
    if ra_number is None:
        return
    for number in _known(ctx):
        yield number, ra_number


def _direct_routing_account(ctx: Context) -> bool:
    number = ctx.ra_number
    return number is not None and number.number_type is NumberType.DIRECT_ROUTING


def check_in_inventory(ctx: Context) -> Iterator[Finding]:
    """CP/OC numbers must be active numbers of the tenant. The inventory lists *assigned* Direct
    Routing numbers only, so an unlisted number of a DR account is normal: ask to confirm it."""
    direct_routing = _direct_routing_account(ctx)
    for wanted in ctx.emergency_numbers:
        number = ctx.snapshot.number(wanted)
        if number is None and direct_routing:
            message = (
                f"Confirm that {wanted} routes inbound to Teams through your SBC (unassigned "
                "Direct Routing numbers are not in the tenant's inventory)."
            )
            yield Finding("SC-E01", Severity.WARN, _subject(wanted), message, attest=True)
            continue
        inactive = (
            number is not None
            and number.number_type is not NumberType.DIRECT_ROUTING
            and number.activation_state is not ActivationState.ACTIVATED
        )
        if number is None or inactive:
            message = f"{wanted} is not an active number in this tenant."
            yield Finding("SC-E01", Severity.BLOCK, _subject(wanted), message)


def check_same_type(ctx: Context) -> Iterator[Finding]:
    for number, ra_number in _with_ra_number(ctx):
        if number.number_type is not ra_number.number_type:
            message = (
                f"{number.telephone_number} is {number.number_type.value}, the resource account "
                f"number is {ra_number.number_type.value}; all numbers in a policy share one type."
            )
            yield Finding("SC-E02", Severity.BLOCK, _subject(number.telephone_number), message)


def _countries(ctx: Context) -> Iterator[tuple[str, str | None, str | None]]:
    """(number, its country, the RA number's country) for every number there is a country for:
    inventory numbers, and unlisted numbers of a Direct Routing account (E.164 prefix)."""
    ra_number = ctx.ra_number
    if ra_number is None:
        return
    theirs = ctx.country_of(ra_number)
    for wanted in ctx.emergency_numbers:
        number = ctx.snapshot.number(wanted)
        if number is not None:
            yield number.telephone_number, ctx.country_of(number), theirs
        elif ra_number.number_type is NumberType.DIRECT_ROUTING:
            derived = ctx.desired.number_countries.get(wanted)
            yield wanted, derived.upper() if derived else None, theirs


def check_same_country(ctx: Context) -> Iterator[Finding]:
    for telephone_number, mine, theirs in _countries(ctx):
        subject = _subject(telephone_number)
        if mine is None or theirs is None:
            message = (
                f"The country of {telephone_number} or of the resource account number "
                "cannot be determined; confirm both are in the same country."
            )
            yield Finding("SC-E03", Severity.WARN, subject, message, attest=True)
        elif mine != theirs:
            message = f"{telephone_number} is {mine}, the resource account number is {theirs}."
            yield Finding("SC-E03", Severity.BLOCK, subject, message)


def _held_by_policy(number: PhoneNumber) -> str | None:
    target = number.assigned_target_id or ""
    prefix = names.fold(f"{PolicyType.SHARED_CALLING.value}|Tag:")
    held = number.assignment_status is AssignmentStatus.POLICY_ASSIGNED
    if held and names.fold(target).startswith(prefix):
        return target[len(prefix) :]
    return None


def check_not_assigned(ctx: Context) -> Iterator[Finding]:
    for number in _known(ctx):
        status = number.assignment_status
        if status is AssignmentStatus.UNASSIGNED or _held_by_policy(number) is not None:
            continue
        target = number.assigned_target_id or status.value
        account = ctx.snapshot.user(target)
        if account is not None:
            target = f"{account.display_name} ({account.user_principal_name})"
        message = f"{number.telephone_number} is assigned to {target}."
        yield Finding("SC-E04", Severity.BLOCK, _subject(number.telephone_number), message)


def check_not_in_other_policy(ctx: Context) -> Iterator[Finding]:
    ours = shared_calling_target_id(ctx.desired.policy_name)
    for number in _known(ctx):
        holder = _held_by_policy(number)
        if holder is not None and not names.same(number.assigned_target_id, ours):
            message = (
                f"{number.telephone_number} is already an emergency number in policy {holder}."
            )
            yield Finding("SC-E05", Severity.BLOCK, _subject(number.telephone_number), message)


def check_subscriber_numbers(ctx: Context) -> Iterator[Finding]:
    for number, ra_number in _with_ra_number(ctx):
        if ra_number.number_type is not NumberType.CALLING_PLAN or not ra_number.is_service_number:
            continue
        if number.number_type is not NumberType.CALLING_PLAN or number.is_service_number:
            message = (
                "With a Calling Plan service number on the resource account, emergency numbers "
                f"must be Calling Plan subscriber numbers; {number.telephone_number} is not."
            )
            yield Finding("SC-E06", Severity.BLOCK, _subject(number.telephone_number), message)


def check_toll_free_needs_numbers(ctx: Context) -> Iterator[Finding]:
    ra_number = ctx.ra_number
    if ra_number is None or ctx.emergency_numbers:
        return
    if not ra_number.toll_free or ra_number.number_type is not NumberType.CALLING_PLAN:
        return
    message = (
        f"Toll-free resource account number {ra_number.telephone_number} cannot act as "
        "emergency callback; add Calling Plan subscriber numbers."
    )
    yield Finding("SC-E07", Severity.BLOCK, ctx.policy_subject, message)


def _behind_the_account(ctx: Context) -> str:
    """Where a call to the resource account's number lands: its auto attendant, else its call
    queue, else nothing."""
    associations = ctx.snapshot.associations_of(ctx.desired.resource_account_id)
    for kind, label in (
        (AppConfigurationType.AUTO_ATTENDANT, "auto attendant"),
        (AppConfigurationType.CALL_QUEUE, "call queue"),
    ):
        found = [a.configuration_name for a in associations if a.configuration_type is kind]
        if found:
            return f"reach the {label} {found[0]}, not the caller"
    return "reach no auto attendant or call queue, and nobody answers"


def check_pool_size(ctx: Context) -> Iterator[Finding]:
    count, users = len(ctx.emergency_numbers), len(ctx.users)
    if count == 0:
        message = (
            f"Policy {ctx.desired.policy_name} has no emergency callback numbers; emergency "
            f"services calling back {_behind_the_account(ctx)}."
        )
    elif users > count * SMALL_POOL_USERS_PER_NUMBER:
        message = (
            f"Only {count} callback numbers for {users} users; concurrent emergency callers "
            "within an hour will reuse numbers and a PSAP callback may reach the wrong person."
        )
    else:
        return
    yield Finding("SC-E08", Severity.WARN, ctx.policy_subject, message)


def check_inbound_routing(ctx: Context) -> Iterator[Finding]:
    for number in _known(ctx):
        if number.number_type is NumberType.DIRECT_ROUTING:
            message = (
                f"Confirm the SBC routes inbound calls for {number.telephone_number} to Teams."
            )
            subject = _subject(number.telephone_number)
            yield Finding("SC-E09", Severity.WARN, subject, message, attest=True)
