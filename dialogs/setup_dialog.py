"""SetupDialog: the admin set-up as one ComponentDialog, its state in the bot's database.

The dialog holds the flow's state (JSON primitives) in its dialog instance, so the
conversation state Storage (bot/state_storage.py, our database) carries it across turns,
restarts and replicas. Each turn hands the dialog a SetupTurn and takes back an Outcome
through the turn state; the flow itself (dialogs/setup_flow.py) knows nothing of botbuilder.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.dialogs import ComponentDialog, Dialog, DialogContext, DialogTurnResult

from cards import actions as ids
from dialogs.answer import Answer
from dialogs.setup_flow import Outcome, SetupFlow, SetupTurn, ended_card
from dialogs.setup_state import FlowState

logger = logging.getLogger(__name__)

TURN_KEY = "sharedcalling.setup.turn"
OUTCOME_KEY = "sharedcalling.setup.outcome"
STATE_KEY = "setup"
UNREADABLE_TEXT = (
    "Your set-up could not be read back (it was saved by another version of the bot); "
    "start again with \u201cset up shared calling\u201d."
)


class SetupStepsDialog(Dialog):
    """The steps of the set-up: every turn is one action on one card."""

    def __init__(self, flow: SetupFlow) -> None:
        super().__init__(SetupStepsDialog.__name__)
        self._flow = flow

    async def begin_dialog(self, dialog_context: DialogContext, options: Any = None) -> Any:
        outcome = await self._flow.begin(_turn(dialog_context))
        return await self._finish(dialog_context, outcome)

    async def continue_dialog(self, dialog_context: DialogContext) -> Any:
        turn = _turn(dialog_context)
        try:
            state = FlowState.from_json(dialog_context.active_dialog.state.get(STATE_KEY, {}))
        except ValueError:
            logger.warning("Discarded a set-up state that could not be read")
            outcome = Outcome(None, Answer(UNREADABLE_TEXT, ended_card(UNREADABLE_TEXT)))
            return await self._finish(dialog_context, outcome)
        if turn.verb == ids.SETUP_START:
            outcome = await self._flow.resume(state, turn)
        else:
            outcome = await self._flow.handle(state, turn)
        return await self._finish(dialog_context, outcome)

    @staticmethod
    async def _finish(dialog_context: DialogContext, outcome: Outcome) -> DialogTurnResult:
        dialog_context.context.turn_state[OUTCOME_KEY] = outcome
        if outcome.state is None:
            return await dialog_context.end_dialog()
        dialog_context.active_dialog.state[STATE_KEY] = outcome.state.to_json()
        return Dialog.end_of_turn


class SetupDialog(ComponentDialog):
    """Set up Shared Calling: resource account, policy, emergency numbers, people, assignment,
    review and submit, each one Adaptive Card answering in place."""

    def __init__(self, flow: SetupFlow) -> None:
        super().__init__(SetupDialog.__name__)
        self.add_dialog(SetupStepsDialog(flow))
        self.initial_dialog_id = SetupStepsDialog.__name__


def _turn(dialog_context: DialogContext) -> SetupTurn:
    turn = dialog_context.context.turn_state.get(TURN_KEY)
    if not isinstance(turn, SetupTurn):
        raise RuntimeError("SetupDialog runs only through bot.setup_turns (no SetupTurn given)")
    return turn
