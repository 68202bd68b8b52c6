"""The allow-listed cmdlets of the stand-in worker, each over a TenantGateway."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.names import bare_policy_name, policy_key, same
from sharedcalling.domain.tenant import (
    GLOBAL_POLICY,
    AccountType,
    AppConfigurationType,
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    PolicyType,
    SharedCallingPolicy,
    TenantSnapshot,
    VoiceRoutingPolicy,
)
from sharedcalling.services.ports import (
    SnapshotScope,
    TenantGateway,
    TenantNotFound,
    TenantValidationError,
)
from tests.fakes import standin_shapes as shape

Params = Mapping[str, Any]
Cmdlet = Callable[[TenantGateway, Params, bool], Awaitable[Any]]


def _pick(policies: Mapping[str, Any], params: Params, what: str) -> list[Any]:
    if "Identity" not in params:
        return [policies[k] for k in sorted(policies)]
    wanted = policy_key(params["Identity"])
    found = [p for name, p in policies.items() if policy_key(name) == wanted]
    if not found:
        raise TenantNotFound(f'Cannot get {what} "{params["Identity"]}" because it does not exist.')
    return found


async def _snapshot(gateway: TenantGateway, *, all_users: bool = False) -> TenantSnapshot:
    return await gateway.snapshot(SnapshotScope(all_users=all_users))


async def get_online_user(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    snapshot = await _snapshot(gateway, all_users=True)
    if "Identity" in params:
        return [shape.user(await gateway.get_user(params["Identity"]), snapshot)]
    users = sorted(snapshot.users.values(), key=lambda u: u.user_principal_name)
    kind = params.get("AccountType")
    found = [u for u in users if kind is None or u.account_type is AccountType(kind)]
    return [shape.user(u, snapshot) for u in found[: params.get("ResultSize", len(found))]]


async def get_numbers(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    numbers = await gateway.list_numbers()
    if "TelephoneNumber" in params:
        numbers = [n for n in numbers if n.telephone_number == params["TelephoneNumber"]]
    if "AssignedPstnTargetId" in params:
        target = params["AssignedPstnTargetId"]
        numbers = [n for n in numbers if same(n.assigned_target_id, target)]
    skip = params.get("Skip", 0)
    return [shape.number(n) for n in numbers[skip : skip + params.get("Top", 500)]]


async def set_number(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    keys = set(params)
    if keys == {"Identity", "EnterpriseVoiceEnabled"}:
        account = await gateway.get_user(params["Identity"])
        await gateway.set_enterprise_voice(account.id, params["EnterpriseVoiceEnabled"])
    elif keys == {"PhoneNumber", "LocationId"}:
        await gateway.set_number_location(params["PhoneNumber"], params["LocationId"])
    else:
        raise TenantValidationError("Parameter set cannot be resolved using the parameters given.")
    return []


# Grant-CsOnlineVoiceRoutingPolicy, -Identity: "the user's SIP address, the user's user
# principal name (UPN), or the user's Active Directory display name". The stand-in holds the
# caller to these forms; the other Grant-* pages also list the ObjectId.
_NAMED_IDENTITY_ONLY = frozenset({PolicyType.VOICE_ROUTING})
_GUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


async def _grantee(gateway: TenantGateway, identity: str, policy_type: PolicyType) -> Any:
    if policy_type in _NAMED_IDENTITY_ONLY and _GUID.fullmatch(identity.strip()):
        raise TenantValidationError(
            f'"{identity}" is not a SIP address, user principal name or display name.'
        )
    key = identity.strip().removeprefix("sip:")
    if _GUID.fullmatch(key) or "@" in key:
        return await gateway.get_user(key)
    found = [u for u in await gateway.search_users(key, limit=50) if same(u.display_name, key)]
    if len(found) != 1:
        raise TenantNotFound(f'Management object not found for identity "{identity}".')
    return found[0]


def grant(policy_type: PolicyType) -> Cmdlet:
    async def run(gateway: TenantGateway, params: Params, variant: bool) -> Any:
        name = params.get("PolicyName")
        if "Group" in params:
            if name is None or "Rank" not in params:
                raise TenantValidationError("-Group needs -PolicyName and -Rank.")
            group = GroupId(params["Group"])
            await gateway.grant_group_policy(policy_type, group, name, params["Rank"])
        elif "Identity" in params:
            account = await _grantee(gateway, params["Identity"], policy_type)
            await gateway.grant_policy(policy_type, account.id, name)
        else:
            raise TenantValidationError("Specify -Identity or -Group.")
        return []

    return run


async def get_vrp(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    policies = (await _snapshot(gateway)).voice_routing_policies
    return [shape.voice_routing(p) for p in _pick(policies, params, "policy")]


async def new_vrp(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    policy = VoiceRoutingPolicy(
        params["Identity"], tuple(params.get("OnlinePstnUsages", ())), params.get("Description", "")
    )
    await gateway.create_voice_routing_policy(policy)
    return [shape.voice_routing(policy)]


async def get_ecrp(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    policies = (await _snapshot(gateway)).emergency_call_routing_policies
    return [shape.emergency_routing(p) for p in _pick(policies, params, "policy")]


def _emergency_number(entry: Mapping[str, Any]) -> EmergencyNumber:
    return EmergencyNumber(
        entry["EmergencyDialString"], entry.get("EmergencyDialMask"), entry.get("OnlinePSTNUsage")
    )


async def _global_ecrp_numbers(gateway: TenantGateway) -> tuple[EmergencyNumber, ...]:
    policies = (await _snapshot(gateway)).emergency_call_routing_policies
    found = [p for name, p in policies.items() if same(name, GLOBAL_POLICY)]
    return found[0].emergency_numbers if found else ()


async def new_ecrp(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    # New-CsTeamsEmergencyCallRoutingPolicy, example 1: "{@add=....} will try to append a new
    # emergency number to the values taken from the global instance"; example 2: passing the
    # numbers themselves "overrides the global emergency numbers from the global instance".
    given = params.get("EmergencyNumbers")
    if isinstance(given, list):
        numbers = tuple(_emergency_number(n) for n in given)
    else:
        added = tuple(_emergency_number(n) for n in (given or {}).get("add", ()))
        numbers = (*await _global_ecrp_numbers(gateway), *added)
    policy = EmergencyCallRoutingPolicy(
        params["Identity"],
        numbers,
        params.get("AllowEnhancedEmergencyServices", False),
        params.get("Description", ""),
    )
    await gateway.create_emergency_call_routing_policy(policy)
    return [shape.emergency_routing(policy)]


async def get_clid(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    policies = (await _snapshot(gateway)).calling_line_identity_policies
    return [shape.caller_id(p) for p in _pick(policies, params, "policy")]


async def new_clid(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    account = params.get("ResourceAccount")
    policy = CallingLineIdentityPolicy(
        params["Identity"],
        CallingIdSubstitute(params.get("CallingIDSubstitute", "LineUri")),
        UserId(account) if account else None,
        params.get("EnableUserOverride", False),
        params.get("CompanyName"),
    )
    await gateway.create_calling_line_identity_policy(policy)
    return [shape.caller_id(policy)]


async def get_scp(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    snapshot = await _snapshot(gateway)
    found = _pick(snapshot.shared_calling_policies, params, "policy")
    return [shape.shared_calling(p, snapshot, variant=variant) for p in found]


async def new_scp(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    account = str(params.get("ResourceAccount") or "").strip()
    if not account:
        # New-CsTeamsSharedCallingRoutingPolicy, -ResourceAccount: "Required: True".
        raise TenantValidationError(
            "Cannot process command because of one or more missing mandatory parameters: "
            "ResourceAccount."
        )
    policy = SharedCallingPolicy(
        params["Identity"],
        UserId(account),
        tuple(params.get("EmergencyNumbers", {}).get("add", ())),
        params.get("Description", ""),
    )
    await gateway.create_shared_calling_policy(policy)
    return []


async def set_scp(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    change = params.get("EmergencyNumbers", {})
    await gateway.update_shared_calling_numbers(
        bare_policy_name(params["Identity"]),
        add=change.get("add", ()),
        remove=change.get("remove", ()),
    )
    return []


async def get_group_assignments(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    found = (await _snapshot(gateway)).group_assignments
    if "PolicyType" in params:
        found = tuple(a for a in found if same(a.policy_type.value, params["PolicyType"]))
    if "GroupId" in params:
        found = tuple(a for a in found if same(a.group_id, params["GroupId"]))
    return [shape.group_assignment(a) for a in found]


async def get_association(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    account = await gateway.get_user(params["Identity"])
    return [shape.association(a) for a in (await _snapshot(gateway)).associations_of(account.id)]


async def get_locations(gateway: TenantGateway, params: Params, variant: bool) -> Any:
    locations = await gateway.list_emergency_locations() or []
    wanted = params.get("LocationId")
    return [shape.emergency_location(loc) for loc in locations if wanted in (None, loc.id)]


def get_app(kind: AppConfigurationType) -> Cmdlet:
    async def run(gateway: TenantGateway, params: Params, variant: bool) -> Any:
        for a in (await _snapshot(gateway)).associations:
            if a.configuration_type is kind and a.configuration_id == params.get("Identity"):
                return [{"Identity": a.configuration_id, "Name": a.configuration_name}]
        raise TenantNotFound(f'{kind.value} "{params.get("Identity")}" was not found.')

    return run


CMDLETS: Mapping[str, Cmdlet] = {
    "Get-CsOnlineUser": get_online_user,
    "Get-CsPhoneNumberAssignment": get_numbers,
    "Set-CsPhoneNumberAssignment": set_number,
    "Grant-CsOnlineVoiceRoutingPolicy": grant(PolicyType.VOICE_ROUTING),
    "Grant-CsTeamsEmergencyCallRoutingPolicy": grant(PolicyType.EMERGENCY_CALL_ROUTING),
    "Grant-CsTeamsSharedCallingRoutingPolicy": grant(PolicyType.SHARED_CALLING),
    "Grant-CsCallingLineIdentity": grant(PolicyType.CALLING_LINE_IDENTITY),
    "Get-CsOnlineVoiceRoutingPolicy": get_vrp,
    "New-CsOnlineVoiceRoutingPolicy": new_vrp,
    "Get-CsTeamsEmergencyCallRoutingPolicy": get_ecrp,
    "New-CsTeamsEmergencyCallRoutingPolicy": new_ecrp,
    "Get-CsCallingLineIdentity": get_clid,
    "New-CsCallingLineIdentity": new_clid,
    "Get-CsTeamsSharedCallingRoutingPolicy": get_scp,
    "New-CsTeamsSharedCallingRoutingPolicy": new_scp,
    "Set-CsTeamsSharedCallingRoutingPolicy": set_scp,
    "Get-CsGroupPolicyAssignment": get_group_assignments,
    "Get-CsOnlineApplicationInstanceAssociation": get_association,
    "Get-CsAutoAttendant": get_app(AppConfigurationType.AUTO_ATTENDANT),
    "Get-CsCallQueue": get_app(AppConfigurationType.CALL_QUEUE),
    "Get-CsOnlineLisLocation": get_locations,
}
