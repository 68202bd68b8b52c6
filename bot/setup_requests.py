"""Card actions on a submitted set-up request: show its status again, or cancel it.

Stateless (the dialog has ended when a request exists): the request id comes from the card,
and everything else from the store; who may cancel is decided by the request's own guards.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.replies import Reply
from cards.actions import REQUEST_ID
from cards.setup.review_mappers import status_view
from cards.setup.status import status_card
from sharedcalling.domain.access import Principal
from sharedcalling.domain.names import same
from sharedcalling.domain.requests import RequestRefused
from sharedcalling.services import Services
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.requests import normalize_request_id
from sharedcalling.services.unit_of_work import RecordNotFound

UNKNOWN_REQUEST_TEXT = "I can't find that request."


async def request_status(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    request_id = normalize_request_id(str(data.get(REQUEST_ID) or ""))
    if request_id is None:
        return Reply(UNKNOWN_REQUEST_TEXT)
    try:
        request = await services.setup.request(request_id)
    except RecordNotFound:
        return Reply(UNKNOWN_REQUEST_TEXT)
    if not (asker.is_admin or asker.is_approver or same(request.requester_id, asker.user_id)):
        return Reply(UNKNOWN_REQUEST_TEXT)
    view = status_view(request)
    return Reply(view.headline, status_card(view))


async def cancel_request(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    request_id = normalize_request_id(str(data.get(REQUEST_ID) or ""))
    if request_id is None:
        return Reply(UNKNOWN_REQUEST_TEXT)
    try:
        request = await services.setup.cancel_request(request_id, asker)
    except RecordNotFound:
        return Reply(UNKNOWN_REQUEST_TEXT)
    except RequestRefused as refused:
        current = await services.setup.request(request_id)
        view = status_view(current, Notice(str(refused), Tone.ATTENTION))
        return Reply(str(refused), status_card(view))
    view = status_view(request, Notice("Cancelled. Nothing was changed in Teams.", Tone.GOOD))
    return Reply(view.headline, status_card(view))
