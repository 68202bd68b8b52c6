"""The Teams voice tenant as frozen data: accounts, licenses, numbers, groups and policies.

Field values use Microsoft's own spellings (`CallingPlan`, `PolicyAssigned`, `MCOEV`), so that a
snapshot read from Graph or PowerShell maps onto this model without translation tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.snapshot import TenantSnapshot
from sharedcalling.domain.tenant_codes import (
    GLOBAL_POLICY,
    GOV_PLAN_SUFFIX,
    PLAN_COMMUNICATIONS_CREDITS,
    PLAN_PAYG_PREFIX,
    PLAN_RESOURCE_ACCOUNT,
    PLAN_TEAMS_PHONE,
    TEAMS_ADMIN_ROLES,
    AccountType,
    ActivationState,
    AppConfigurationType,
    AssignmentStatus,
    CallingIdSubstitute,
    Capability,
    NumberSource,
    NumberType,
    PolicyType,
    ProvisioningStatus,
    base_number,
    shared_calling_target_id,
)

__all__ = [  # the vocabulary of tenant_codes is re-exported: import it from here
    "GLOBAL_POLICY",
    "GOV_PLAN_SUFFIX",
    "PLAN_COMMUNICATIONS_CREDITS",
    "PLAN_PAYG_PREFIX",
    "PLAN_RESOURCE_ACCOUNT",
    "PLAN_TEAMS_PHONE",
    "TEAMS_ADMIN_ROLES",
    "AccountType",
    "ActivationState",
    "AppAssociation",
    "AppConfigurationType",
    "AssignmentStatus",
    "CallingIdSubstitute",
    "CallingLineIdentityPolicy",
    "Capability",
    "EmergencyCallRoutingPolicy",
    "EmergencyLocation",
    "EmergencyNumber",
    "Group",
    "GroupPolicyAssignment",
    "License",
    "NetworkSite",
    "NumberSource",
    "NumberType",
    "PhoneNumber",
    "PolicyRef",
    "PolicyType",
    "ProvisioningStatus",
    "ServicePlan",
    "SharedCallingPolicy",
    "SubscribedSku",
    "TenantSnapshot",
    "User",
    "VoiceRoutingPolicy",
    "base_number",
    "shared_calling_target_id",
]


@dataclass(frozen=True, slots=True)
class ServicePlan:
    name: str
    status: ProvisioningStatus = ProvisioningStatus.SUCCESS


@dataclass(frozen=True, slots=True)
class License:
    sku_part_number: str
    service_plans: tuple[ServicePlan, ...]


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """A direct assignment of one policy instance (by name, without `Tag:`) to an account."""

    policy_type: PolicyType
    name: str


@dataclass(frozen=True, slots=True)
class User:
    """A directory account as Teams sees it; resource accounts are users with their own type."""

    id: UserId
    user_principal_name: str
    display_name: str
    account_type: AccountType = AccountType.USER
    account_enabled: bool = True
    soft_deleted: bool = False
    usage_location: str | None = None
    """ISO country; None when the directory has none (the domain never assumes one)."""
    licenses: tuple[License, ...] = ()
    enterprise_voice_enabled: bool = False
    direct_policies: tuple[PolicyRef, ...] = ()
    directory_roles: tuple[str, ...] = ()
    """Entra directory role names, e.g. `Teams Communications Administrator`."""
    mail_nickname: str = ""

    def plan_status(self, plan_name: str) -> ProvisioningStatus | None:
        """The best provisioning status of a service plan across all licenses, or None.

        `Success` anywhere wins; otherwise `Unknown` anywhere wins, because a license whose state
        the backend cannot tell may be the one that works.
        """
        statuses = [
            plan.status
            for lic in self.licenses
            for plan in lic.service_plans
            if plan.name.upper() == plan_name.upper()
        ]
        for best in (ProvisioningStatus.SUCCESS, ProvisioningStatus.UNKNOWN):
            if best in statuses:
                return best
        return statuses[0] if statuses else None

    def plan_prefix_status(self, prefix: str) -> ProvisioningStatus | None:
        """Like `plan_status`, for every service plan whose name starts with `prefix`."""
        statuses = [
            plan.status
            for lic in self.licenses
            for plan in lic.service_plans
            if plan.name.upper().startswith(prefix.upper())
        ]
        for best in (ProvisioningStatus.SUCCESS, ProvisioningStatus.UNKNOWN):
            if best in statuses:
                return best
        return statuses[0] if statuses else None

    def has_plan_prefix(self, prefix: str) -> bool:
        """Whether a service plan whose name starts with `prefix` is provisioned."""
        return any(
            plan.name.upper().startswith(prefix.upper())
            and plan.status is ProvisioningStatus.SUCCESS
            for lic in self.licenses
            for plan in lic.service_plans
        )

    def direct_policy(self, policy_type: PolicyType) -> str | None:
        """The name of the directly assigned instance of `policy_type`, or None."""
        for ref in self.direct_policies:
            if ref.policy_type is policy_type:
                return ref.name
        return None

    @property
    def is_resource_account(self) -> bool:
        return self.account_type is AccountType.RESOURCE_ACCOUNT

    @property
    def holds_teams_admin_role(self) -> bool:
        """A Teams Administrator or Teams Communications Administrator: an admin in the bot."""
        return not TEAMS_ADMIN_ROLES.isdisjoint(self.directory_roles)


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """One number of the tenant's inventory (as Get-CsPhoneNumberAssignment shows it)."""

    telephone_number: str
    number_type: NumberType
    iso_country_code: str | None
    capabilities: tuple[Capability, ...] = ()
    activation_state: ActivationState = ActivationState.ACTIVATED
    assignment_status: AssignmentStatus = AssignmentStatus.UNASSIGNED
    assigned_target_id: str | None = None
    """A user or resource account id, or `TeamsSharedCallingRoutingPolicy|Tag:<name>`."""
    location_id: str | None = None
    location_update_supported: bool = True
    number_source: NumberSource = NumberSource.ONLINE
    operator_name: str | None = None
    """The operator's name (PowerShell `PstnPartnerName`); Graph gives only `operator_id`."""
    operator_id: str | None = None
    """The operator's id (Graph `operatorId`, PowerShell `OperatorId`), when the backend has it."""
    shared_calling_policy_supported: bool | None = None
    toll_free: bool = False

    @property
    def base(self) -> str:
        return base_number(self.telephone_number)

    @property
    def has_extension(self) -> bool:
        return ";ext=" in self.telephone_number.lower()

    @property
    def is_service_number(self) -> bool:
        """A Calling Plan service number lacks the UserAssignment capability (SC-E06)."""
        return Capability.USER_ASSIGNMENT not in self.capabilities


