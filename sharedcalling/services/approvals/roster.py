"""Who approves: the members of the approver group, read from the tenant (cached briefly)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.names import fold
from sharedcalling.services.approvals.policy import MAX_REFRESH_USERS
from sharedcalling.services.approvals.views import Roster
from sharedcalling.services.ports import SnapshotScope, TenantError, TenantNotFound

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
    """The admins, who decide self-service requests too: the admin group's direct members, and
    the holders of a Teams admin role where the backend lists them (identity makes both admins,
    so both are announced)."""
    try:
        group = await services.tenant.get_group(services.admin_group_id)
    except TenantNotFound:
        logger.warning("Admin group %s does not exist", services.admin_group_id)
        members: tuple[UserId, ...] = ()
        name = UNKNOWN_ADMIN_GROUP_NAME
    else:
        members = tuple(UserId(fold(m)) for m in group.member_ids)
        name = group.display_name or UNKNOWN_ADMIN_GROUP_NAME
    try:
        holders = await services.tenant.list_teams_admins() or []
    except TenantError as error:
        # The group still decides; role holders are announced once the read works again.
        logger.warning("Teams admin role holders not read: %s", error)
        holders = []
    return tuple(dict.fromkeys((*members, *(UserId(fold(h)) for h in holders)))), name
