"""Out-of-band changes to the emulated tenant, one fact at a time, as the Teams admin center or
another tool would make them behind the bot's back (test-only: the port has no such writes)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.tenant import (
    PLAN_RESOURCE_ACCOUNT,
    AssignmentStatus,
    License,
    PhoneNumber,
    PolicyRef,
    PolicyType,
    User,
)
from tests.demo_ids import RA_MAINLINE

RA_NUMBER = "+14255550100"
SPARE_NUMBER = "+14255550193"
EMERGENCY_NUMBER = "+14255550191"


def put(tenant: EmulatedTenantGateway, *objects: Any) -> None:
    """Replace objects in the tenant's state (memory only) and drop its snapshot cache."""
    tenant._state.put(objects)
    tenant._scoped = None


def _number(tenant: EmulatedTenantGateway, number: str) -> PhoneNumber:
    found = tenant._state.number(number)
    assert found is not None
    return found


def _user(tenant: EmulatedTenantGateway, user_id: str) -> User:
    found = tenant._state.user(user_id)
    assert found is not None
    return found


def remove_ra_number(tenant: EmulatedTenantGateway) -> None:
    """The resource account's number is released (or ported away)."""
    number = _number(tenant, RA_NUMBER)
    put(
        tenant,
        replace(number, assignment_status=AssignmentStatus.UNASSIGNED, assigned_target_id=None),
    )


def restore_ra_number(tenant: EmulatedTenantGateway, original: PhoneNumber) -> None:
    put(tenant, original)


def remove_ra_license(tenant: EmulatedTenantGateway) -> None:
    """The Teams Phone Resource Account license is taken off ra-mainline."""
    ra = _user(tenant, RA_MAINLINE)
    kept = tuple(
        License(
            lic.sku_part_number,
            tuple(p for p in lic.service_plans if p.name != PLAN_RESOURCE_ACCOUNT),
        )
        for lic in ra.licenses
    )
    put(tenant, replace(ra, licenses=kept))


def assign_number(tenant: EmulatedTenantGateway, number: str, user_id: str) -> None:
    """A number given to a user (a personal number, or a policy's emergency number)."""
    put(
        tenant,
        replace(
            _number(tenant, number),
            assignment_status=AssignmentStatus.USER_ASSIGNED,
            assigned_target_id=user_id,
        ),
    )


def give_usages(tenant: EmulatedTenantGateway, vrp_name: str, *usages: str) -> None:
    """A voice routing policy gains PSTN usages in the admin center."""
    policy = tenant._state.policies(PolicyType.VOICE_ROUTING)[vrp_name.lower()]
    put(tenant, replace(policy, pstn_usages=usages))


def point_policy_at(tenant: EmulatedTenantGateway, policy_name: str, ra_id: str) -> None:
    """The Shared Calling policy's resource account is changed in the admin center."""
    policy = tenant._state.policies(PolicyType.SHARED_CALLING)[policy_name.lower()]
    put(tenant, replace(policy, resource_account_id=ra_id))


def grant_directly(
    tenant: EmulatedTenantGateway, user_id: str, policy_type: PolicyType, name: str
) -> None:
    user = _user(tenant, user_id)
    kept = tuple(ref for ref in user.direct_policies if ref.policy_type is not policy_type)
    put(tenant, replace(user, direct_policies=(*kept, PolicyRef(policy_type, name))))


async def persist(tenant: EmulatedTenantGateway, *objects: Any) -> None:
    """Like put(), and written to the tenant's store, so another process sees the change."""
    from sharedcalling.adapters.tenant.emulated_codec import to_stored

    put(tenant, *objects)
    assert tenant._store is not None
    await tenant._store.upsert(tenant.tenant_id, [to_stored(o) for o in objects])


def number(tenant: EmulatedTenantGateway, telephone_number: str) -> PhoneNumber:
    return _number(tenant, telephone_number)
