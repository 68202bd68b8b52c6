"""PowerShellTenantGateway: the policy reads and writes Graph cannot do, via the Teams module."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any, Protocol

from sharedcalling.adapters.tenant import powershell_parsing as parse
from sharedcalling.adapters.tenant.powershell_worker import PowerShellWorker, pwsh_launcher
from sharedcalling.config import Settings
from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.tenant import (
    AppAssociation,
    AppConfigurationType,
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    GroupPolicyAssignment,
    PolicyType,
    SharedCallingPolicy,
    User,
    VoiceRoutingPolicy,
)
from sharedcalling.services.ports import TenantNotFound

_GRANT = {
    PolicyType.SHARED_CALLING: "Grant-CsTeamsSharedCallingRoutingPolicy",
    PolicyType.VOICE_ROUTING: "Grant-CsOnlineVoiceRoutingPolicy",
    PolicyType.EMERGENCY_CALL_ROUTING: "Grant-CsTeamsEmergencyCallRoutingPolicy",
    PolicyType.CALLING_LINE_IDENTITY: "Grant-CsCallingLineIdentity",
}
_APP_CMDLET: dict[str, str] = {
    AppConfigurationType.AUTO_ATTENDANT.value: "Get-CsAutoAttendant",
    AppConfigurationType.CALL_QUEUE.value: "Get-CsCallQueue",
}


_GUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


class CmdletRunner(Protocol):
    async def run(self, cmdlet: str, parameters: Mapping[str, Any] | None = None) -> Any: ...


def worker_environment(settings: Settings) -> dict[str, str]:
    """What worker.ps1 reads to connect; secrets stay out of argv and out of the protocol."""
    env = {
        "SC_TEAMS_APP_ID": settings.graph_client_id,
        "SC_TEAMS_TENANT_ID": settings.tenant_id,
    }
    if settings.graph_certificate_path is not None:
        env["SC_TEAMS_CERTIFICATE_PATH"] = str(settings.graph_certificate_path)
    if settings.graph_certificate_thumbprint:
        env["SC_TEAMS_CERTIFICATE_THUMBPRINT"] = settings.graph_certificate_thumbprint
    return env


def _account_keys(accounts: Iterable[User]) -> dict[str, UserId]:
    keys: dict[str, UserId] = {}
    for account in accounts:
        keys[account.id.lower()] = account.id
        keys[account.user_principal_name.lower()] = account.id
    return keys


class PowerShellTenantGateway:
    """Shared Calling, voice routing, emergency routing and caller-ID policies: their definitions,
    group assignments and grants, plus enterprise voice and number locations. Every write is
    idempotent: the set-to-value cmdlets are by nature, the New-* ones are tested first."""

    def __init__(self, runner: CmdletRunner, tenant_id: TenantId) -> None:
        self.runner = runner
        self.tenant_id = tenant_id

    @classmethod
    def from_settings(cls, settings: Settings) -> PowerShellTenantGateway:
        launch = pwsh_launcher(settings.pwsh_path, worker_environment(settings))
        worker = PowerShellWorker(
            launch,
            call_timeout=settings.powershell_timeout_seconds,
            start_timeout=max(settings.powershell_timeout_seconds, 60.0),
        )
        return cls(worker, TenantId(settings.tenant_id))

    async def health(self) -> dict[str, Any]:
        """The worker's ping answer (module version), starting the worker if needed."""
        if isinstance(self.runner, PowerShellWorker):
            return await self.runner.ping()
        return {"pong": True}

    async def close(self) -> None:
        if isinstance(self.runner, PowerShellWorker):
            await self.runner.close()

    async def _get(self, cmdlet: str, **parameters: Any) -> list[Mapping[str, Any]]:
        return parse.as_objects(await self.runner.run(cmdlet, parameters))

    async def _find(self, cmdlet: str, name: str) -> Mapping[str, Any] | None:
        try:
            found = await self._get(cmdlet, Identity=name)
        except TenantNotFound:
            return None
        return found[0] if found else None

    async def _resolve_account(self, key: str | None) -> UserId | None:
        """Some module versions show a resource account as its UPN: resolve it to an ObjectId."""
        if not key or _GUID.fullmatch(key):
            return UserId(key) if key else None
        found = await self._find("Get-CsOnlineUser", key)
        return UserId(str(found.get("Identity")).lower()) if found else UserId(key)

    # ------------------------------------------------------------------------------ reads

    async def shared_calling_policies(
        self, accounts: Iterable[User] = ()
    ) -> dict[str, SharedCallingPolicy]:
        keys = _account_keys(accounts)
        items = await self._get("Get-CsTeamsSharedCallingRoutingPolicy")
        return {p.name: p for p in (parse.shared_calling_policy(i, keys) for i in items)}

    async def voice_routing_policies(self) -> dict[str, VoiceRoutingPolicy]:
        items = await self._get("Get-CsOnlineVoiceRoutingPolicy")
        return {p.name: p for p in map(parse.voice_routing_policy, items)}

    async def emergency_call_routing_policies(self) -> dict[str, EmergencyCallRoutingPolicy]:
        items = await self._get("Get-CsTeamsEmergencyCallRoutingPolicy")
        return {p.name: p for p in map(parse.emergency_call_routing_policy, items)}

    async def calling_line_identity_policies(
        self, accounts: Iterable[User] = ()
    ) -> dict[str, CallingLineIdentityPolicy]:
        keys = _account_keys(accounts)
        items = await self._get("Get-CsCallingLineIdentity")
        return {p.name: p for p in (parse.calling_line_identity_policy(i, keys) for i in items)}

    async def group_assignments(self) -> tuple[GroupPolicyAssignment, ...]:
        found: list[GroupPolicyAssignment] = []
        for policy_type in PolicyType:
            items = await self._get("Get-CsGroupPolicyAssignment", PolicyType=policy_type.value)
            found.extend(a for a in map(parse.group_assignment, items) if a is not None)
        return tuple(sorted(found, key=lambda a: (a.policy_type, a.rank, a.group_id)))

    async def associations(self, resource_accounts: Iterable[User]) -> tuple[AppAssociation, ...]:
        raw: list[tuple[UserId, Mapping[str, Any]]] = []
        for account in resource_accounts:
            try:
                items = await self._get(
                    "Get-CsOnlineApplicationInstanceAssociation", Identity=account.id
                )
            except TenantNotFound:  # no association is reported as an error by some versions
                continue
            raw.extend((account.id, item) for item in items)
        names = await self._configuration_names(item for _, item in raw)
        parsed = (parse.association(item, account, names) for account, item in raw)
        return tuple(a for a in parsed if a is not None)

    async def _configuration_names(self, items: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        names: dict[str, str] = {}
        for item in items:
            cmdlet = _APP_CMDLET.get(str(item.get("ConfigurationType")))
            config_id = str(item.get("ConfigurationId") or "")
            if cmdlet is None or not config_id or config_id in names:
                continue
            found = await self._find(cmdlet, config_id)
            names[config_id] = str(found.get("Name") or "") if found else ""
        return names

    async def policy_overlay(self, accounts: Iterable[User]) -> dict[str, Any]:
        """Every policy definition, group assignment and association, as TenantSnapshot fields."""
        accounts = list(accounts)
        ras = [a for a in accounts if a.is_resource_account]
        scp, vrp, ecrp, clid, groups, links = await asyncio.gather(
            self.shared_calling_policies(accounts),
            self.voice_routing_policies(),
            self.emergency_call_routing_policies(),
            self.calling_line_identity_policies(accounts),
            self.group_assignments(),
            self.associations(sorted(ras, key=lambda a: a.id)),
        )
        return {
            "shared_calling_policies": scp,
            "voice_routing_policies": vrp,
            "emergency_call_routing_policies": ecrp,
            "calling_line_identity_policies": clid,
            "group_assignments": groups,
            "associations": links,
        }

    # ------------------------------------------------------------------------------ writes

    async def set_enterprise_voice(self, user_id: UserId, enabled: bool) -> None:
        await self.runner.run(
            "Set-CsPhoneNumberAssignment", {"Identity": user_id, "EnterpriseVoiceEnabled": enabled}
        )

    async def set_number_location(self, telephone_number: str, location_id: str) -> None:
        # The LocationUpdate parameter set: no -Identity (reference §5.3).
        await self.runner.run(
            "Set-CsPhoneNumberAssignment",
            {"PhoneNumber": telephone_number, "LocationId": location_id},
        )

    async def grant_policy(
        self, policy_type: PolicyType, user_id: UserId, policy_name: str | None
    ) -> None:
        await self.runner.run(_GRANT[policy_type], {"Identity": user_id, "PolicyName": policy_name})

    async def grant_group_policy(
        self, policy_type: PolicyType, group_id: GroupId, policy_name: str, rank: int
    ) -> None:
        current = await self._get(
            "Get-CsGroupPolicyAssignment", GroupId=group_id, PolicyType=policy_type.value
        )
        for assignment in filter(None, map(parse.group_assignment, current)):
            if assignment.policy_name.lower() == policy_name.lower() and assignment.rank == rank:
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
        found = await self._find("Get-CsTeamsEmergencyCallRoutingPolicy", policy.name)
        if found is not None and _same_ecrp(parse.emergency_call_routing_policy(found), policy):
            return
        numbers = [_emergency_number(n) for n in policy.emergency_numbers]
        params: dict[str, Any] = {
            "Identity": policy.name,
            "AllowEnhancedEmergencyServices": policy.enhanced_emergency_services,
            "Description": policy.description,
        }
        if numbers:
            params["EmergencyNumbers"] = {"add": numbers}
        await self.runner.run("New-CsTeamsEmergencyCallRoutingPolicy", params)

    async def create_calling_line_identity_policy(self, policy: CallingLineIdentityPolicy) -> None:
        found = await self._find("Get-CsCallingLineIdentity", policy.name)
        if found is not None and _same_clid(parse.calling_line_identity_policy(found, {}), policy):
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
        found = await self._find("Get-CsTeamsSharedCallingRoutingPolicy", policy.name)
        if found is not None:
            existing = parse.shared_calling_policy(found, {})
            account = await self._resolve_account(existing.resource_account_id)
            if _same_scp(replace(existing, resource_account_id=account), policy):
                return
        params: dict[str, Any] = {"Identity": policy.name, "Description": policy.description}
        if policy.resource_account_id:  # always passed on New (reference §10 #4)
            params["ResourceAccount"] = policy.resource_account_id
        if policy.emergency_numbers:
            params["EmergencyNumbers"] = {"add": list(policy.emergency_numbers)}
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
        to_remove = sorted(n for n in set(remove) if n in current)
        to_add = sorted(n for n in set(add) if n not in current or n in to_remove)
        for operation, numbers in (("remove", to_remove), ("add", to_add)):
            if numbers:
                await self.runner.run(
                    "Set-CsTeamsSharedCallingRoutingPolicy",
                    {"Identity": policy_name, "EmergencyNumbers": {operation: numbers}},
                )


def _emergency_number(number: Any) -> dict[str, str]:
    entry = {"EmergencyDialString": number.dial_string}
    if number.dial_mask:
        entry["EmergencyDialMask"] = number.dial_mask
    if number.pstn_usage:
        entry["OnlinePSTNUsage"] = number.pstn_usage
    return entry


def _same_ecrp(a: EmergencyCallRoutingPolicy, b: EmergencyCallRoutingPolicy) -> bool:
    return (
        set(a.emergency_numbers) == set(b.emergency_numbers)
        and a.enhanced_emergency_services == b.enhanced_emergency_services
    )


def _same_clid(a: CallingLineIdentityPolicy, b: CallingLineIdentityPolicy) -> bool:
    return (
        a.substitute is b.substitute
        and (a.resource_account_id or "").lower() == (b.resource_account_id or "").lower()
        and a.enable_user_override == b.enable_user_override
        and (a.company_name or "") == (b.company_name or "")
    )


def _same_scp(a: SharedCallingPolicy, b: SharedCallingPolicy) -> bool:
    same_ra = (a.resource_account_id or "").lower() == (b.resource_account_id or "").lower()
    return same_ra and set(a.emergency_numbers) == set(b.emergency_numbers)
