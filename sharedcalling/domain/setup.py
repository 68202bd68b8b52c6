"""Pure decisions behind the admin's set-up steps: which resource accounts and emergency numbers
may be chosen and why not, and which new policy names are acceptable.

Every verdict comes from the rules registry (`RULES`), so a step never offers what the plan
would then block, and the reasons it shows carry the same codes and words as the plan's.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from sharedcalling.domain import names
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.rules import Finding, Severity, SubjectKind, build_context, run_rules
from sharedcalling.domain.rules.context import Context
from sharedcalling.domain.rules.needs import ra_needs_location, ra_needs_vrp
from sharedcalling.domain.tenant import GLOBAL_POLICY, TenantSnapshot

MAX_POLICY_NAME = 64
_POLICY_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9._-])?")
PROBE_POLICY = "sc-setup-probe"
"""A policy name no rule about resource accounts or numbers depends on; assessing an account
or a number needs some target policy."""


class Readiness(StrEnum):
    READY = "ready"
    WARNINGS = "warnings"
    """Usable; the review lists the warnings (some need an attestation)."""
    NEEDS_CHOICE = "needs_choice"
    """Usable once the admin picks what the plan should set (SC-R04 location, SC-R08 VRP)."""
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class AccountAssessment:
    """What the resource account rules say about one account, for the first step."""

    account_id: UserId
    readiness: Readiness
    blocking: tuple[Finding, ...]
    """BLOCK findings that no choice in the step can fix."""
    needs_location: bool
    needs_vrp: bool
    warnings: tuple[Finding, ...]
    fixes: tuple[Finding, ...]

    @property
    def pickable(self) -> bool:
        return self.readiness is not Readiness.BLOCKED


def assess_resource_account(
    snapshot: TenantSnapshot,
    account_id: UserId,
    *,
    location_id: str | None = None,
    voice_routing_policy: str | None = None,
    number_countries: Mapping[str, str] | None = None,
) -> AccountAssessment:
    """The verdict of the SC-R rules on `account_id`, with the admin's choices for a missing
    emergency location or voice routing policy applied. `number_countries` are countries
    derived from E.164 prefixes for numbers whose IsoCountryCode is blank."""
    desired = DesiredState(
        account_id,
        PROBE_POLICY,
        emergency_numbers=(),
        ra_voice_routing_policy=voice_routing_policy,
        emergency_location_id=location_id,
        number_countries=number_countries or {},
    )
    ctx = build_context(desired, snapshot)
    found = [f for f in run_rules(ctx) if f.subject.kind is SubjectKind.RESOURCE_ACCOUNT]
    choosable_location = _location_choosable(ctx) and not location_id
    choosable_vrp = ra_needs_vrp(ctx) and not voice_routing_policy
    choosable = {"SC-R04"} if choosable_location else set()
    choosable |= {"SC-R08"} if choosable_vrp else set()
    blocks = tuple(f for f in found if f.severity is Severity.BLOCK and f.code not in choosable)
    warnings = tuple(f for f in found if f.severity is Severity.WARN)
    if blocks:
        readiness = Readiness.BLOCKED
    elif choosable:
        readiness = Readiness.NEEDS_CHOICE
    else:
        readiness = Readiness.WARNINGS if warnings else Readiness.READY
    return AccountAssessment(
        account_id=account_id,
        readiness=readiness,
        blocking=blocks,
        needs_location=choosable_location,
        needs_vrp=choosable_vrp,
        warnings=warnings,
        fixes=tuple(f for f in found if f.severity is Severity.FIX),
    )


def _location_choosable(ctx: Context) -> bool:
    number = ctx.ra_number
    return ra_needs_location(ctx) and number is not None and number.location_update_supported


@dataclass(frozen=True, slots=True)
class NumberAssessment:
    """One candidate emergency callback number against the chosen resource account."""

    number: str
    blocking: tuple[Finding, ...]
    attestations: tuple[Finding, ...]
    same_kind: bool
    """Same number type and country as the resource account's number: a number the admin may
    expect to see offered, so an ineligible one is listed with its reason."""

    @property
    def eligible(self) -> bool:
        return not self.blocking


def assess_emergency_numbers(
    snapshot: TenantSnapshot,
    account_id: UserId,
    policy_name: str,
    candidates: Iterable[str],
    number_countries: Mapping[str, str] | None = None,
) -> tuple[NumberAssessment, ...]:
    """The SC-E verdict on each candidate, in the order given (duplicates dropped)."""
    wanted = tuple(dict.fromkeys(candidates))
    desired = DesiredState(
        account_id,
        policy_name,
        emergency_numbers=wanted,
        number_countries=number_countries or {},
    )
    ctx = build_context(desired, snapshot)
    by_number: dict[str, list[Finding]] = {}
    for finding in run_rules(ctx):
        if finding.subject.kind is SubjectKind.NUMBER:
            by_number.setdefault(finding.subject.id, []).append(finding)
    ra_number = ctx.ra_number
    ra_country = ctx.ra_country
    assessed = []
    for number in wanted:
        found = by_number.get(number, [])
        known = snapshot.number(number)
        same_kind = (
            ra_number is not None
            and known is not None
            and known.number_type is ra_number.number_type
            and ctx.country_of(known) == ra_country
        )
        assessed.append(
            NumberAssessment(
                number=number,
                blocking=tuple(f for f in found if f.severity is Severity.BLOCK),
                attestations=tuple(f for f in found if f.attest),
                same_kind=same_kind,
            )
        )
    return tuple(assessed)


def policy_name_problem(name: str, existing: Collection[str]) -> str | None:
    """Why `name` cannot be a new Shared Calling policy's name; None when it can.

    Allowed: 1 to 64 letters (A-Z), digits, spaces, dots, hyphens and underscores, starting
    with a letter or digit and not ending in a space; not `Global`; not the name of an existing
    policy, compared as Teams does (case-insensitively, `Tag:` ignored).
    """
    text = name.strip()
    if not text:
        return "Give the new policy a name."
    if len(text) > MAX_POLICY_NAME:
        return f"A policy name has at most {MAX_POLICY_NAME} characters; this one has {len(text)}."
    if not _POLICY_NAME.fullmatch(text):
        return (
            "A policy name may hold letters A to Z, digits, spaces, dots, hyphens and "
            "underscores, and must start with a letter or digit."
        )
    if names.same(text, GLOBAL_POLICY):
        return "Global is the tenant-wide default; choose a name of its own."
    clash = next((p for p in existing if names.policy_key(p) == names.policy_key(text)), None)
    if clash is not None:
        return (
            f"A Shared Calling policy named {clash} already exists (names are not "
            "case-sensitive); choose another name, or reuse it if it is listed above."
        )
    return None
