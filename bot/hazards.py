"""Answers of the hazard watch: "hazards", "check now", and the hazard cards' actions.

Each calls one use case and renders one card; who may do what is decided by the use case
(admins only), from the principal of the activity, never from card data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.commands import CheckNow, Hazards
from bot.replies import Reply
from cards.actions import HAZARD_ID, PAGE
from cards.hazard_views import hazard_view, list_view
from cards.hazards import hazard_card, hazards_card
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import NotPermitted
from sharedcalling.services import Services
from sharedcalling.services.hazards.check import CheckOutcome
from sharedcalling.services.hazards.fix import (
    FixAlreadyPlanned,
    FixNotPossible,
    FixResult,
    FixSubmitted,
    HazardResolved,
)
from sharedcalling.services.unit_of_work import UsersLocked

STALE_HAZARD_TEXT = "That card no longer names a hazard. Type **hazards** to see the open ones."
BUSY_TEXT = (
    "A check is running right now (on this or another replica). Type **hazards** in a minute."
)


async def _page(services: Services, asker: Principal, page: int, heading: str = "") -> Reply:
    found = await services.hazard_page(asker, page)
    view = list_view(found, heading=heading)
    return Reply(view.title + ". " + view.status, hazards_card(view))


async def hazards(services: Services, asker: Principal, command: Hazards) -> Reply:
    try:
        return await _page(services, asker, command.page)
    except NotPermitted as refused:
        return Reply(str(refused))


def _done(outcome: CheckOutcome) -> str:
    record = outcome.record
    if record is not None and record.outcome != "ok":
        return "Check done, but it could not read the tenant: nothing new is confirmed"
    return (
        f"Check done: {len(outcome.opened)} new, {len(outcome.closed)} closed, "
        f"{len(outcome.open_hazards)} open"
    )


async def check_now(services: Services, asker: Principal, _command: CheckNow) -> Reply:
    try:
        outcome = await services.check_hazards(asker)
        if not outcome.ran:
            return Reply(BUSY_TEXT)
        return await _page(services, asker, 0, heading=_done(outcome))
    except NotPermitted as refused:
        return Reply(str(refused))


async def page(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    wanted = data.get(PAGE)
    number = wanted if isinstance(wanted, int) and not isinstance(wanted, bool) else 0
    try:
        return await _page(services, asker, number)
    except NotPermitted as refused:
        return Reply(str(refused))


async def plan_fix(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    """The hazard's card again, saying what "Plan a fix" did."""
    hazard_id = data.get(HAZARD_ID)
    if not isinstance(hazard_id, str) or not hazard_id.strip() or len(hazard_id) > 40:
        return Reply(STALE_HAZARD_TEXT)
    try:
        result = await services.plan_hazard_fix(asker, hazard_id)
    except NotPermitted as refused:
        return Reply(str(refused))
    except UsersLocked as locked:
        return Reply(f"No fix was planned. {locked}")
    text, color = _fix_note(result)
    return Reply(text, hazard_card(hazard_view(result.hazard, note=text, note_color=color)))


def _fix_note(result: FixResult) -> tuple[str, str | None]:
    if isinstance(result, FixSubmitted):
        preview = result.preview
        return (
            f"Fix request {result.request.id} was submitted for approval: {preview.summary}",
            "Good",
        )
    if isinstance(result, FixAlreadyPlanned):
        request = result.request
        return f"Fix request {request.id} is already {request.state.value.lower()}.", None
    if isinstance(result, HazardResolved):
        return "This hazard is already resolved.", "Good"
    if isinstance(result, FixNotPossible):
        return result.reason, "Attention"
    raise TypeError(f"unexpected fix result {type(result).__name__}")
