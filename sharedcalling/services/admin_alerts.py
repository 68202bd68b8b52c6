"""Tell the admins, once per person and cause, when a caller-ID answer finds a broken setup.

The answer then says "An admin has been notified", and only when it is true:
a notification went out to at least one admin now, or went out before for the same person and
the same rule codes. When no admin could be reached the claim is dropped, so the next answer
tries again and meanwhile tells the person to ask an admin.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from sharedcalling.domain.callerid import one_line_text
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.names import fold
from sharedcalling.services.approvals import leases
from sharedcalling.services.callerid import Answered, CallerIdResult
from sharedcalling.services.notifier import OutboundMessage, Unreachable
from sharedcalling.services.ports import TenantError

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

MAX_ADMINS_TOLD = 25
"""Admins messaged about one broken setup (the first members of the admin group)."""


def alert_key(result: Answered) -> str:
    codes = "+".join(sorted(result.answer.rule_codes)) or "unknown"
    return f"callerid.broken:{fold(result.subject.id)}:{codes}"


async def with_admins_told(services: Services, result: CallerIdResult) -> CallerIdResult:
    """The result, marked `admins_notified` when a broken setup of the asker was reported."""
    if not (isinstance(result, Answered) and result.about_self and result.answer.is_problem):
        return result
    key = alert_key(result)
    if not await leases.claim(services, key, remind_after=None):
        return replace(result, admins_notified=True)  # told before, for this very cause
    told = await _tell_admins(services, result)
    if not told:
        await leases.release(services, key)
    return replace(result, admins_notified=told > 0)


async def _tell_admins(services: Services, result: Answered) -> int:
    try:
        group = await services.tenant.get_group(services.admin_group_id)
    except TenantError:
        logger.warning("Could not read the admin group to report a broken setup")
        return 0
    line = one_line_text(result.answer, result.subject.display_name, about_self=False)
    text = (
        f"{result.subject.display_name} ({result.subject.user_principal_name}) asked for their "
        f"caller ID and their setup is broken: {line}"
    )
    told = 0
    for admin in group.member_ids[:MAX_ADMINS_TOLD]:
        try:
            await services.notifier.send_to_user(
                services.tenant_id, UserId(admin), OutboundMessage(text)
            )
            told += 1
        except Unreachable:
            logger.info("Admin %s is not reachable for a broken-setup notice", admin)
        except Exception:  # one admin's failure must not stop the others
            logger.warning("Could not tell admin %s of a broken setup", admin, exc_info=True)
    logger.info("Broken setup of %s reported to %d admins", result.subject.id, told)
    return told
