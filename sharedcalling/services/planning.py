"""Use case preview_plan: resolve what an admin typed, snapshot the tenant, check and plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sharedcalling.domain import names
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import Plan, plan
from sharedcalling.domain.rules import Finding
from sharedcalling.domain.tenant import GLOBAL_POLICY, TenantSnapshot
from sharedcalling.services.numbering import derived_countries, normalize_number
from sharedcalling.services.ports import SnapshotScope, TenantGateway, TenantNotFound

MAX_POLICY_NAME = 64
MAX_USERS = 5000


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What a person asked for, as typed: UPNs or object ids, a policy name, raw numbers.

    `emergency_numbers` None keeps an existing policy's numbers (none for a new policy).
    """

    resource_account: str
    policy_name: str
    users: Sequence[str] = ()
    emergency_numbers: Sequence[str] | None = None
    extension_dialing_users: Sequence[str] = ()
    ra_voice_routing_policy: str | None = None
    emergency_location_id: str | None = None


@dataclass(frozen=True, slots=True)
class PlanPreview:
    """N users: X will change, Y already compliant, Z blocked; findings by code; the plan."""

    plan: Plan
    findings_by_code: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.plan.requested_count

    @property
    def changing(self) -> int:
        return len(self.plan.changing_user_ids)

    @property
    def compliant(self) -> int:
        return len(self.plan.compliant_user_ids)

    @property
    def blocked(self) -> int:
        return len(self.plan.blocked_user_ids)

    @property
    def summary(self) -> str:
        return (
            f"{self.total} users: {self.changing} will change, {self.compliant} already "
            f"compliant, {self.blocked} blocked."
        )


async def resolve_plan_request(request: PlanRequest, *, tenant: TenantGateway) -> DesiredState:
    """Turn typed input into a DesiredState; InvalidInput or TenantNotFound name the bad value."""
    policy_name = _policy_name(request.policy_name)
    if len(request.users) > MAX_USERS:
        raise InvalidInput(f"At most {MAX_USERS} users per plan; got {len(request.users)}.")
    ra = await _account(request.resource_account, tenant, "resource account")
    users = [await _account(key, tenant, "user") for key in request.users]
    extension = [await _account(key, tenant, "user") for key in request.extension_dialing_users]
    numbers = None
    if request.emergency_numbers is not None:
        numbers = tuple(normalize_number(n) for n in request.emergency_numbers)
    return DesiredState(
        resource_account_id=ra,
        policy_name=policy_name,
        # A user marked for extension dialing (SC-U06) is a user of the plan, listed or not.
        user_ids=tuple(dict.fromkeys([*users, *extension])),
        emergency_numbers=numbers,
        extension_dialing_user_ids=frozenset(extension),
        ra_voice_routing_policy=(request.ra_voice_routing_policy or "").strip() or None,
        emergency_location_id=(request.emergency_location_id or "").strip() or None,
    )


async def preview_plan(desired: DesiredState, *, tenant: TenantGateway) -> PlanPreview:
    """Snapshot what `desired` needs, check every rule and plan the changes."""
    scope = SnapshotScope(user_ids=(*desired.user_ids, desired.resource_account_id))
    snapshot = await tenant.snapshot(scope)
    result = plan(with_derived_countries(desired, snapshot), snapshot)
    grouped: dict[str, list[Finding]] = {}
    for finding in result.findings:
        grouped.setdefault(finding.code, []).append(finding)
    return PlanPreview(result, {code: tuple(items) for code, items in sorted(grouped.items())})


async def preview_plan_request(request: PlanRequest, *, tenant: TenantGateway) -> PlanPreview:
    """resolve_plan_request() then preview_plan(): the command line's one call."""
    return await preview_plan(await resolve_plan_request(request, tenant=tenant), tenant=tenant)


def with_derived_countries(desired: DesiredState, snapshot: TenantSnapshot) -> DesiredState:
    """Fill the countries of numbers whose IsoCountryCode is blank from their E.164 prefix,
    and of wanted emergency numbers the inventory does not list."""
    derived = derived_countries(snapshot, desired.emergency_numbers or ())
    return replace(desired, number_countries={**derived, **desired.number_countries})


def _policy_name(raw: str) -> str:
    name = names.bare_policy_name(raw)
    if not name or len(name) > MAX_POLICY_NAME:
        raise InvalidInput(f"A policy name needs 1 to {MAX_POLICY_NAME} characters; got {raw!r}.")
    if any(not ch.isprintable() for ch in name):
        raise InvalidInput(f"The policy name {raw!r} contains control characters.")
    if names.same(name, GLOBAL_POLICY):
        raise InvalidInput("Choose a named policy; Shared Calling is never planned for Global.")
    return name


async def _account(key: str, tenant: TenantGateway, what: str) -> UserId:
    wanted = key.strip()
    if not wanted:
        raise InvalidInput(f"An empty {what} was given.")
    try:
        account = await tenant.get_user(wanted)
    except TenantNotFound:
        raise TenantNotFound(
            f"No {what} {wanted!r} in this tenant.", operation="resolve_plan_request"
        ) from None
    return account.id
