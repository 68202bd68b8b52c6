"""Set-up step 1: every resource account with its number and verdict; checking the choice."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sharedcalling.domain import names
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.setup import AccountAssessment, Readiness, assess_resource_account
from sharedcalling.domain.tenant import (
    GLOBAL_POLICY,
    AppAssociation,
    PhoneNumber,
    TenantSnapshot,
    User,
)
from sharedcalling.services.numbering import derived_countries, display_number
from sharedcalling.services.ports import SnapshotScope, TenantGateway

GUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_ORDER = {
    Readiness.READY: 0,
    Readiness.WARNINGS: 1,
    Readiness.NEEDS_CHOICE: 2,
    Readiness.BLOCKED: 3,
}


@dataclass(frozen=True, slots=True)
class AccountChoice:
    """One resource account as step 1 shows it."""

    account: User
    numbers: tuple[PhoneNumber, ...]
    country: str | None
    apps: tuple[AppAssociation, ...]
    assessment: AccountAssessment


@dataclass(frozen=True, slots=True)
class LocationChoice:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class FixChoices:
    """What the admin may pick for an account that needs a choice (SC-R04, SC-R08)."""

    locations: tuple[LocationChoice, ...]
    locations_listed: bool
    """False when the backend cannot list locations: those offered are the ones the tenant's
    numbers use, and a location id may be typed."""
    voice_routing_policies: tuple[str, ...]
    """Policies with PSTN usages (the account of a Direct Routing number needs one)."""


async def list_accounts(*, tenant: TenantGateway) -> list[AccountChoice]:
    """Every resource account: ready first, then with warnings, needing a choice, blocked."""
    snapshot = await tenant.snapshot(SnapshotScope())
    countries = derived_countries(snapshot)
    choices = [
        account_choice(snapshot, a, countries)
        for a in snapshot.users.values()
        if a.is_resource_account
    ]
    return sorted(
        choices,
        key=lambda c: (_ORDER[c.assessment.readiness], names.fold(c.account.display_name)),
    )


def account_choice(
    snapshot: TenantSnapshot,
    account: User,
    countries: Mapping[str, str],
    *,
    location_id: str | None = None,
    vrp: str | None = None,
) -> AccountChoice:
    numbers = snapshot.numbers_of(account.id)
    country = None
    if numbers:
        first = numbers[0]
        country = first.iso_country_code or countries.get(first.telephone_number)
    assessment = assess_resource_account(
        snapshot,
        account.id,
        location_id=location_id,
        voice_routing_policy=vrp,
        number_countries=countries,
    )
    return AccountChoice(
        account=account,
        numbers=numbers,
        country=country.upper() if country else None,
        apps=snapshot.associations_of(account.id),
        assessment=assessment,
    )


async def pick_account(account_id: str, *, tenant: TenantGateway) -> AccountChoice:
    """The picked account and its verdict; InvalidInput when it is not a resource account of
    this tenant or the rules block it (a card never offers those, so it is a forgery)."""
    snapshot = await tenant.snapshot(SnapshotScope())
    account = snapshot.user(account_id.strip()) if account_id.strip() else None
    if account is None or not account.is_resource_account:
        raise InvalidInput("That is not a resource account of this tenant; pick one from the list.")
    choice = account_choice(snapshot, account, derived_countries(snapshot))
    if not choice.assessment.pickable:
        reasons = "; ".join(f"{f.code}: {f.message}" for f in choice.assessment.blocking)
        raise InvalidInput(f"{account.display_name} cannot be chosen: {reasons}")
    return choice


async def check_account(
    account_id: str,
    *,
    tenant: TenantGateway,
    location_id: str | None = None,
    vrp: str | None = None,
) -> tuple[AccountChoice, str | None, str | None]:
    """The chosen account with the location and voice routing policy the plan should set
    (None where the account needs none), re-checked on the server: InvalidInput when the
    account is not a usable resource account of this tenant, or a needed choice is missing
    or is not one the step offered."""
    choice = await pick_account(account_id, tenant=tenant)
    snapshot = await tenant.snapshot(SnapshotScope())
    offered = await fix_choices(snapshot, tenant, choice.country)
    location = _checked_location(choice, location_id, offered)
    policy = _checked_vrp(choice, vrp, snapshot)
    if location is None and policy is None:
        return choice, None, None
    fixed = account_choice(
        snapshot, choice.account, derived_countries(snapshot), location_id=location, vrp=policy
    )
    if not fixed.assessment.pickable:
        reasons = "; ".join(f"{f.code}: {f.message}" for f in fixed.assessment.blocking)
        raise InvalidInput(f"{choice.account.display_name} cannot be used that way: {reasons}")
    return fixed, location, policy


def _checked_location(
    choice: AccountChoice, location_id: str | None, offered: FixChoices
) -> str | None:
    if not choice.assessment.needs_location:
        return None
    wanted = (location_id or "").strip()
    if not wanted:
        raise InvalidInput(
            f"{choice.account.display_name}'s number has no emergency location (SC-R04); "
            "choose the location the plan should set."
        )
    known = {names.fold(c.id) for c in offered.locations}
    if names.fold(wanted) in known or (not offered.locations_listed and GUID.fullmatch(wanted)):
        return wanted
    raise InvalidInput(f"{wanted} is not an emergency location of this tenant.")


def _checked_vrp(choice: AccountChoice, vrp: str | None, snapshot: TenantSnapshot) -> str | None:
    if not choice.assessment.needs_vrp:
        return None
    wanted = (vrp or "").strip()
    if not wanted:
        raise InvalidInput(
            f"{choice.account.display_name} has a Direct Routing number and no PSTN usages "
            "(SC-R08); choose the voice routing policy the plan should grant it."
        )
    if wanted not in voice_routing_choices(snapshot):
        raise InvalidInput(f"{wanted} is not a voice routing policy with PSTN usages.")
    return wanted


def voice_routing_choices(snapshot: TenantSnapshot) -> tuple[str, ...]:
    """Named voice routing policies with PSTN usages, by name."""
    return tuple(
        sorted(
            (
                p.name
                for p in snapshot.voice_routing_policies.values()
                if p.pstn_usages and not names.same(p.name, GLOBAL_POLICY)
            ),
            key=names.fold,
        )
    )


async def fix_choices(
    snapshot: TenantSnapshot, tenant: TenantGateway, country: str | None
) -> FixChoices:
    """Locations the backend lists in the number's country (else those the tenant's numbers
    use), and the voice routing policies that have PSTN usages."""
    listed = await tenant.list_emergency_locations()
    if listed is not None:
        locations = tuple(
            LocationChoice(loc.id, loc.description or loc.id)
            for loc in listed
            if loc.id and (not country or loc.country_or_region.upper() in ("", country))
        )
    else:
        locations = _locations_in_use(snapshot)
    return FixChoices(locations, listed is not None, voice_routing_choices(snapshot))


def _locations_in_use(snapshot: TenantSnapshot) -> tuple[LocationChoice, ...]:
    used: dict[str, list[str]] = {}
    for number in snapshot.numbers.values():
        if number.location_id and number.location_id.strip("0-"):
            used.setdefault(number.location_id, []).append(display_number(number.telephone_number))
    return tuple(
        LocationChoice(location, f"the location of {', '.join(shown[:2])}")
        for location, shown in sorted(used.items())
    )
