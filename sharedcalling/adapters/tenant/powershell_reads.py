"""The PowerShell backend's reads: policy definitions, group assignments, associations."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sharedcalling.adapters.tenant import powershell_parsing as parse
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.tenant import (
    AppAssociation,
    AppConfigurationType,
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    EmergencyLocation,
    GroupPolicyAssignment,
    PolicyType,
    SharedCallingPolicy,
    User,
    VoiceRoutingPolicy,
)
from sharedcalling.services.ports import TenantNotFound

_APP_CMDLET: dict[str, str] = {
    AppConfigurationType.AUTO_ATTENDANT.value: "Get-CsAutoAttendant",
    AppConfigurationType.CALL_QUEUE.value: "Get-CsCallQueue",
}
GUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


class CmdletRunner(Protocol):
    async def run(self, cmdlet: str, parameters: Mapping[str, Any] | None = None) -> Any: ...


def _account_keys(accounts: Iterable[User]) -> dict[str, UserId]:
    keys: dict[str, UserId] = {}
    for account in accounts:
        keys[fold(account.id)] = account.id
        keys[fold(account.user_principal_name)] = account.id
    return keys


class PowerShellReads:
    """Reads through allow-listed Get-* cmdlets; the gateway adds the writes."""

    runner: CmdletRunner

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
        if not key or GUID.fullmatch(key):
            return UserId(key) if key else None
        found = await self._find("Get-CsOnlineUser", key)
        return UserId(str(found.get("Identity")).lower()) if found else UserId(key)

    async def _user_principal_name(self, user_id: UserId, operation: str) -> str:
        """The account's UPN (Get-CsOnlineUser -Identity takes the GUID, its page says)."""
        found = await self._find("Get-CsOnlineUser", user_id)
        upn = str((found or {}).get("UserPrincipalName") or "").strip()
        if not upn:
            raise TenantNotFound(f'No user "{user_id}" was found.', operation=operation)
        return upn

    async def shared_calling_policies(
        self, accounts: Iterable[User] = ()
    ) -> dict[str, SharedCallingPolicy]:
        keys = _account_keys(accounts)
        items = await self._get("Get-CsTeamsSharedCallingRoutingPolicy")
        return {p.name: p for p in (parse.shared_calling_policy(i, keys) for i in items)}

    async def voice_routing_policies(self) -> dict[str, VoiceRoutingPolicy]:
        items = await self._get("Get-CsOnlineVoiceRoutingPolicy")
        return {p.name: p for p in map(parse.voice_routing_policy, items)}

    async def emergency_locations(self) -> list[EmergencyLocation]:
        """Every emergency location (Get-CsOnlineLisLocation), ordered by description."""
        items = await self._get("Get-CsOnlineLisLocation")
        found = [loc for loc in map(parse.emergency_location, items) if loc is not None]
        return sorted(found, key=lambda loc: (fold(loc.description), loc.id))

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

    async def operators(self, telephone_numbers: Iterable[str]) -> dict[str, tuple[str, str]]:
        """(PstnPartnerName, OperatorId) by number, from Get-CsPhoneNumberAssignment, for the
        numbers whose operator Graph names by id only; numbers it does not know are left out."""
        found: dict[str, tuple[str, str]] = {}
        for number in dict.fromkeys(telephone_numbers):
            items = await self._get("Get-CsPhoneNumberAssignment", TelephoneNumber=number)
            for item in items:
                name = str(item.get("PstnPartnerName") or "").strip()
                if name:
                    found[number] = (name, str(item.get("OperatorId") or "").strip())
        return found