@dataclass(frozen=True, slots=True)
class Group:
    id: GroupId
    display_name: str
    member_ids: tuple[UserId, ...] = ()
    """Direct members only: Teams group policy assignment does not reach nested groups."""
    nested_group_ids: tuple[GroupId, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupPolicyAssignment:
    group_id: GroupId
    policy_type: PolicyType
    policy_name: str
    rank: int


@dataclass(frozen=True, slots=True)
class AppAssociation:
    """A resource account linked to an auto attendant or call queue."""

    resource_account_id: UserId
    configuration_type: AppConfigurationType
    configuration_id: str
    configuration_name: str


@dataclass(frozen=True, slots=True)
class SharedCallingPolicy:
    name: str
    resource_account_id: UserId | None
    emergency_numbers: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class VoiceRoutingPolicy:
    name: str
    pstn_usages: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class EmergencyNumber:
    dial_string: str
    dial_mask: str | None = None
    pstn_usage: str | None = None


@dataclass(frozen=True, slots=True)
class EmergencyCallRoutingPolicy:
    name: str
    emergency_numbers: tuple[EmergencyNumber, ...] = ()
    enhanced_emergency_services: bool = True
    description: str = ""


@dataclass(frozen=True, slots=True)
class CallingLineIdentityPolicy:
    name: str
    substitute: CallingIdSubstitute = CallingIdSubstitute.LINE_URI
    resource_account_id: UserId | None = None
    enable_user_override: bool = False
    company_name: str | None = None

    @property
    def is_default(self) -> bool:
        """True when the policy changes nothing about the presented caller ID."""
        return (
            self.substitute is CallingIdSubstitute.LINE_URI
            and not self.enable_user_override
            and not self.company_name
        )


@dataclass(frozen=True, slots=True)
class EmergencyLocation:
    """A civic address with its location id (`Get-CsOnlineLisLocation`).

    A tenant file exported from a backend that lists no locations holds only the ids its
    numbers reference, so the address may be empty.
    """

    id: str
    description: str = ""
    country_or_region: str = ""


@dataclass(frozen=True, slots=True)
class NetworkSite:
    name: str
    emergency_call_routing_policy: str | None = None


@dataclass(frozen=True, slots=True)
class SubscribedSku:
    sku_part_number: str
    service_plan_names: tuple[str, ...]
    enabled_units: int
    consumed_units: int

    @property
    def available_units(self) -> int:
        return max(0, self.enabled_units - self.consumed_units)
