"""The Teams voice tenant as frozen data: accounts, licenses, numbers, groups and policies.

Field values use Microsoft's own spellings (`CallingPlan`, `PolicyAssigned`, `MCOEV`), so that a
snapshot read from Graph or PowerShell maps onto this model without translation tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from sharedcalling.domain import names
from sharedcalling.domain.ids import GroupId, TenantId, UserId

K = TypeVar("K")
V = TypeVar("V")

GLOBAL_POLICY = "Global"
"""Name of the tenant-wide instance of every policy type."""

# Service plan names (reference §8). Matched by name, never by SKU GUID.
PLAN_TEAMS_PHONE = "MCOEV"
PLAN_RESOURCE_ACCOUNT = "MCOEV_VIRTUALUSER"
PLAN_PAYG_PREFIX = "MCOPSTN_PAYG"
PLAN_COMMUNICATIONS_CREDITS = "MCOPSTNC"
GOV_PLAN_SUFFIX = "_GOV"

TEAMS_ADMIN_ROLES = frozenset({"Teams Administrator", "Teams Communications Administrator"})
"""Directory roles that make a person a Shared Calling admin without group membership."""


class AccountType(StrEnum):
    USER = "User"
    RESOURCE_ACCOUNT = "ResourceAccount"
    GUEST = "Guest"
    SFB_ON_PREM = "SfBOnPremUser"
    INELIGIBLE = "IneligibleUser"


class ProvisioningStatus(StrEnum):
    SUCCESS = "Success"
    PENDING_ACTIVATION = "PendingActivation"
    PENDING_INPUT = "PendingInput"
    PENDING_PROVISIONING = "PendingProvisioning"
    DISABLED = "Disabled"
    ERROR = "Error"
    UNKNOWN = "Unknown"
    """The backend cannot tell the provisioning state (its data does not carry it)."""


class NumberType(StrEnum):
    CALLING_PLAN = "CallingPlan"
    OPERATOR_CONNECT = "OperatorConnect"
    DIRECT_ROUTING = "DirectRouting"


class ActivationState(StrEnum):
    ACTIVATED = "Activated"
    ASSIGNMENT_PENDING = "AssignmentPending"
    ASSIGNMENT_FAILED = "AssignmentFailed"
    UPDATE_PENDING = "UpdatePending"
    UPDATE_FAILED = "UpdateFailed"


class AssignmentStatus(StrEnum):
    UNASSIGNED = "Unassigned"
    USER_ASSIGNED = "UserAssigned"
    CONFERENCE_ASSIGNED = "ConferenceAssigned"
    VOICE_APPLICATION_ASSIGNED = "VoiceApplicationAssigned"
    THIRD_PARTY_APP_ASSIGNED = "ThirdPartyAppAssigned"
    POLICY_ASSIGNED = "PolicyAssigned"


class Capability(StrEnum):
    USER_ASSIGNMENT = "UserAssignment"
    VOICE_APPLICATION_ASSIGNMENT = "VoiceApplicationAssignment"
    CONFERENCE_ASSIGNMENT = "ConferenceAssignment"
    SHARED_CALLING = "SharedCalling"


class NumberSource(StrEnum):
    ONLINE = "Online"
    ON_PREMISES = "OnPremises"


class PolicyType(StrEnum):
    SHARED_CALLING = "TeamsSharedCallingRoutingPolicy"
    VOICE_ROUTING = "OnlineVoiceRoutingPolicy"
    EMERGENCY_CALL_ROUTING = "TeamsEmergencyCallRoutingPolicy"
    CALLING_LINE_IDENTITY = "CallingLineIdentity"


class CallingIdSubstitute(StrEnum):
    LINE_URI = "LineUri"
    ANONYMOUS = "Anonymous"
    RESOURCE = "Resource"


class AppConfigurationType(StrEnum):
    AUTO_ATTENDANT = "AutoAttendant"
    CALL_QUEUE = "CallQueue"


def shared_calling_target_id(policy_name: str) -> str:
    """The `AssignedPstnTargetId` a number carries while it is an emergency number of a policy."""
    return f"{PolicyType.SHARED_CALLING.value}|Tag:{policy_name}"


def base_number(telephone_number: str) -> str:
    """The E.164 part of a number, without any `;ext=` suffix (reference §5.7)."""
    return telephone_number.split(";", 1)[0]


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
        """A Calling Plan service number lacks the UserAssignment capability (reference SC-E06)."""
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


def _frozen_map(items: Mapping[K, V] | None) -> Mapping[K, V]:
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True, slots=True)
class TenantSnapshot:
    """What a use case read from the tenant: the accounts it needs, and all numbers and policies.

    Mappings are read-only views. Keys: accounts by object id, numbers by their full
    `telephone_number` (with any `;ext=`), policies by name (without `Tag:`; `Global` included).
    Ids and policy names are case-insensitive in Teams, so look them up with `user()`,
    `policy()`, `numbers_of()` and `groups_of()`, never with `mapping[key]`.
    """

    tenant_id: TenantId
    users: Mapping[UserId, User] = field(default_factory=dict)
    numbers: Mapping[str, PhoneNumber] = field(default_factory=dict)
    groups: Mapping[GroupId, Group] = field(default_factory=dict)
    group_assignments: tuple[GroupPolicyAssignment, ...] = ()
    shared_calling_policies: Mapping[str, SharedCallingPolicy] = field(default_factory=dict)
    voice_routing_policies: Mapping[str, VoiceRoutingPolicy] = field(default_factory=dict)
    emergency_call_routing_policies: Mapping[str, EmergencyCallRoutingPolicy] = field(
        default_factory=dict
    )
    calling_line_identity_policies: Mapping[str, CallingLineIdentityPolicy] = field(
        default_factory=dict
    )
    associations: tuple[AppAssociation, ...] = ()
    subscribed_skus: tuple[SubscribedSku, ...] = ()
    network_sites: tuple[NetworkSite, ...] = ()
    cloud: str = "public"
    """`public`, or the sovereign cloud name (`gcc`, `gcchigh`, `dod`, ...)."""
    _index: dict[str, Mapping[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Folded-key indexes, built on first use (a snapshot may hold over 1,000 accounts)."""

    def __post_init__(self) -> None:
        for name in (
            "users",
            "numbers",
            "groups",
            "shared_calling_policies",
            "voice_routing_policies",
            "emergency_call_routing_policies",
            "calling_line_identity_policies",
        ):
            object.__setattr__(self, name, _frozen_map(getattr(self, name)))

    def _indexed(self, name: str, build: Callable[[], Mapping[str, Any]]) -> Mapping[str, Any]:
        index = self._index.get(name)
        if index is None:
            index = self._index[name] = build()
        return index

    def user(self, user_id: str | None) -> User | None:
        """The account with this object id, compared case-insensitively; None if absent."""
        if not user_id:
            return None
        exact = self.users.get(UserId(user_id))
        if exact is not None:
            return exact
        by_id = self._indexed("users", lambda: {names.fold(u.id): u for u in self.users.values()})
        found: User | None = by_id.get(names.fold(user_id))
        return found

    def policy(self, policy_type: PolicyType, name: str | None) -> Any:
        """The instance `name` of `policy_type` (`Tag:` and case ignored), or None."""
        if not name:
            return None
        return names.find(self._policies(policy_type), name, policy=True)

    def _policies(self, policy_type: PolicyType) -> Mapping[str, Any]:
        if policy_type is PolicyType.SHARED_CALLING:
            return self.shared_calling_policies
        if policy_type is PolicyType.VOICE_ROUTING:
            return self.voice_routing_policies
        if policy_type is PolicyType.EMERGENCY_CALL_ROUTING:
            return self.emergency_call_routing_policies
        return self.calling_line_identity_policies

    def shared_calling_policy(self, name: str | None) -> SharedCallingPolicy | None:
        found: SharedCallingPolicy | None = self.policy(PolicyType.SHARED_CALLING, name)
        return found

    def voice_routing_policy(self, name: str | None) -> VoiceRoutingPolicy | None:
        found: VoiceRoutingPolicy | None = self.policy(PolicyType.VOICE_ROUTING, name)
        return found

    def emergency_routing_policy(self, name: str | None) -> EmergencyCallRoutingPolicy | None:
        found: EmergencyCallRoutingPolicy | None = self.policy(
            PolicyType.EMERGENCY_CALL_ROUTING, name
        )
        return found

    def caller_id_policy(self, name: str | None) -> CallingLineIdentityPolicy | None:
        found: CallingLineIdentityPolicy | None = self.policy(
            PolicyType.CALLING_LINE_IDENTITY, name
        )
        return found

    def numbers_of(self, target_id: str) -> tuple[PhoneNumber, ...]:
        """Numbers assigned to a user, resource account or policy target id, in a stable order."""
        by_target = self._indexed("numbers", self._numbers_by_target)
        found: tuple[PhoneNumber, ...] = by_target.get(names.fold(target_id), ())
        return found

    def _numbers_by_target(self) -> Mapping[str, tuple[PhoneNumber, ...]]:
        grouped: dict[str, list[PhoneNumber]] = {}
        for number in sorted(self.numbers.values(), key=lambda n: n.telephone_number):
            if number.assigned_target_id is not None:
                grouped.setdefault(names.fold(number.assigned_target_id), []).append(number)
        return {key: tuple(numbers) for key, numbers in grouped.items()}

    def number(self, telephone_number: str) -> PhoneNumber | None:
        """Look a number up by its full form, then by its base E.164 form."""
        found = self.numbers.get(telephone_number)
        if found is not None:
            return found
        wanted = base_number(telephone_number)
        for candidate in self.numbers.values():
            if candidate.base == wanted:
                return candidate
        return None

    def group(self, group_id: str | None) -> Group | None:
        """The group with this object id, compared case-insensitively; None if absent."""
        return names.find(self.groups, group_id) if group_id else None

    def associations_of(self, resource_account_id: str) -> tuple[AppAssociation, ...]:
        return tuple(
            a for a in self.associations if names.same(a.resource_account_id, resource_account_id)
        )

    def groups_of(self, user_id: str) -> tuple[Group, ...]:
        """Groups the user is a direct member of."""
        members = self._indexed("members", self._groups_by_member)
        found: tuple[Group, ...] = members.get(names.fold(user_id), ())
        return found

    def _groups_by_member(self) -> Mapping[str, tuple[Group, ...]]:
        grouped: dict[str, list[Group]] = {}
        for group in self.groups.values():
            for member in dict.fromkeys(names.fold(m) for m in group.member_ids):
                grouped.setdefault(member, []).append(group)
        return {key: tuple(groups) for key, groups in grouped.items()}
