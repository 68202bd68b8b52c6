"""Which emergency call routing policy suits a resource account's number type (SC-U08)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sharedcalling.domain import names
from sharedcalling.domain.tenant import (
    GLOBAL_POLICY,
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
)

ECRP_NAME_PREFIX = "SC-Emergency"
"""Policies the plan creates are `SC-Emergency-<country>` (CP/OC) or `...-<country>-DR`."""

DEFAULT_DIAL_STRINGS = ("112",)
# Dial strings an ECRP must cover per country. Countries not listed get 112, the number GSM
# networks route to emergency services almost everywhere; extend the table for your markets.
EMERGENCY_DIAL_STRINGS: Mapping[str, tuple[str, ...]] = {
    "US": ("911",),
    "CA": ("911",),
    "PR": ("911",),
    "MX": ("911",),
    "GB": ("999", "112"),
    "IE": ("999", "112"),
    "AU": ("000", "112"),
    "NZ": ("111",),
    "JP": ("110", "119"),
    "SG": ("995", "999"),
    "IN": ("112",),
}


def dial_strings_for(country: str | None) -> tuple[str, ...]:
    return EMERGENCY_DIAL_STRINGS.get(country or "", DEFAULT_DIAL_STRINGS)


@dataclass(frozen=True, slots=True)
class EcrpChoice:
    """The ECRP to grant users who lack a suitable one, and whether the plan must create it."""

    policy: EmergencyCallRoutingPolicy
    exists: bool


def is_suitable(
    policy: EmergencyCallRoutingPolicy | None, *, country: str | None, direct_routing: bool
) -> bool:
    """CP/OC: no PSTN usage on any emergency number. DR: every emergency number has a usage.

    A DR usage need not be one of the resource account's own usages: any usage the tenant routes
    delivers the call, so an admin's valid DR policy is kept (SC-U08). Either way the
    dial strings must cover the country's emergency numbers.
    """
    if policy is None or not policy.emergency_numbers:
        return False
    dialled = {n.dial_string for n in policy.emergency_numbers}
    if not set(dial_strings_for(country)) <= dialled:
        return False
    if direct_routing:
        return all(n.pstn_usage for n in policy.emergency_numbers)
    return all(not n.pstn_usage for n in policy.emergency_numbers)


def _routes_through(policy: EmergencyCallRoutingPolicy, usages: tuple[str, ...]) -> bool:
    """Every emergency number uses one of `usages` (compared case-insensitively)."""
    return all(
        n.pstn_usage is not None and names.contains(usages, n.pstn_usage)
        for n in policy.emergency_numbers
    )


def choose_ecrp(
    policies: Mapping[str, EmergencyCallRoutingPolicy],
    *,
    country: str | None,
    direct_routing: bool,
    usages: tuple[str, ...],
) -> EcrpChoice | None:
    """Reuse the planned name or any other suitable non-Global ECRP; else one to create.

    For a DR resource account, a policy granted to users who lack a suitable one must route
    through the account's own usages: another usage may lead to another site's SBC. None when no
    suitable policy can be built: a Direct Routing RA without PSTN usages, which SC-R08 reports.
    """
    if direct_routing and not usages:
        return None
    preferred = _preferred_name(country, direct_routing)

    def suits(policy: EmergencyCallRoutingPolicy | None) -> bool:
        if not is_suitable(policy, country=country, direct_routing=direct_routing):
            return False
        return policy is not None and (not direct_routing or _routes_through(policy, usages))

    existing = names.find(policies, preferred, policy=True)
    if existing is not None and suits(existing):
        return EcrpChoice(existing, exists=True)
    for name in sorted(policies):
        if not names.same(name, GLOBAL_POLICY) and suits(policies[name]):
            return EcrpChoice(policies[name], exists=True)
    name, suffix = preferred, 2
    while names.find(policies, name, policy=True) is not None:
        name, suffix = f"{preferred}-{suffix}", suffix + 1
    usage = usages[0] if direct_routing else None
    numbers = tuple(EmergencyNumber(dial, pstn_usage=usage) for dial in dial_strings_for(country))
    description = "Shared Calling emergency routing for the resource account's number type"
    return EcrpChoice(EmergencyCallRoutingPolicy(name, numbers, True, description), exists=False)


def _preferred_name(country: str | None, direct_routing: bool) -> str:
    parts = [ECRP_NAME_PREFIX]
    if country:
        parts.append(country)
    if direct_routing:
        parts.append("DR")
    return "-".join(parts)
