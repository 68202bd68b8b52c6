"""PowerShellTenantGateway: the policy reads and writes Graph cannot do, via the Teams module."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from sharedcalling.adapters.tenant import powershell_parsing as parse
from sharedcalling.adapters.tenant.powershell_reads import CmdletRunner, PowerShellReads
from sharedcalling.adapters.tenant.powershell_worker import PowerShellWorker
from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.names import policy_key
from sharedcalling.domain.tenant import (
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    PolicyType,
    SharedCallingPolicy,
    VoiceRoutingPolicy,
)
from sharedcalling.services.ports import TenantNotFound, TenantValidationError, TenantWriter

_GRANT = {
    PolicyType.SHARED_CALLING: "Grant-CsTeamsSharedCallingRoutingPolicy",
    PolicyType.VOICE_ROUTING: "Grant-CsOnlineVoiceRoutingPolicy",
    PolicyType.EMERGENCY_CALL_ROUTING: "Grant-CsTeamsEmergencyCallRoutingPolicy",
    PolicyType.CALLING_LINE_IDENTITY: "Grant-CsCallingLineIdentity",
}


# The Grant-* cmdlets whose -Identity documents no ObjectId form: Grant-CsOnlineVoiceRouting
# Policy lists "SIP address, UPN or Active Directory display name"; Grant-CsTeamsEmergencyCall
# RoutingPolicy names no form. They get the UPN; the Shared Calling and caller-ID grants
# document the ObjectId and get it.
_GRANT_BY_UPN = frozenset({PolicyType.VOICE_ROUTING, PolicyType.EMERGENCY_CALL_ROUTING})


class PowerShellTenantGateway(PowerShellReads, TenantWriter):
    """Shared Calling, voice routing, emergency routing and caller-ID policies: their definitions,
    group assignments and grants, plus enterprise voice and number locations. Every write is
    idempotent: the set-to-value cmdlets are by nature, the New-* ones are tested first."""

    def __init__(self, runner: CmdletRunner, tenant_id: TenantId) -> None:
        self.runner = runner
        self.tenant_id = tenant_id

    async def health(self) -> dict[str, Any]:
        """The worker's ping answer (module version), starting the worker if needed."""
        if isinstance(self.runner, PowerShellWorker):
            return await self.runner.ping()
        return {"pong": True}

    async def close(self) -> None:
        if isinstance(self.runner, PowerShellWorker):
            await self.runner.close()

    # ------------------------------------------------------------------------------ writes

    async def set_enterprise_voice(self, user_id: UserId, enabled: bool) -> None:
        await self.runner.run(
            "Set-CsPhoneNumberAssignment", {"Identity": user_id, "EnterpriseVoiceEnabled": enabled}
        )

    async def set_number_location(self, telephone_number: str, location_id: str) -> None:
        # The LocationUpdate parameter set of Set-CsPhoneNumberAssignment takes no -Identity.
        await self.runner.run(
            "Set-CsPhoneNumberAssignment",
            {"PhoneNumber": telephone_number, "LocationId": location_id},
        )

    async def grant_policy(
        self, policy_type: PolicyType, user_id: UserId, policy_name: str | None
    ) -> None:
        identity: str = user_id
        if policy_type in _GRANT_BY_UPN:
            identity = await self._user_principal_name(user_id, "grant_policy")
        await self.runner.run(
            _GRANT[policy_type], {"Identity": identity, "PolicyName": policy_name}
        )

    async def grant_group_policy(
        self, policy_type: PolicyType, group_id: GroupId, policy_name: str, rank: int
    ) -> None:
        current = await self._get(
            "Get-CsGroupPolicyAssignment", GroupId=group_id, PolicyType=policy_type.value
        )
        for assignment in filter(None, map(parse.group_assignment, current)):
            same_policy = policy_key(assignment.policy_name) == policy_key(policy_name)
            if same_policy and assignment.rank == rank:
                return
        await self.runner.run(
            _GRANT[policy_type], {"Group": group_id, "PolicyName": policy_name, "Rank": rank}
        )

    async def create_voice_routing_policy(self, policy: VoiceRoutingPolicy) -> None:
        found = await self._find("Get-CsOnlineVoiceRoutingPolicy", policy.name)
        if (
            found is not None
            and parse.voice_routing_policy(found).pstn_usages == policy.pstn_usages
        ):
            return
        params: dict[str, Any] = {"Identity": policy.name, "Description": policy.description}
        if policy.pstn_usages:  # omitting the usages is how an empty VRP is made
            params["OnlinePstnUsages"] = list(policy.pstn_usages)
        await self.runner.run("New-CsOnlineVoiceRoutingPolicy", params)

    async def create_emergency_call_routing_policy(
        self, policy: EmergencyCallRoutingPolicy
    ) -> None:
        operation = "create_emergency_call_routing_policy"
        if not policy.emergency_numbers:
            # Without -EmergencyNumbers the new instance takes the Global instance's numbers.
            raise TenantValidationError(
                f'Emergency call routing policy "{policy.name}" needs at least one emergency '
                "number; created without any it would hold the Global instance's.",
                operation=operation,
            )
        found = await self._find("Get-CsTeamsEmergencyCallRoutingPolicy", policy.name)
        if found is not None and parse.same_ecrp(
            parse.emergency_call_routing_policy(found), policy
        ):
            return
        params: dict[str, Any] = {
            "Identity": policy.name,
            # The numbers themselves, never @{add=...}: added numbers would join the Global
            # instance's (New-CsTeamsEmergencyCallRoutingPolicy, examples 1 and 2).
            "EmergencyNumbers": [parse.emergency_number_entry(n) for n in policy.emergency_numbers],
            "AllowEnhancedEmergencyServices": policy.enhanced_emergency_services,
            "Description": policy.description,
        }
        await self.runner.run("New-CsTeamsEmergencyCallRoutingPolicy", params)

    async def create_calling_line_identity_policy(self, policy: CallingLineIdentityPolicy) -> None:
        found = await self._find("Get-CsCallingLineIdentity", policy.name)
        existing = parse.calling_line_identity_policy(found, {}) if found is not None else None
        if existing is not None and parse.same_clid(existing, policy):
            return
        params: dict[str, Any] = {
            "Identity": policy.name,
            "CallingIDSubstitute": policy.substitute.value,
            "EnableUserOverride": policy.enable_user_override,
        }
        if policy.resource_account_id:
            params["ResourceAccount"] = policy.resource_account_id
        if policy.company_name:
            params["CompanyName"] = policy.company_name
        await self.runner.run("New-CsCallingLineIdentity", params)

    async def create_shared_calling_policy(self, policy: SharedCallingPolicy) -> None:
        if not (policy.resource_account_id or "").strip():
            # -ResourceAccount is Required in the cmdlet's parameter table, though its syntax
            # line shows it as optional.
            raise TenantValidationError(
                f'Shared Calling policy "{policy.name}" needs a resource account.',
                operation="create_shared_calling_policy",
            )
        found = await self._find("Get-CsTeamsSharedCallingRoutingPolicy", policy.name)
        if found is not None:
            existing = parse.shared_calling_policy(found, {})
            account = await self._resolve_account(existing.resource_account_id)
            if parse.same_scp(replace(existing, resource_account_id=account), policy):
                return
        params: dict[str, Any] = {
            "Identity": policy.name,
            "ResourceAccount": policy.resource_account_id,
            "Description": policy.description,
        }
        if policy.emergency_numbers:  # in the admin's order: the first is reused when none is free
            params["EmergencyNumbers"] = {"add": list(dict.fromkeys(policy.emergency_numbers))}
        await self.runner.run("New-CsTeamsSharedCallingRoutingPolicy", params)

    async def update_shared_calling_numbers(
        self, policy_name: str, *, add: Collection[str] = (), remove: Collection[str] = ()
    ) -> None:
        found = await self._find("Get-CsTeamsSharedCallingRoutingPolicy", policy_name)
        if found is None:
            raise TenantNotFound(
                f'Shared Calling policy "{policy_name}" was not found.',
                operation="update_shared_calling_numbers",
            )
        current = set(parse.string_list(found.get("EmergencyNumbers")))
        # Deltas only, never a wholesale replacement; removals first frees numbers to re-add.
        # Added numbers keep the order they were given in (the first is reused when none is
        # free, New-CsTeamsSharedCallingRoutingPolicy's description says).
        to_remove = [n for n in dict.fromkeys(remove) if n in current]
        to_add = [n for n in dict.fromkeys(add) if n not in current or n in to_remove]
        for operation, numbers in (("remove", to_remove), ("add", to_add)):
            if numbers:
                await self.runner.run(
                    "Set-CsTeamsSharedCallingRoutingPolicy",
                    {"Identity": policy_name, "EmergencyNumbers": {operation: numbers}},
                )
