"""Routing tables: commands and card actions to the answers that handle them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot import answers, setup_requests
from bot.commands import CallerIdQuestion, Command, Help, Unknown, parse_command
from bot.replies import Reply
from cards import actions
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.services import Services
from sharedcalling.services.ports import TenantError

__all__ = [
    "ACTION_HANDLERS",
    "COMMANDS",
    "DIALOG_ACTIONS",
    "parse_command",
    "run_action",
    "run_command",
    "welcome",
]

CommandHandler = Callable[[Services, Principal, Any], Awaitable[Reply]]
ActionHandler = Callable[[Services, Principal, Mapping[str, Any]], Awaitable[Reply]]

COMMANDS: Mapping[type[Command], CommandHandler] = {
    CallerIdQuestion: answers.caller_id,
    Help: answers.help_,
    Unknown: answers.unknown,
}

ACTION_HANDLERS: Mapping[str, ActionHandler] = {
    actions.CALLERID_PICK: answers.pick_caller_id,
    actions.CALLERID_REFRESH: answers.pick_caller_id,
    actions.SETUP_REQUEST_STATUS: setup_requests.request_status,
    actions.SETUP_REQUEST_CANCEL: setup_requests.cancel_request,
}
"""Keyed by the ids in cards/actions.py: the Action.Execute verb, or the Action.Submit id."""

DIALOG_ACTIONS: frozenset[str] = actions.SETUP_DIALOG_ACTIONS
"""Card actions the set-up dialog answers (they need the conversation's dialog state)."""


def action_id_of(submitted: Mapping[str, Any]) -> str | None:
    """The action id an Action.Submit payload carries, when it is one we route."""
    action_id = submitted.get(actions.VERB_KEY)
    known = isinstance(action_id, str) and (
        action_id in ACTION_HANDLERS or action_id in DIALOG_ACTIONS
    )
    return action_id if known else None


async def run_command(services: Services, principal: Principal, command: Command) -> Reply:
    try:
        return await COMMANDS[type(command)](services, principal, command)
    except InvalidInput as invalid:
        return Reply(str(invalid))
    except TenantError as failure:
        return answers.tenant_trouble(failure)


async def run_action(
    services: Services, principal: Principal, action_id: str, data: Mapping[str, Any]
) -> Reply:
    try:
        return await ACTION_HANDLERS[action_id](services, principal, data)
    except InvalidInput as invalid:
        return Reply(str(invalid))
    except TenantError as failure:
        return answers.tenant_trouble(failure)


def welcome(principal: Principal, mention: str | None = None) -> Reply:
    return answers.welcome(principal, mention)
