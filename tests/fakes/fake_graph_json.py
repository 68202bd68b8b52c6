"""Domain tenant objects in the JSON shapes Microsoft Graph v1.0 serves, for the fake Graph."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sharedcalling.domain.tenant import (
    PLAN_RESOURCE_ACCOUNT,
    PLAN_TEAMS_PHONE,
    AccountType,
    PhoneNumber,
    PolicyType,
    ProvisioningStatus,
    SubscribedSku,
    TenantSnapshot,
    User,
)

Json = dict[str, Any]

# Graph spells enum members in camelCase; a few differ from lower-casing the first letter.
_SPECIAL = {"SfBOnPremUser": "sfbOnPremUser"}

_DISABLED = ProvisioningStatus.DISABLED

ROLE_TEMPLATES = {
    "Teams Administrator": "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "Teams Communications Administrator": "baf37b3a-610e-45da-9e62-d9d1e5e8914b",
}


def camel(value: str) -> str:
    return _SPECIAL.get(value, value[:1].lower() + value[1:])


def guid_for(name: str) -> str:
    """A stable GUID for a name (SKU and service plan ids the fixture does not carry)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fake-graph:{name}"))


def select(item: Mapping[str, Any], fields: str | None) -> Json:
    """`$select`: only the named properties (plus OData annotations)."""
    if not fields:
        return dict(item)
    wanted = {f.strip() for f in fields.split(",")}
    return {k: v for k, v in item.items() if k in wanted or k.startswith("@odata")}


Catalog = Mapping[str, tuple[str, ...]]
"""The tenant's SKUs: part number -> service plan names."""

# The `service` an assignedPlan / provisionedPlan names for a plan (real tenants: the Teams voice
# plans MCOEV, MCOEV_VIRTUALUSER, MCOPSTN* belong to MicrosoftCommunicationsOnline).
_SERVICES = (("MCO", "MicrosoftCommunicationsOnline"), ("TEAMS", "TeamspaceAPI"))


def service_of(plan_name: str) -> str:
    for prefix, service in _SERVICES:
        if plan_name.upper().startswith(prefix):
            return service
    return plan_name.split("_", 1)[0].lower()


def catalog_of(snapshot: TenantSnapshot) -> dict[str, tuple[str, ...]]:
    """The tenant's SKUs, plus any SKU a user holds that the snapshot does not list (a real
    tenant subscribes to every SKU it assigns)."""
    catalog = {s.sku_part_number: s.service_plan_names for s in snapshot.subscribed_skus}
    for user in snapshot.users.values():
        for lic in user.licenses:
            catalog.setdefault(lic.sku_part_number, tuple(p.name for p in lic.service_plans))
    return catalog


def user_json(user: User, catalog: Catalog | None = None) -> Json:
    """user resource (api-reference/v1.0/resources/user.md): the properties the adapter
    selects; the license ones as assignedLicense, assignedPlan and provisionedPlan document."""
    return {
        "id": user.id,
        "userPrincipalName": user.user_principal_name,
        "displayName": user.display_name,
        "accountEnabled": user.account_enabled,
        "usageLocation": user.usage_location,
        "mailNickname": user.mail_nickname,
        "mail": user.user_principal_name,
        "givenName": user.display_name.split(" ")[0],
        **license_properties(user, catalog or {}),
    }


def license_properties(user: User, catalog: Catalog) -> Json:
    """assignedLicenses {skuId, disabledPlans} (assignedlicense.md); assignedPlans
    {assignedDateTime, capabilityStatus, service, servicePlanId} (assignedplan.md);
    provisionedPlans {capabilityStatus, provisioningStatus, service} (provisionedplan.md), one
    entry per provisioned plan but naming only its service, as Graph does."""
    licenses, assigned, provisioned = [], [], []
    for lic in user.licenses:
        statuses = {plan.name: plan.status for plan in lic.service_plans}
        names = catalog.get(lic.sku_part_number, tuple(statuses))
        # A plan of the SKU that the user's license does not carry is switched off for them.
        off = [n for n in names if statuses.get(n, ProvisioningStatus.DISABLED) is _DISABLED]
        licenses.append(
            {"skuId": guid_for(lic.sku_part_number), "disabledPlans": [guid_for(n) for n in off]}
        )
        for name in (n for n in names if n not in off):
            service = service_of(name)
            assigned.append(
                {
                    "assignedDateTime": "2024-01-01T00:00:00Z",
                    "capabilityStatus": "Enabled",
                    "service": service,
                    "servicePlanId": guid_for(name),
                }
            )
            status = statuses[name]
            if status is not ProvisioningStatus.UNKNOWN:
                provisioned.append(
                    {
                        "capabilityStatus": "Enabled",
                        "provisioningStatus": status.value,
                        "service": service,
                    }
                )
    return {
        "assignedLicenses": licenses,
        "assignedPlans": assigned,
        "provisionedPlans": provisioned,
    }


