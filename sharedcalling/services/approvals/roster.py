"""Who approves: the members of the approver group, read from the tenant (cached briefly)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.names import fold
from sharedcalling.services.approvals.policy import MAX_REFRESH_USERS
from sharedcalling.services.approvals.views import Roster
from sharedcalling.services.ports import SnapshotScope, TenantNotFound

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

UNKNOWN_GROUP_NAME = "the approver group"
UNKNOWN_ADMIN_GROUP_NAME = "the admin group"


async def read_roster(services: Services, *, fresh: bool = False) -> Roster:
    """The approver group's direct members; names too for groups small enough to list.

    A group that does not exist approves nothing (Roster.known False); other tenant errors
    propagate, so that callers can say they could not check."""
    runtime = services.approval
    cached = None if fresh else runtime.cached_roster()
    if cached is not None:
        return cached
    try:
        group = await services.tenant.get_group(services.approver_group_id)
    except TenantNotFound:
        logger.warning("Approver group %s does not exist", services.approver_group_id)
        roster = Roster(UNKNOWN_GROUP_NAME, known=False)
        runtime.keep_roster(roster)
        return roster
    members = tuple(UserId(fold(m)) for m in group.member_ids)
    admins, admin_group_name = await _admins(services)
    names: dict[str, str] = {}
    everyone = tuple(dict.fromkeys((*members, *admins)))
    if len(everyone) <= MAX_REFRESH_USERS:
        snapshot = await services.tenant.snapshot(SnapshotScope(user_ids=everyone))
        for member in everyone:
            user = snapshot.user(member)
            if user is not None:
                names[member] = user.display_name
    roster = Roster(
        group.display_name or UNKNOWN_GROUP_NAME, members, names,
        admin_ids=admins, admin_group_name=admin_group_name,
    )  # fmt: skip
    runtime.keep_roster(roster)
    return roster


async def _admins(services: Services) -> tuple[tuple[UserId, ...], str]:
    """The admin group's direct members (they decide self-service requests too)."""
    try:
        group = await services.tenant.get_group(services.admin_group_id)
    except TenantNotFound:
        logger.warning("Admin group %s does not exist", services.admin_group_id)
        return (), UNKNOWN_ADMIN_GROUP_NAME
    members = tuple(UserId(fold(m)) for m in group.member_ids)
    return members, group.display_name or UNKNOWN_ADMIN_GROUP_NAME
