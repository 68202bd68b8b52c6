"""Per-user rules SC-U01..SC-U09 (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from sharedcalling.domain import names
from sharedcalling.domain.rules.context import Context, UserFacts, how
from sharedcalling.domain.rules.model import ChangeKind, Finding, Severity
from sharedcalling.domain.rules.needs import (
    ecrp_unsuitable,
    needs_voice,
    needs_vrp,
)
from sharedcalling.domain.tenant import (
    PLAN_TEAMS_PHONE,
    AccountType,
    NumberType,
    ProvisioningStatus,
    User,
)


def _existing(ctx: Context) -> Iterator[tuple[UserFacts, User, str]]:
    """Requested users that exist, with a display name for messages."""
    for facts in ctx.users:
        if facts.user is not None:
            yield facts, facts.user, facts.subject.display


def check_account_type(ctx: Context) -> Iterator[Finding]:
    for facts in ctx.users:
        if facts.user is None:
            yield Finding(
                "SC-U01", Severity.BLOCK, facts.subject, f"{facts.id} was not found in the tenant."
            )
        elif facts.user.account_type is not AccountType.USER:
            kind = facts.user.account_type.value
            message = f"{facts.subject.display} is a {kind}; Shared Calling applies to users only."
            yield Finding("SC-U01", Severity.BLOCK, facts.subject, message)


def check_account_enabled(ctx: Context) -> Iterator[Finding]:
    for facts, user, name in _existing(ctx):
        if not user.account_enabled or user.soft_deleted:
            state = "deleted" if user.soft_deleted else "disabled"
            yield Finding("SC-U02", Severity.BLOCK, facts.subject, f"{name} is {state}.")


PROVISIONING = frozenset(
    {
        ProvisioningStatus.PENDING_INPUT,
        ProvisioningStatus.PENDING_PROVISIONING,
        ProvisioningStatus.PENDING_ACTIVATION,
    }
)


class TeamsPhone(StrEnum):
    """SC-U03's verdict on a user's Teams Phone plan; the rule and the caller-ID answer word it
    each their own way but never judge it differently."""

    READY = "ready"
    MISSING = "missing"
    PROVISIONING = "provisioning"
    SWITCHED_OFF = "switched off"
    UNKNOWN = "unknown"
    """The backend cannot tell: the rule blocks, the answer says it cannot tell."""
    BROKEN = "broken"
    """Any other state (Error...): the license assignment needs fixing."""


def teams_phone_state(status: ProvisioningStatus | None) -> TeamsPhone:
    if status is None:
        return TeamsPhone.MISSING
    if status is ProvisioningStatus.SUCCESS:
        return TeamsPhone.READY
    if status in PROVISIONING:
        return TeamsPhone.PROVISIONING
    if status is ProvisioningStatus.DISABLED:
        return TeamsPhone.SWITCHED_OFF
    if status is ProvisioningStatus.UNKNOWN:
        return TeamsPhone.UNKNOWN
    return TeamsPhone.BROKEN


def teams_phone_problem(name: str, status: ProvisioningStatus | None) -> str | None:
    """What stops Teams Phone for `name`, in SC-U03's words; None when it is provisioned."""
    match teams_phone_state(status):
        case TeamsPhone.READY:
            return None
        case TeamsPhone.MISSING:
            return f"{name} has no Teams Phone license; assign Teams Phone (or a suite with it)."
        case TeamsPhone.PROVISIONING:
            return f"{name}'s Teams Phone license is {status}; retry once provisioned."
        case TeamsPhone.SWITCHED_OFF:
            return f"Teams Phone is switched off in {name}'s license; turn it on."
        case TeamsPhone.UNKNOWN:
            # In this domain "I can't tell" beats a confident guess: block, and say why.
            return (
                f"Cannot tell whether Teams Phone is provisioned for {name}; the backend does "
                "not report it."
            )
        case TeamsPhone.BROKEN:
            return f"{name}'s Teams Phone license is in state {status}; fix the license assignment."


