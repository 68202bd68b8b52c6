"""The set-up dialog in a Teams turn: find or start the dialog, hand it the action, reply.

Only admins reach the dialog, and only in a personal chat: the set-up shows people and numbers
of the organisation, and its cards carry choices nobody else should click.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botbuilder.core import BotState, TurnContext
from botbuilder.dialogs import DialogSet

from bot.answers import tenant_trouble
from bot.replies import Reply
from cards import actions as ids
from cards.elements import card, execute, text_block
from dialogs.setup_dialog import OUTCOME_KEY, TURN_KEY, SetupDialog
from dialogs.setup_flow import NOT_ADMIN_TEXT, Outcome, SetupFlow, SetupTurn, ended_card
from sharedcalling.domain.access import Principal
from sharedcalling.services import Services
from sharedcalling.services.ports import TenantError
from sharedcalling.services.setup import CardLocation

DIALOG_STATE = "DialogState"
PERSONAL_ONLY_TEXT = (
    "Let's set up Shared Calling in our personal chat: the set-up shows people and numbers of "
    "your organisation. Open a chat with me and type \u201cset up shared calling\u201d."
)
NO_SETUP_TEXT = (
    "No set-up is in progress here (it was finished, cancelled or expired). "
    "Type \u201cset up shared calling\u201d to start one."
)


def _is_personal(turn_context: TurnContext) -> bool:
    conversation = turn_context.activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    return kind in (None, "personal")


class SetupConversations:
    """Runs SetupDialog over the conversation state (our database) for one turn at a time."""

    def __init__(self, services: Services, conversation_state: BotState, public_url: str) -> None:
        self._clock = services.clock
        self._dialogs = DialogSet(conversation_state.create_property(DIALOG_STATE))
        self._dialogs.add(SetupDialog(SetupFlow(services, public_url)))

    async def run(
        self,
        turn_context: TurnContext,
        principal: Principal,
        verb: str = ids.SETUP_START,
        data: Mapping[str, Any] | None = None,
    ) -> Reply:
        """The answer to a set-up command or card action; the dialog state is saved with the
        conversation state at the end of the turn."""
        if not principal.is_admin:
            return Reply(NOT_ADMIN_TEXT)
        if not _is_personal(turn_context):
            return Reply(PERSONAL_ONLY_TEXT)
        turn_context.turn_state[TURN_KEY] = SetupTurn(
            principal, verb, dict(data or {}), self._clock.now(), clicked_card(turn_context)
        )
        dialog_context = await self._dialogs.create_context(turn_context)
        try:
            if dialog_context.active_dialog is None:
                if verb != ids.SETUP_START:
                    return Reply(NO_SETUP_TEXT, ended_card(NO_SETUP_TEXT))
                await dialog_context.begin_dialog(SetupDialog.__name__)
            else:
                await dialog_context.continue_dialog()
        except TenantError as failure:
            # Nothing was saved: the dialog writes its state only after the flow succeeded.
            trouble = tenant_trouble(failure)
            retry = card(
                text_block(trouble.text), actions=[execute("Try again", ids.SETUP_REFRESH)]
            )
            return Reply(trouble.text, retry)
        outcome = turn_context.turn_state.pop(OUTCOME_KEY, None)
        if not isinstance(outcome, Outcome):
            raise RuntimeError("the set-up dialog gave no outcome for this turn")
        return Reply(outcome.answer.text or "Set up Shared Calling", outcome.answer.card)


def clicked_card(turn_context: TurnContext) -> CardLocation | None:
    """The card an Action.Execute came from: Teams names it in `replyToId`."""
    activity = turn_context.activity
    conversation = activity.conversation
    if activity.type != "invoke" or conversation is None or not conversation.id:
        return None
    return CardLocation(conversation.id, activity.reply_to_id) if activity.reply_to_id else None
