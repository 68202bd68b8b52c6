"""apply_change(): carry out one planned change through the TenantWriter port."""

from __future__ import annotations

from typing import assert_never

from sharedcalling.domain.planning import (
    Change,
    ChangeKind,
    CreateEmergencyCallRoutingPolicy,
    CreateSharedCallingPolicy,
    CreateVoiceRoutingPolicy,
    DisableVoice,
    EnableVoice,
    GrantGroupPolicy,
    GrantPolicy,
    SetNumberLocation,
    UpdateEmergencyNumbers,
)
from sharedcalling.services.ports import TenantWriter


async def apply_change(change: Change, *, tenant: TenantWriter) -> None:
    """Write one change; every write is set-to-value, so repeating it changes nothing."""
    match change:
        case EnableVoice() | DisableVoice():
            await tenant.set_enterprise_voice(change.user_id, isinstance(change, EnableVoice))
        case SetNumberLocation():
            await tenant.set_number_location(change.telephone_number, change.location_id)
        case GrantPolicy():
            await tenant.grant_policy(change.policy_type, change.account_id, change.policy_name)
        case GrantGroupPolicy():
            await tenant.grant_group_policy(
                change.policy_type, change.group_id, change.policy_name, change.rank
            )
        case CreateVoiceRoutingPolicy():
            await tenant.create_voice_routing_policy(change.policy)
        case CreateEmergencyCallRoutingPolicy():
            await tenant.create_emergency_call_routing_policy(change.policy)
        case CreateSharedCallingPolicy():
            await tenant.create_shared_calling_policy(change.policy)
        case UpdateEmergencyNumbers():
            if change.kind is ChangeKind.SCP_ADD_NUMBERS:
                await tenant.update_shared_calling_numbers(change.policy_name, add=change.numbers)
            else:
                await tenant.update_shared_calling_numbers(
                    change.policy_name, remove=change.numbers
                )
        case _:
            assert_never(change)


async def apply_changes(changes: tuple[Change, ...], *, tenant: TenantWriter) -> None:
    """Apply changes in plan order; the first error stops the rest (the apply engine resumes)."""
    for change in changes:
        await apply_change(change, tenant=tenant)
