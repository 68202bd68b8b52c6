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
    names: dict[str, str] = {}
    if len(members) <= MAX_REFRESH_USERS:
        snapshot = await services.tenant.snapshot(SnapshotScope(user_ids=members))
        for member in members:
            user = snapshot.user(member)
            if user is not None:
                names[member] = user.display_name
    roster = Roster(group.display_name or UNKNOWN_GROUP_NAME, members, names)
    runtime.keep_roster(roster)
    return roster
