"""Answers to the apply commands and card buttons: retry, revert, freeze, resume."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.apply_cards import CardPresenter
from bot.commands import FreezeApplies, ResumeApplies, RetryFailed, Revert
from bot.replies import Reply, escape_markdown
from cards.actions import REQUEST_ID
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import NotPermitted
from sharedcalling.domain.ids import RequestId
from sharedcalling.domain.requests import RequestRefused
from sharedcalling.services import Services
from sharedcalling.services.requests import normalize_request_id
from sharedcalling.services.unit_of_work import RecordNotFound, UsersLocked

NOT_AN_ID = "That is not a request id; they look like SC-7K2M9QF4."
_PRESENTER = CardPresenter()


def _request_id(typed: object) -> RequestId | None:
    return normalize_request_id(typed) if isinstance(typed, str) else None


async def _refusals(work: Callable[[], Awaitable[Reply]], request_id: RequestId) -> Reply:
    """The plain answer for what a person may not or cannot do; nothing was changed."""
    try:
        return await work()
    except (NotPermitted, RequestRefused, UsersLocked) as refused:
        return Reply(str(refused))
    except RecordNotFound:
        return Reply(f"There is no request {request_id} in this tenant.")


async def _retry(services: Services, asker: Principal, request_id: RequestId) -> Reply:
    result = await services.retry_failed(asker, request_id)
    if result.new_request is not None:
        return Reply(
            f"I can't retry {request_id} as approved: {result.reason}. I sent the "
            f"{_count(result.new_request)} still needed for approval as "
            f"**{result.new_request.id}**."
        )
    view = await services.apply.view(request_id)
    text = f"Retrying {result.retried:,} failed changes of {request_id}. This card follows it."
    card = _PRESENTER.progress(view).card if view is not None else None
    return Reply(text, dict(card) if card is not None else None)


def _count(request: Any) -> str:
    changes = len(request.plan.get("changes", ()))
    return f"{changes:,} changes" if changes != 1 else "1 change"


async def _revert(services: Services, asker: Principal, request_id: RequestId) -> Reply:
    result = await services.revert_request(asker, request_id)
    left = "".join(f"\n- {escape_markdown(r.reason)}" for r in result.not_revertible)
    kept = f"\n\nLeft as it is:{left}" if left else ""
    return Reply(
        f"I planned the revert of {request_id} as **{result.request.id}** "
        f"({result.changes:,} changes back to what they were) and sent it for approval.{kept}"
    )


async def retry_failed(services: Services, asker: Principal, command: RetryFailed) -> Reply:
    request_id = _request_id(command.request)
    if request_id is None:
        return Reply(NOT_AN_ID)
    return await _refusals(lambda: _retry(services, asker, request_id), request_id)


async def revert(services: Services, asker: Principal, command: Revert) -> Reply:
    request_id = _request_id(command.request)
    if request_id is None:
        return Reply(NOT_AN_ID)
    return await _refusals(lambda: _revert(services, asker, request_id), request_id)


async def retry_action(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    """The report card's Retry button: only the id is used; permission is checked again."""
    return await retry_failed(services, asker, RetryFailed(str(data.get(REQUEST_ID, ""))))


async def revert_action(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    return await revert(services, asker, Revert(str(data.get(REQUEST_ID, ""))))


async def freeze(services: Services, asker: Principal, command: FreezeApplies) -> Reply:
    try:
        state = await services.freeze_applies(asker, command.reason)
    except NotPermitted as refused:
        return Reply(str(refused))
    why = f" ({escape_markdown(state.reason)})" if state.reason else ""
    return Reply(
        f"Every apply is frozen{why}. Changes being written now finish; nothing new is "
        "written until an admin types **resume**."
    )


async def resume(services: Services, asker: Principal, _command: ResumeApplies) -> Reply:
    try:
        await services.resume_applies(asker)
    except NotPermitted as refused:
        return Reply(str(refused))
    return Reply("The change freeze is over: applies continue where they stopped.")
