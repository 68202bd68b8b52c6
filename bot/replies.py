"""What the bot answers, as data, and how it becomes a Bot Framework activity or invoke response."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse

from cards.help import notice_card

CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
ERROR_RESPONSE = "application/vnd.microsoft.error"


@dataclass(frozen=True, slots=True)
class Reply:
    """One line of text (Markdown), optionally with an Adaptive Card in the same activity."""

    text: str
    card: dict[str, Any] | None = None


def to_activity(reply: Reply) -> Activity:
    if reply.card is None:
        return MessageFactory.text(reply.text)
    return MessageFactory.attachment(CardFactory.adaptive_card(reply.card), text=reply.text)


def to_invoke_response(reply: Reply) -> AdaptiveCardInvokeResponse:
    """Action.Execute answer: the card replaces the clicked one.

    A text-only reply is wrapped in a card: botbuilder's model types the value as an object and
    cannot serialize the plain string of a message response.
    """
    card = reply.card if reply.card is not None else notice_card(reply.text)
    return AdaptiveCardInvokeResponse(
        status_code=int(HTTPStatus.OK), type=CARD_RESPONSE, value=card
    )


def invoke_error(status: HTTPStatus, code: str, message: str) -> AdaptiveCardInvokeResponse:
    return AdaptiveCardInvokeResponse(
        status_code=int(status), type=ERROR_RESPONSE, value={"code": code, "message": message}
    )
