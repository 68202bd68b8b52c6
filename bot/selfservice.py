"""Self-service answers (issue 15): "can I get a phone number?", its card, and "Send request".

Who asks is the turn's principal; card data bring only the plan's fingerprint and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.commands import RequestForMe
from bot.replies import Reply
from cards.actions import FINGERPRINT, SELF_SERVICE_REASON
from cards.requests import request_card
from cards.selfservice import self_service_card, self_service_view
from sharedcalling.domain.access import Principal
from sharedcalling.services import Services
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.selfservice.outcomes import Filed, Offered, SelfServiceResult
from sharedcalling.services.setup import CardLocation

OFFER_TEXT = "Here is what would change for you. Say why you need it, then send the request."


async def request_for_me(services: Services, asker: Principal, _command: RequestForMe) -> Reply:
    return await render(services, asker, await services.selfservice.offer(asker))


async def start(services: Services, asker: Principal, _data: Mapping[str, Any]) -> Reply:
    """The caller-ID card's "Request Shared Calling": the same answer as the question."""
    return await render(services, asker, await services.selfservice.offer(asker))


async def submit(
    services: Services,
    asker: Principal,
    data: Mapping[str, Any],
    card: CardLocation | None = None,
) -> Reply:
    result = await services.selfservice.submit(
        asker, data.get(FINGERPRINT), data.get(SELF_SERVICE_REASON), card=card
    )
    return await render(services, asker, result)


async def render(services: Services, asker: Principal, result: SelfServiceResult) -> Reply:
    if isinstance(result, Offered):
        return Reply(result.notice or OFFER_TEXT, self_service_card(self_service_view(result)))
    if isinstance(result, Filed):
        request = result.request
        text = f"Sent for approval as request {request.id}. I'll tell you when it is decided."
        view = await services.approvals.view(asker, request.id, notice=Notice(text, Tone.GOOD))
        return Reply(text, request_card(view) if view is not None else None)
    return Reply(result.text)
