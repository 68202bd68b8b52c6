"""Defensive parsing of Teams cmdlet output (as JSON) into the domain's tenant model, and the
comparisons that tell whether a policy already exists as wanted."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.names import bare_policy_name, fold, same
from sharedcalling.domain.tenant import (
    AppAssociation,
    AppConfigurationType,
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    EmergencyLocation,
    EmergencyNumber,
    GroupPolicyAssignment,
    PolicyType,
    SharedCallingPolicy,
    VoiceRoutingPolicy,
)

_SEPARATORS = re.compile(r"[\s,]+")


def as_objects(result: Any) -> list[Mapping[str, Any]]:
    """ConvertTo-Json gives null, one object or a list: always a list of objects."""
    if result is None:
        return []
    items = result if isinstance(result, list) else [result]
    return [item for item in items if isinstance(item, Mapping)]


def tagless(identity: Any) -> str:
    """`Tag:Seattle` -> `Seattle` (Get returns the prefix, Grant wants the bare name)."""
    return bare_policy_name(str(identity or ""))


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def string_list(value: Any) -> tuple[str, ...]:
    """A list, a single string (space- or comma-separated) or null, as a tuple of strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part for part in _SEPARATORS.split(value) if part)
    if isinstance(value, list):
        return tuple(s for v in value if (s := _text(v)) is not None)
    return ()


def account_id(value: Any, accounts: Mapping[str, UserId]) -> UserId | None:
    """An ObjectId or a UPN (the output is undocumented and seen both ways) resolved to an
    ObjectId through `accounts` (lower-case id or UPN -> id); an unknown value is kept as given."""
    text = _text(value)
    if text is None:
        return None
    return accounts.get(fold(text), UserId(text.lower()))


def shared_calling_policy(
    item: Mapping[str, Any], accounts: Mapping[str, UserId]
) -> SharedCallingPolicy:
    return SharedCallingPolicy(
        name=tagless(item.get("Identity")),
        resource_account_id=account_id(item.get("ResourceAccount"), accounts),
        emergency_numbers=string_list(item.get("EmergencyNumbers")),
        description=str(item.get("Description") or ""),
    )


def voice_routing_policy(item: Mapping[str, Any]) -> VoiceRoutingPolicy:
    return VoiceRoutingPolicy(
        name=tagless(item.get("Identity")),
        pstn_usages=string_list(item.get("OnlinePstnUsages")),
        description=str(item.get("Description") or ""),
    )


def _emergency_number(item: Mapping[str, Any]) -> EmergencyNumber:
    return EmergencyNumber(
        dial_string=str(item.get("EmergencyDialString") or ""),
        dial_mask=_text(item.get("EmergencyDialMask")),
        pstn_usage=_text(item.get("OnlinePSTNUsage")),
    )


def emergency_call_routing_policy(item: Mapping[str, Any]) -> EmergencyCallRoutingPolicy:
    return EmergencyCallRoutingPolicy(
        name=tagless(item.get("Identity")),
        emergency_numbers=tuple(map(_emergency_number, as_objects(item.get("EmergencyNumbers")))),
        enhanced_emergency_services=item.get("AllowEnhancedEmergencyServices") is not False,
        description=str(item.get("Description") or ""),
    )


def _substitute(value: Any) -> CallingIdSubstitute:
    for member in CallingIdSubstitute:
        if same(member.value, str(value or "")):
            return member
    return CallingIdSubstitute.LINE_URI  # `Service` is deprecated and ignored by Teams


def calling_line_identity_policy(
    item: Mapping[str, Any], accounts: Mapping[str, UserId]
) -> CallingLineIdentityPolicy:
    return CallingLineIdentityPolicy(
        name=tagless(item.get("Identity")),
        substitute=_substitute(item.get("CallingIDSubstitute")),
        resource_account_id=account_id(item.get("ResourceAccount"), accounts),
        enable_user_override=item.get("EnableUserOverride") is True,
        company_name=_text(item.get("CompanyName")),
    )


def group_assignment(item: Mapping[str, Any]) -> GroupPolicyAssignment | None:
    """One row of Get-CsGroupPolicyAssignment; None for policy types this model does not know."""
    try:
        policy_type = PolicyType(str(item.get("PolicyType")))
    except ValueError:
        return None
    # Get-CsGroupPolicyAssignment rows: GroupId, PolicyType, PolicyName, Rank, CreatedTime,
    # CreatedBy (its examples 1 to 3).
    rank = item.get("Rank")
    return GroupPolicyAssignment(
        group_id=GroupId(str(item.get("GroupId") or "").lower()),
        policy_type=policy_type,
        policy_name=tagless(item.get("PolicyName")),
        rank=rank if isinstance(rank, int) and not isinstance(rank, bool) else 0,
    )


def association(
    item: Mapping[str, Any], resource_account: UserId, names: Mapping[str, str]
) -> AppAssociation | None:
    """One Get-CsOnlineApplicationInstanceAssociation result; `names` maps configuration ids to
    auto attendant / call queue names."""
    try:
        kind = AppConfigurationType(str(item.get("ConfigurationType")))
    except ValueError:
        return None
    configuration_id = str(item.get("ConfigurationId") or "")
    return AppAssociation(
        resource_account_id=resource_account,
        configuration_type=kind,
        configuration_id=configuration_id,
        configuration_name=names.get(configuration_id, ""),
    )


def emergency_location(item: Mapping[str, Any]) -> EmergencyLocation | None:
    """One Get-CsOnlineLisLocation result (LocationId, Description, CountryOrRegion, and the
    civic address fields the bot does not show); None without a LocationId."""
    location_id = str(item.get("LocationId") or "").strip()
    if not location_id:
        return None
    return EmergencyLocation(
        id=location_id,
        description=str(item.get("Description") or "").strip(),
        country_or_region=str(item.get("CountryOrRegion") or "").strip().upper(),
    )


def emergency_number_entry(number: EmergencyNumber) -> dict[str, str]:
    """One entry of the worker's `emergency-numbers` list (New-CsTeamsEmergencyNumber's
    parameters)."""
    entry = {"EmergencyDialString": number.dial_string}
    if number.dial_mask:
        entry["EmergencyDialMask"] = number.dial_mask
    if number.pstn_usage:
        entry["OnlinePSTNUsage"] = number.pstn_usage
    return entry


def same_ecrp(a: EmergencyCallRoutingPolicy, b: EmergencyCallRoutingPolicy) -> bool:
    return (
        set(a.emergency_numbers) == set(b.emergency_numbers)
        and a.enhanced_emergency_services == b.enhanced_emergency_services
    )


def same_clid(a: CallingLineIdentityPolicy, b: CallingLineIdentityPolicy) -> bool:
    same_account = same(a.resource_account_id or "", b.resource_account_id or "")
    return (
        a.substitute is b.substitute
        and same_account
        and a.enable_user_override == b.enable_user_override
        and (a.company_name or "") == (b.company_name or "")
    )


def same_scp(a: SharedCallingPolicy, b: SharedCallingPolicy) -> bool:
    """Same resource account, same emergency numbers as a set: whether a change is needed."""
    same_account = same(a.resource_account_id or "", b.resource_account_id or "")
    return same_account and set(a.emergency_numbers) == set(b.emergency_numbers)
