"""A user's licenses from the user's own directory properties, named through the tenant's SKUs.

`GET /users/{id}/licenseDetails` is not open to application permissions (its permissions table
says "Application: Not supported"), so the app reads what `/users` returns with `User.Read.All`:
`assignedLicenses` (SKU ids and the plans switched off in each), `assignedPlans` (per plan: its
service and subscription state) and `provisionedPlans` (provisioning state, per *service* only).
`/subscribedSkus` turns the ids into SKU part numbers and service plan names. What this data can
and cannot tell is listed in docs/graph.md, section "Licenses"; where it cannot tell, the plan's
status is `ProvisioningStatus.UNKNOWN`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sharedcalling.domain.names import contains, fold, same
from sharedcalling.domain.tenant import (
    PLAN_RESOURCE_ACCOUNT,
    PLAN_TEAMS_PHONE,
    License,
    ProvisioningStatus,
    ServicePlan,
)

Json = Mapping[str, Any]

LICENSE_PROPERTIES = "assignedLicenses,assignedPlans,provisionedPlans"
"""User properties Graph returns only when `$select`ed."""

SKU_SELECT = "skuId,skuPartNumber,servicePlans,prepaidUnits,consumedUnits"

# assignedPlan.capabilityStatus values under which the plan can be used (assignedPlan resource:
# Enabled, and Warning = "in a grace period"; Suspended, LockedOut and Deleted are unavailable).
_USABLE = ("Enabled", "Warning")
_PENDING = frozenset(
    {
        ProvisioningStatus.PENDING_INPUT,
        ProvisioningStatus.PENDING_ACTIVATION,
        ProvisioningStatus.PENDING_PROVISIONING,
    }
)
# Teams' own view (teamsUserConfiguration.featureTypes, "the Teams features enabled for a given
# user based on licensing or service plan"; Get-CsOnlineUser documents PhoneSystem and VoiceApp).
# Used only when provisionedPlans is silent or ambiguous for the plan's service.
_TEAMS_FEATURE = {fold(PLAN_TEAMS_PHONE): "PhoneSystem", fold(PLAN_RESOURCE_ACCOUNT): "VoiceApp"}


@dataclass(frozen=True, slots=True)
class PlanInfo:
    id: str
    name: str
    tenant_status: str
    """servicePlanInfo.provisioningStatus in the tenant's SKU (e.g. PendingActivation)."""


@dataclass(frozen=True, slots=True)
class SkuInfo:
    part_number: str
    plans: tuple[PlanInfo, ...]


class SkuCatalog:
    """The tenant's SKUs by `skuId`, and every service plan's name by `servicePlanId`."""

    def __init__(self, skus: Iterable[Json]) -> None:
        self._skus: dict[str, SkuInfo] = {}
        self._plan_names: dict[str, str] = {}
        for sku in skus:
            plans = tuple(
                PlanInfo(
                    id=str(plan.get("servicePlanId") or ""),
                    name=str(plan.get("servicePlanName") or ""),
                    tenant_status=str(plan.get("provisioningStatus") or ""),
                )
                for plan in sku.get("servicePlans") or ()
            )
            self._skus[fold(str(sku.get("skuId") or ""))] = SkuInfo(
                str(sku.get("skuPartNumber") or ""), plans
            )
            self._plan_names.update({fold(p.id): p.name for p in plans})

    def sku(self, sku_id: object) -> SkuInfo | None:
        return self._skus.get(fold(str(sku_id or "")))

    def plan_name(self, plan_id: str) -> str:
        return self._plan_names.get(fold(plan_id), plan_id)


@dataclass(frozen=True, slots=True)
class _UserPlans:
    assigned: Mapping[str, Json]
    """assignedPlans by folded servicePlanId."""
    provisioned: tuple[Json, ...]
    features: Collection[str]

    @classmethod
    def of(cls, user: Json, features: Collection[str]) -> _UserPlans:
        assigned = {
            fold(str(plan.get("servicePlanId") or "")): plan
            for plan in user.get("assignedPlans") or ()
        }
        return cls(assigned, tuple(user.get("provisionedPlans") or ()), features)


