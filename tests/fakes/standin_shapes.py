"""Tenant objects shaped like the Teams cmdlets' output, for the stand-in PowerShell worker."""

from __future__ import annotations

from typing import Any

from sharedcalling.domain.tenant import (
    GLOBAL_POLICY,
    AppAssociation,
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    EmergencyLocation,
    GroupPolicyAssignment,
    PhoneNumber,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
)
from tests.fakes.fake_graph_json import guid_for


def identity(name: str) -> str:
    """Get-Cs* report per-user instances as `Tag:<name>` and the tenant instance as `Global`."""
    return name if name.lower() == GLOBAL_POLICY.lower() else f"Tag:{name}"


def user(account: User, snapshot: TenantSnapshot | None = None) -> dict[str, Any]:
    """Get-CsOnlineUser -Identity output: Identity (the ObjectId), UserPrincipalName,
    AccountType, EnterpriseVoiceEnabled, FeatureTypes, LineUri and the direct policy fields."""
    numbers = snapshot.numbers_of(account.id) if snapshot is not None else ()
    features = ["PhoneSystem"] if account.plan_status("MCOEV") else []
    if account.is_resource_account:
        features.append("VoiceApp")
    shape: dict[str, Any] = {
        "Identity": account.id,
        "UserPrincipalName": account.user_principal_name,
        "DisplayName": account.display_name,
        "AccountType": account.account_type.value,
        "AccountEnabled": account.account_enabled,
        "EnterpriseVoiceEnabled": account.enterprise_voice_enabled,
        "UsageLocation": account.usage_location,
        "FeatureTypes": features,
        "LineUri": f"tel:{numbers[0].telephone_number}" if numbers else None,
    }
    for ref in account.direct_policies:
        shape[ref.policy_type.value] = ref.name
    return shape


def number(n: PhoneNumber) -> dict[str, Any]:
    """Get-CsPhoneNumberAssignment output (its examples 1 and 2): OperatorId, PstnPartnerId and
    PstnPartnerName among the fields the rules use."""
    operator = n.operator_id or (guid_for(n.operator_name) if n.operator_name else None)
    partner = guid_for(f"partner:{n.operator_name}") if n.operator_name else None
    return {
        "TelephoneNumber": n.telephone_number,
        "OperatorId": operator,
        "NumberType": n.number_type.value,
        "ActivationState": n.activation_state.value,
        "AssignedPstnTargetId": n.assigned_target_id,
        "PstnAssignmentStatus": n.assignment_status.value,
        "Capability": [c.value for c in n.capabilities],
        "IsoCountryCode": n.iso_country_code,
        "LocationId": n.location_id,
        "LocationUpdateSupported": n.location_update_supported,
        "NumberSource": n.number_source.value,
        "PstnPartnerId": partner,
        "PstnPartnerName": n.operator_name,
    }


def shared_calling(
    policy: SharedCallingPolicy, snapshot: TenantSnapshot, *, variant: bool
) -> dict[str, Any]:
    """Get-CsTeamsSharedCallingRoutingPolicy output, whose properties its page does not list:
    Identity `Tag:<name>`, ResourceAccount, EmergencyNumbers, Description.
    `variant` gives the other shapes seen in the wild: ResourceAccount as a UPN and a single
    emergency number as a plain string."""
    account: str | None = policy.resource_account_id
    numbers: Any = list(policy.emergency_numbers)
    if variant:
        ra = snapshot.users.get(policy.resource_account_id) if policy.resource_account_id else None
        account = ra.user_principal_name if ra is not None else account
        numbers = " ".join(policy.emergency_numbers) if len(numbers) == 1 else numbers
    return {
        "Identity": identity(policy.name),
        "ResourceAccount": account,
        "EmergencyNumbers": numbers,
        "Description": policy.description,
    }


def voice_routing(policy: VoiceRoutingPolicy) -> dict[str, Any]:
    """Get-CsOnlineVoiceRoutingPolicy output: Identity, OnlinePstnUsages, Description."""
    return {
        "Identity": identity(policy.name),
        "OnlinePstnUsages": list(policy.pstn_usages),
        "Description": policy.description,
    }


def emergency_routing(policy: EmergencyCallRoutingPolicy) -> dict[str, Any]:
    """Get-CsTeamsEmergencyCallRoutingPolicy output: EmergencyNumbers of
    {EmergencyDialString, EmergencyDialMask, OnlinePSTNUsage} (New-CsTeamsEmergencyNumber's
    fields), AllowEnhancedEmergencyServices, Description."""
    return {
        "Identity": identity(policy.name),
        "EmergencyNumbers": [
            {
                "EmergencyDialString": n.dial_string,
                "EmergencyDialMask": n.dial_mask,
                "OnlinePSTNUsage": n.pstn_usage or "",
            }
            for n in policy.emergency_numbers
        ],
        "AllowEnhancedEmergencyServices": policy.enhanced_emergency_services,
        "Description": policy.description,
    }


def caller_id(policy: CallingLineIdentityPolicy) -> dict[str, Any]:
    """Get-CsCallingLineIdentity output: CallingIDSubstitute, ResourceAccount,
    EnableUserOverride, CompanyName."""
    return {
        "Identity": identity(policy.name),
        "CallingIDSubstitute": policy.substitute.value,
        "ResourceAccount": policy.resource_account_id,
        "EnableUserOverride": policy.enable_user_override,
        "CompanyName": policy.company_name,
    }


GROUP_ASSIGNMENT_CREATED_BY = "aeb7c0e7-2f6d-43ef-bf33-bfbcb93fdc64"


def group_assignment(assignment: GroupPolicyAssignment) -> dict[str, Any]:
    """Get-CsGroupPolicyAssignment rows (its examples 1 to 3): GroupId, PolicyType, PolicyName,
    Rank, CreatedTime, CreatedBy."""
    return {
        "GroupId": assignment.group_id,
        "PolicyType": assignment.policy_type.value,
        "PolicyName": assignment.policy_name,
        "Rank": assignment.rank,
        "CreatedTime": "2024-01-01T00:00:00",
        "CreatedBy": GROUP_ASSIGNMENT_CREATED_BY,
    }


def association(a: AppAssociation) -> dict[str, Any]:
    """Get-CsOnlineApplicationInstanceAssociation output: Id, ConfigurationId,
    ConfigurationType, CallPriority."""
    return {
        "Id": a.resource_account_id,
        "ConfigurationId": a.configuration_id,
        "ConfigurationType": a.configuration_type.value,
        "CallPriority": 3,
    }


def emergency_location(location: EmergencyLocation) -> dict[str, Any]:
    """Get-CsOnlineLisLocation output, as its documentation's examples show it
    (https://learn.microsoft.com/powershell/module/teams/get-csonlinelislocation): the location
    and its civic address side by side; the stand-in knows no street, so those fields are empty.
    """
    return {
        "LocationId": location.id,
        "CivicAddressId": guid_for(f"civic:{location.id}"),
        "Description": location.description,
        "Location": "",
        "CompanyName": "",
        "HouseNumber": "",
        "StreetName": "",
        "City": "",
        "StateOrProvince": "",
        "PostalCode": "",
        "CountryOrRegion": location.country_or_region,
        "ValidationStatus": "Validated",
    }
