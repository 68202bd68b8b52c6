"""What the bot answers, as data, and how it becomes a Bot Framework activity or invoke response."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse

from cards.help import notice_card

CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
# Markdown (Teams messages and Adaptive Card TextBlocks) would turn these into links, emphasis,
# headings, code or HTML; a backslash makes each one literal.
_MARKDOWN_SPECIAL = {ord(ch): "\\" + ch for ch in "\\`*_{}[]()<>#|~!"}
ERROR_RESPONSE = "application/vnd.microsoft.error"


@dataclass(frozen=True, slots=True)
class Reply:
    """One line of text (Markdown), optionally with an Adaptive Card in the same activity."""

    text: str
    card: dict[str, Any] | None = None


def escape_markdown(text: str) -> str:
    """`text` shown as typed: what a person sent must never become a live link or formatting."""
    return text.translate(_MARKDOWN_SPECIAL)


class SentCard(dict[str, Any]):
    """A card on its way out. TurnContext deep-copies every outgoing activity (card included,
    about 0.5 ms for a caller-ID card); a card is built for one reply and never changed after,
    so its copy may be itself."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SentCard:
        return self


def to_activity(reply: Reply) -> Activity:
    if reply.card is None:
        return MessageFactory.text(reply.text)
    card = CardFactory.adaptive_card(SentCard(reply.card))
    return MessageFactory.attachment(card, text=reply.text)


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
