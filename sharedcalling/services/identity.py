"""Who is acting: the principal and roles behind a Teams activity's tenant and object id."""

from __future__ import annotations

import asyncio
import logging

from sharedcalling.correlation import log_safe
from sharedcalling.domain.access import Principal, roles_for
from sharedcalling.domain.errors import NotPermitted, UnknownPerson
from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.tenant import Group
from sharedcalling.services.ports import TenantGateway, TenantNotFound

logger = logging.getLogger(__name__)


async def resolve_principal(
    tenant_id: str,
    aad_object_id: str,
    *,
    tenant: TenantGateway,
    admin_group_id: str,
    approver_group_id: str,
) -> Principal:
    """The principal for `channelData.tenant.id` and `from.aadObjectId`, with roles from the tenant.

    Raises NotPermitted for another tenant and UnknownPerson when the id names no user here.
    """
    if not tenant_id or tenant_id.strip().lower() != tenant.tenant_id.lower():
        logger.warning("Refused an activity from foreign tenant %s", log_safe(tenant_id))
        raise NotPermitted("This bot serves one organisation only; your tenant is not it.")
    key = aad_object_id.strip().lower()
    if not key:
        raise UnknownPerson(aad_object_id, "Teams did not say who you are.")
    try:
        user = await tenant.get_user(key)
    except TenantNotFound:
        raise UnknownPerson(aad_object_id, "I can't find you in this tenant.") from None
    if user.is_resource_account:
        raise UnknownPerson(aad_object_id, "Resource accounts cannot use this bot.")
    # The two role groups are independent reads: one round trip instead of two on Graph.
    groups = await asyncio.gather(_group(admin_group_id, tenant), _group(approver_group_id, tenant))
    roles = roles_for(user, [g for g in groups if g is not None], admin_group_id, approver_group_id)
    return Principal(TenantId(tenant.tenant_id), UserId(user.id), user.display_name, roles)


async def _group(group_id: str, tenant: TenantGateway) -> Group | None:
    try:
        return await tenant.get_group(GroupId(group_id))
    except TenantNotFound:
        # A missing role group grants nobody that role; it must not lock everyone out.
        logger.warning("Role group %s does not exist in the tenant", group_id)
        return None
