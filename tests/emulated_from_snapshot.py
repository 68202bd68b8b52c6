"""Build an emulated tenant holding exactly the objects of a TenantSnapshot (for property tests)."""

from __future__ import annotations

from typing import Any

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_state import TenantState
from sharedcalling.domain.tenant import TenantSnapshot


def emulated_from_snapshot(snapshot: TenantSnapshot) -> EmulatedTenantGateway:
    objects: list[Any] = [
        *snapshot.users.values(),
        *snapshot.numbers.values(),
        *snapshot.groups.values(),
        *snapshot.group_assignments,
        *snapshot.shared_calling_policies.values(),
        *snapshot.voice_routing_policies.values(),
        *snapshot.emergency_call_routing_policies.values(),
        *snapshot.calling_line_identity_policies.values(),
        *snapshot.associations,
        *snapshot.subscribed_skus,
        *snapshot.network_sites,
    ]
    return EmulatedTenantGateway(TenantState.of(objects), tenant_id=snapshot.tenant_id)
