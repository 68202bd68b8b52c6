"""Answers to the approval workflow's card actions and commands: one use case, one card each."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.commands import MyRequests, PendingApprovals, ShowRequest
from bot.replies import Reply
from cards import actions as ids
from cards.request_lists import request_list_card
from cards.requests import request_card
from sharedcalling.domain.access import Principal
from sharedcalling.domain.requests import RequestEvent
from sharedcalling.services import Services
from sharedcalling.services.approvals.copies import headline
from sharedcalling.services.approvals.decisions import ActionResult, unknown_request_text
from sharedcalling.services.approvals.views import RequestView

logger = logging.getLogger(__name__)

REFRESH_TROUBLE = "I can't show this request right now. It refreshes again when you reopen it."


def _reply(view: RequestView, text: str | None = None) -> Reply:
    return Reply(text or headline(view.request), request_card(view))


async def _answer(services: Services, asker: Principal, result: ActionResult) -> Reply:
    """The request as it now stands for the asker, with what became of their click on top."""
    if result.request is None:
        return Reply(result.notice.text)
    view = await services.approvals.view(asker, result.request.id, notice=result.notice)
    return Reply(result.notice.text) if view is None else _reply(view, result.notice.text)


async def _decide(
    services: Services, asker: Principal, data: Mapping[str, Any], event: RequestEvent
) -> Reply:
    result = await services.approvals.decide(
        asker,
        data.get(ids.REQUEST_ID),
        event,
        fingerprint=data.get(ids.FINGERPRINT),
        reason=data.get(ids.REASON, ""),
    )
    return await _answer(services, asker, result)


async def approve(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    return await _decide(services, asker, data, RequestEvent.APPROVE)


async def reject(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    return await _decide(services, asker, data, RequestEvent.REJECT)


async def cancel(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    return await _decide(services, asker, data, RequestEvent.CANCEL)


async def replan(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    return await _answer(
        services, asker, await services.approvals.replan(asker, data.get(ids.REQUEST_ID))
    )


async def install(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    return await _answer(
        services, asker, await services.approvals.install(asker, data.get(ids.REQUEST_ID))
    )


async def show(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    request_id = data.get(ids.REQUEST_ID)
    view = await services.approvals.view(asker, request_id, page=_page(data))
    if view is None:
        return Reply(unknown_request_text(str(request_id)[:40]))
    return _reply(view)


async def refresh(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    """Teams calls this for every viewer (trigger automatic): fast, and it never fails.

    Some Teams clients stop refreshing a card after one failed refresh (toolchain notes), so
    any failure answers with a short text card instead of an error."""
    try:
        return await show(services, asker, data)
    except Exception:  # a refresh must never fail; the failure is logged
        logger.warning("Refresh of a request card failed", exc_info=True)
        return Reply(REFRESH_TROUBLE)


def _page(data: Mapping[str, Any]) -> int:
    page = data.get(ids.PAGE, 0)
    return page if isinstance(page, int) and not isinstance(page, bool) and 0 <= page < 10**6 else 0


async def show_request(services: Services, asker: Principal, command: ShowRequest) -> Reply:
    return await show(services, asker, {ids.REQUEST_ID: command.request_id})


async def my_requests(services: Services, asker: Principal, _command: MyRequests) -> Reply:
    listing = await services.approvals.my_requests(asker)
    if not listing.requests:
        return Reply(listing.empty_text)
    return Reply(f"{listing.title}: {len(listing.requests)} shown.", request_list_card(listing))


async def pending_approvals(
    services: Services, asker: Principal, _command: PendingApprovals
) -> Reply:
    listing = await services.approvals.pending_approvals(asker)
    if not listing.requests:
        return Reply(listing.empty_text)
    return Reply(
        f"{len(listing.requests)} requests wait for your decision.", request_list_card(listing)
    )