def _feature_types(user: User) -> list[str]:
    """featureTypes as Teams shows them once the plans behind them are provisioned."""
    features = ["Teams", "AudioConferencing"]
    if user.plan_status(PLAN_TEAMS_PHONE) is ProvisioningStatus.SUCCESS:
        features.append("PhoneSystem")
    if user.has_plan_prefix("MCOPSTN"):
        features.append("CallingPlan")
    if user.plan_status(PLAN_RESOURCE_ACCOUNT) is ProvisioningStatus.SUCCESS:
        features.append("VoiceApp")
    return features


def _effective(user: User, snapshot: TenantSnapshot) -> list[Json]:
    """Direct assignments win; otherwise the user's group assignment of lowest rank. Global
    instances are not listed (empty means Global applies)."""
    member_of = {g.id for g in snapshot.groups_of(user.id)}
    found: list[Json] = []
    for policy_type in PolicyType:
        name = user.direct_policy(policy_type)
        assignment: Json | None = None
        if name is not None:
            assignment = {"assignmentType": "direct", "displayName": name, "groupId": None}
        else:
            ranked = sorted(
                (a for a in snapshot.group_assignments if a.policy_type is policy_type),
                key=lambda a: a.rank,
            )
            for group_assignment in ranked:
                if group_assignment.group_id in member_of:
                    assignment = {
                        "assignmentType": "group",
                        "displayName": group_assignment.policy_name,
                        "groupId": group_assignment.group_id,
                    }
                    break
        if assignment is not None:
            assignment["policyId"] = guid_for(f"{policy_type.value}:{assignment['displayName']}")
            found.append({"policyType": policy_type.value, "policyAssignment": assignment})
    return found


def user_configuration_json(user: User, snapshot: TenantSnapshot) -> Json:
    """teamsUserConfiguration (teamsadministration-teamsuserconfiguration.md), with
    effectivePolicyAssignment entries {policyType, policyAssignment {displayName,
    assignmentType, policyId, groupId}}."""
    numbers = [
        {"telephoneNumber": n.telephone_number, "assignmentCategory": "primary"}
        for n in snapshot.numbers_of(user.id)
    ]
    account_type = camel(user.account_type.value)
    return {
        "id": user.id,
        "tenantId": snapshot.tenant_id,
        "userPrincipalName": user.user_principal_name,
        "accountType": account_type,
        "isEnterpriseVoiceEnabled": user.enterprise_voice_enabled,
        "featureTypes": _feature_types(user),
        "telephoneNumbers": numbers,
        "effectivePolicyAssignments": _effective(user, snapshot),
        "createdDateTime": "2024-01-01T00:00:00Z",
        "modifiedDateTime": "2024-06-01T00:00:00Z",
    }


def number_json(number: PhoneNumber) -> Json:
    """numberAssignment (teamsadministration-numberassignment.md): `operatorId` is "The ID of
    the operator"; the resource has no operator name."""
    operator = number.operator_id or (
        guid_for(number.operator_name) if number.operator_name else None
    )
    return {
        "telephoneNumber": number.telephone_number,
        "numberType": camel(number.number_type.value),
        "activationState": camel(number.activation_state.value),
        "assignmentCategory": "primary" if number.assigned_target_id else None,
        "assignmentStatus": camel(number.assignment_status.value),
        "assignmentTargetId": number.assigned_target_id,
        "capabilities": [camel(c.value) for c in number.capabilities],
        "isoCountryCode": number.iso_country_code,
        "locationId": number.location_id,
        "networkSiteId": None,
        "numberSource": camel(number.number_source.value),
        "operatorId": operator,
        "portInStatus": None,
        "reverseNumberLookup": [],
    }


def sku_json(sku: SubscribedSku) -> Json:
    """subscribedSku (subscribedsku.md) with servicePlanInfo entries (serviceplaninfo.md)."""
    return {
        "id": guid_for(f"tenant-sku:{sku.sku_part_number}"),
        "skuId": guid_for(sku.sku_part_number),
        "skuPartNumber": sku.sku_part_number,
        "appliesTo": "User",
        "capabilityStatus": "Enabled",
        "consumedUnits": sku.consumed_units,
        "prepaidUnits": {"enabled": sku.enabled_units, "suspended": 0, "warning": 0},
        "servicePlans": [
            {
                "servicePlanId": guid_for(name),
                "servicePlanName": name,
                "provisioningStatus": "Success",
                "appliesTo": "User",
            }
            for name in sku.service_plan_names
        ],
    }


def member_json(member_id: str, *, group: bool = False) -> Json:
    kind = "group" if group else "user"
    return {"@odata.type": f"#microsoft.graph.{kind}", "id": member_id}


def role_members(users: Iterable[User], role_name: str) -> list[Json]:
    return [member_json(u.id) for u in users if role_name in u.directory_roles]


def is_resource_account(user: User) -> bool:
    return user.account_type is AccountType.RESOURCE_ACCOUNT
