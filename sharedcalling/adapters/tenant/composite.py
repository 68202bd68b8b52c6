"""CompositeTenantGateway (`graph+powershell`): Graph for the directory, PowerShell for policies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import cast

from sharedcalling.adapters.tenant.graph import GraphTenantGateway, GraphWriteUnsupported
from sharedcalling.adapters.tenant.powershell import PowerShellTenantGateway
from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.names import find
from sharedcalling.domain.tenant import (
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    EmergencyLocation,
    Group,
    NumberType,
    PhoneNumber,
    PolicyType,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
)
from sharedcalling.services.ports import SnapshotScope, TenantGateway, TenantNotFound

logger = logging.getLogger(__name__)


class CompositeTenantGateway(TenantGateway):
    """One tenant read and written through two backends.

    Graph reads users, licenses, numbers, groups, effective assignments and SKUs; PowerShell
    reads what Graph cannot (policy definitions, group policy assignments, AA/CQ associations)
    and does the writes Graph has no API for. A number's emergency location is written through
    Graph (`updateNumber`) unless that is switched off or Graph refuses it.
    """

    def __init__(
        self,
        graph: GraphTenantGateway,
        powershell: PowerShellTenantGateway,
        *,
        number_location_via_graph: bool = True,
    ) -> None:
        self.tenant_id = graph.tenant_id
        self.graph = graph
        self.powershell = powershell
        self._location_via_graph = number_location_via_graph

    async def close(self) -> None:
        """Stop the PowerShell worker and close Graph's HTTP session."""
        await self.powershell.close()
        close = getattr(self.graph, "close", None)
        if close is not None:
            await close()

    # ------------------------------------------------------------------------------ reads

    async def get_user(self, key: str) -> User:
        return await self.graph.get_user(key)

    async def search_users(self, text: str, *, limit: int = 25) -> list[User]:
        return await self.graph.search_users(text, limit=limit)

    async def list_resource_accounts(self) -> list[User]:
        return await self.graph.list_resource_accounts()

    async def get_group(self, group_id: GroupId) -> Group:
        return await self.graph.get_group(group_id)

    async def list_numbers(self) -> list[PhoneNumber]:
        return await self.graph.list_numbers()

    async def list_emergency_locations(self) -> list[EmergencyLocation] | None:
        """Graph has no list of emergency locations; Get-CsOnlineLisLocation has them."""
        return await self.powershell.emergency_locations()

    async def find_users(self, keys: Sequence[str]) -> dict[str, User | None]:
        return await self.graph.find_users(keys)

    async def list_teams_admins(self) -> list[UserId] | None:
        return await self.graph.list_teams_admins()

    async def snapshot(self, scope: SnapshotScope) -> TenantSnapshot:
        snapshot = await self.graph.snapshot(scope)
        overlay = await self.powershell.policy_overlay(snapshot.users.values())
        groups = dict(snapshot.groups)
        # Group assignments come from PowerShell and may name groups Graph did not read.
        missing = {a.group_id for a in overlay["group_assignments"]} - set(groups)
        for found in await asyncio.gather(*(self._group_or_none(g) for g in sorted(missing))):
            if found is not None:
                groups[found.id] = found
        numbers = await self._with_operator_names(snapshot)
        return replace(snapshot, groups=groups, numbers=numbers, **overlay)

    async def _with_operator_names(self, snapshot: TenantSnapshot) -> dict[str, PhoneNumber]:
        """Graph's numberAssignment gives an operator's id only; for the Operator Connect
        numbers of resource accounts (the ones SC-R09 asks about) PowerShell's
        Get-CsPhoneNumberAssignment gives the name (PstnPartnerName)."""
        numbers = dict(snapshot.numbers)
        wanted = [
            n.telephone_number
            for n in numbers.values()
            if n.number_type is NumberType.OPERATOR_CONNECT
            and not n.operator_name
            and _held_by_resource_account(n, snapshot)
        ]
        if not wanted:
            return numbers
        for number, (name, operator_id) in (await self.powershell.operators(wanted)).items():
            known = numbers[number]
            numbers[number] = replace(
                known, operator_name=name, operator_id=known.operator_id or operator_id or None
            )
        return numbers

    async def _group_or_none(self, group_id: GroupId) -> Group | None:
        try:
            return await self.graph.get_group(group_id)
        except TenantNotFound:
            return None

    # ------------------------------------------------------------------------------ writes

    async def set_number_location(self, telephone_number: str, location_id: str) -> None:
        if self._location_via_graph:
            try:
                await self.graph.set_number_location(telephone_number, location_id)
                return
            except GraphWriteUnsupported:
                logger.info("Graph cannot set this number's location; using PowerShell")
        await self.powershell.set_number_location(telephone_number, location_id)

    async def set_enterprise_voice(self, user_id: UserId, enabled: bool) -> None:
        await self.powershell.set_enterprise_voice(user_id, enabled)

    async def grant_policy(
        self, policy_type: PolicyType, user_id: UserId, policy_name: str | None
    ) -> None:
        await self.powershell.grant_policy(policy_type, user_id, policy_name)

    async def grant_group_policy(
        self, policy_type: PolicyType, group_id: GroupId, policy_name: str, rank: int
    ) -> None:
        await self.powershell.grant_group_policy(policy_type, group_id, policy_name, rank)

    async def create_voice_routing_policy(self, policy: VoiceRoutingPolicy) -> None:
        await self.powershell.create_voice_routing_policy(policy)

    async def create_emergency_call_routing_policy(
        self, policy: EmergencyCallRoutingPolicy
    ) -> None:
        await self.powershell.create_emergency_call_routing_policy(policy)

    async def create_calling_line_identity_policy(self, policy: CallingLineIdentityPolicy) -> None:
        await self.powershell.create_calling_line_identity_policy(policy)

    async def create_shared_calling_policy(self, policy: SharedCallingPolicy) -> None:
        await self.powershell.create_shared_calling_policy(policy)

    async def update_shared_calling_numbers(
        self, policy_name: str, *, add: Collection[str] = (), remove: Collection[str] = ()
    ) -> None:
        await self.powershell.update_shared_calling_numbers(policy_name, add=add, remove=remove)


def _held_by_resource_account(number: PhoneNumber, snapshot: TenantSnapshot) -> bool:
    accounts = cast(Mapping[str, User], snapshot.users)  # UserId is a str
    holder = find(accounts, number.assigned_target_id or "")
    return holder is not None and holder.is_resource_account