def check_teams_phone(ctx: Context) -> Iterator[Finding]:
    for facts, user, name in _existing(ctx):
        message = teams_phone_problem(name, user.plan_status(PLAN_TEAMS_PHONE))
        if message is not None:
            yield Finding("SC-U03", Severity.BLOCK, facts.subject, message)


def check_enterprise_voice(ctx: Context) -> Iterator[Finding]:
    for facts, _user, name in _existing(ctx):
        if needs_voice(facts):
            message = f"Enterprise voice is disabled for {name}; the plan enables it."
            yield Finding(
                "SC-U04", Severity.FIX, facts.subject, message, (ChangeKind.ENABLE_VOICE,)
            )


def _extension_pattern(ctx: Context, facts: UserFacts) -> bool:
    marked = names.contains(ctx.desired.extension_dialing_user_ids, facts.id)
    if not marked or len(facts.numbers) != 1:
        return False
    number = facts.numbers[0]
    return number.number_type is NumberType.DIRECT_ROUTING and number.has_extension


def check_personal_number(ctx: Context) -> Iterator[Finding]:
    for facts, _user, name in _existing(ctx):
        if not facts.numbers or _extension_pattern(ctx, facts):
            continue
        listed = ", ".join(f"{n.telephone_number} ({n.number_type.value})" for n in facts.numbers)
        message = (
            f"{name} has number {listed}; Shared Calling is only for users without a number. "
            "Remove it deliberately first."
        )
        yield Finding("SC-U05", Severity.BLOCK, facts.subject, message)


def check_extension_dialing(ctx: Context) -> Iterator[Finding]:
    for facts, _user, name in _existing(ctx):
        if _extension_pattern(ctx, facts):
            number = facts.numbers[0].telephone_number
            message = (
                f"{name} keeps {number} for extension reach; outbound still shows the shared "
                "number only while the voice routing policy stays empty."
            )
            yield Finding("SC-U06", Severity.WARN, facts.subject, message)


def check_voice_routing(ctx: Context) -> Iterator[Finding]:
    target = ctx.empty_vrp.name
    changes: tuple[ChangeKind, ...] = (ChangeKind.USER_GRANT_VRP,)
    if not ctx.empty_vrp_exists:
        changes = (ChangeKind.VRP_CREATE_EMPTY, *changes)
    for facts, _user, name in _existing(ctx):
        if needs_vrp(ctx, facts):
            message = (
                f"{name}'s effective voice routing policy is {how(facts.vrp)}; "
                f"the plan grants {target}, which has no PSTN usages."
            )
            yield Finding("SC-U07", Severity.FIX, facts.subject, message, changes)


def check_emergency_routing(ctx: Context) -> Iterator[Finding]:
    choice = ctx.ecrp
    if choice is None:
        return
    changes: tuple[ChangeKind, ...] = (ChangeKind.USER_GRANT_ECRP,)
    if not choice.exists:
        changes = (ChangeKind.ECRP_CREATE, *changes)
    for facts, _user, name in _existing(ctx):
        if ecrp_unsuitable(ctx, facts):
            message = (
                f"{name}'s effective emergency call routing policy {facts.ecrp.name} does not "
                f"suit the resource account's number; the plan grants {choice.policy.name}."
            )
            yield Finding("SC-U08", Severity.FIX, facts.subject, message, changes)


def check_usage_location(ctx: Context) -> Iterator[Finding]:
    country = ctx.ra_country
    if country is None:
        return
    for facts, user, name in _existing(ctx):
        located = (user.usage_location or "").upper()
        if located != country:
            shown = located or "no usage location"
            message = (
                f"{name} is located in {shown} but will present a {country} number; confirm "
                "this is lawful and that emergency routing fits."
            )
            yield Finding("SC-U09", Severity.WARN, facts.subject, message, attest=True)
