"""The last line of defence of a turn: log with a correlation id, apologise, reset the dialog."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from botbuilder.core import BotState, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from sharedcalling import correlation

logger = logging.getLogger(__name__)

TurnErrorHandler = Callable[[TurnContext, Exception], Awaitable[None]]


def apology(reference: str) -> str:
    return f"Sorry, something went wrong (reference {reference})."


def _describe(context: TurnContext) -> str:
    # Ids only: never the text, the card values or the whole activity.
    activity = context.activity
    return (
        f"type={activity.type} name={activity.name or '-'} conversation={_conversation_id(context)}"
    )


def _conversation_id(context: TurnContext) -> str:
    conversation = context.activity.conversation
    return conversation.id if conversation and conversation.id else "-"


async def _answer_invoke(context: TurnContext) -> None:
    # An invoke without an invoke response would make the adapter answer 501; say 500 instead.
    await context.send_activity(
        Activity(
            type=ActivityTypes.invoke_response,
            value=InvokeResponse(status=int(HTTPStatus.INTERNAL_SERVER_ERROR)),
        )
    )


def make_turn_error_handler(conversation_state: BotState) -> TurnErrorHandler:
    """An `on_turn_error` for the adapter that clears `conversation_state` (and so the dialog
    stack), so that a broken dialog cannot trap the person in it."""

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        reference = correlation.current()
        logger.exception("Turn failed (%s)", _describe(context), exc_info=error)
        try:
            # clear_state + forced save works whether or not the state was loaded this turn.
            await conversation_state.clear_state(context)
            await conversation_state.save_changes(context, force=True)
            await context.send_activity(apology(reference))
            if context.activity.type == ActivityTypes.invoke:
                await _answer_invoke(context)
        except Exception:
            # Reporting must not raise: the adapter would only log it again, without our id.
            logger.exception("Could not report the failed turn to the person")

    return on_turn_error