def licenses_from_graph(
    user: Json, catalog: SkuCatalog, *, features: Collection[str] = ()
) -> tuple[License, ...]:
    """One License per `assignedLicenses` entry, with every plan of its SKU and that plan's
    status; `features` is the user's Teams `featureTypes`."""
    plans = _UserPlans.of(user, features)
    found: list[License] = []
    explained: set[str] = set()
    unlisted: list[str] = []
    for assigned in user.get("assignedLicenses") or ():
        sku = catalog.sku(assigned.get("skuId"))
        if sku is None:
            unlisted.append(str(assigned.get("skuId") or ""))
            continue
        disabled = {fold(str(p)) for p in assigned.get("disabledPlans") or ()}
        explained |= {fold(p.id) for p in sku.plans}
        service_plans = tuple(ServicePlan(p.name, _status(p, disabled, plans)) for p in sku.plans)
        found.append(License(sku.part_number, service_plans))
    if unlisted:
        found.append(_unlisted_sku(unlisted, explained, plans, catalog))
    return tuple(found)


def _unlisted_sku(
    sku_ids: list[str], explained: set[str], plans: _UserPlans, catalog: SkuCatalog
) -> License:
    """SKUs that /subscribedSkus does not list: their plans are the assigned plans no listed SKU
    explains, so that a Teams Phone plan inside them is still seen, with the state it shows."""
    service_plans = []
    for plan_id in sorted(set(plans.assigned) - explained):
        plan = PlanInfo(plan_id, catalog.plan_name(plan_id), "")
        service_plans.append(ServicePlan(plan.name, _assigned_status(plan, plans)))
    return License(" ".join(sorted(sku_ids)), tuple(service_plans))


def _status(plan: PlanInfo, disabled: set[str], plans: _UserPlans) -> ProvisioningStatus:
    if fold(plan.id) in disabled:
        return ProvisioningStatus.DISABLED  # assignedLicense.disabledPlans: switched off
    tenant = _parse(plan.tenant_status)
    if plan.tenant_status and tenant is not ProvisioningStatus.SUCCESS:
        # The SKU's plan itself is not ready in the tenant (servicePlanInfo, e.g.
        # PendingActivation: "requires explicit activation by an administrator").
        return tenant
    return _assigned_status(plan, plans)


def _assigned_status(plan: PlanInfo, plans: _UserPlans) -> ProvisioningStatus:
    entry = plans.assigned.get(fold(plan.id))
    if entry is None or str(entry.get("capabilityStatus") or "") not in _USABLE:
        return ProvisioningStatus.UNKNOWN
    status = _service_status(plans.provisioned, str(entry.get("service") or ""))
    feature = _TEAMS_FEATURE.get(fold(plan.name))
    if status is ProvisioningStatus.UNKNOWN and feature and contains(plans.features, feature):
        return ProvisioningStatus.SUCCESS
    return status


def _service_status(provisioned: Iterable[Json], service: str) -> ProvisioningStatus:
    """The state every current entry of the plan's service agrees on (then this plan's entry,
    if it has one yet, is in it); the pending state when all are pending in different ways;
    otherwise UNKNOWN: Graph does not say which plan an entry belongs to."""
    statuses = {
        _parse(item.get("provisioningStatus"))
        for item in provisioned
        if same(str(item.get("service") or ""), service)
        and str(item.get("capabilityStatus") or "") in _USABLE
    }
    if len(statuses) == 1:
        return statuses.pop()
    if statuses and statuses <= _PENDING:
        return ProvisioningStatus.PENDING_PROVISIONING
    return ProvisioningStatus.UNKNOWN


def _parse(value: object) -> ProvisioningStatus:
    for member in ProvisioningStatus:
        if same(member.value, str(value or "")):
            return member
    return ProvisioningStatus.UNKNOWN
