"""The tenant's vocabulary: Microsoft's spellings of types, states and service plan names.

Re-exported by `tenant`, which is where the rest of the product imports them from.
"""

from __future__ import annotations

from enum import StrEnum

GLOBAL_POLICY = "Global"
"""Name of the tenant-wide instance of every policy type."""

# Service plan names, as in Microsoft Entra's licensing service plan reference
# (https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference).
# Matched by name, never by SKU GUID.
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
    """The E.164 part of a number, without any `;ext=` suffix."""
    return telephone_number.split(";", 1)[0]
