"""Routing tables: commands and card actions to the answers that handle them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot import answers, apply_answers
from bot.commands import (
    CallerIdQuestion,
    Command,
    FreezeApplies,
    Help,
    ResumeApplies,
    RetryFailed,
    Revert,
    Unknown,
    parse_command,
)
from bot.replies import Reply
from cards import actions
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.services import Services
from sharedcalling.services.ports import TenantError

__all__ = ["ACTION_HANDLERS", "COMMANDS", "parse_command", "run_action", "run_command", "welcome"]

CommandHandler = Callable[[Services, Principal, Any], Awaitable[Reply]]
ActionHandler = Callable[[Services, Principal, Mapping[str, Any]], Awaitable[Reply]]

COMMANDS: Mapping[type[Command], CommandHandler] = {
    CallerIdQuestion: answers.caller_id,
    Help: answers.help_,
    Unknown: answers.unknown,
    RetryFailed: apply_answers.retry_failed,
    Revert: apply_answers.revert,
    FreezeApplies: apply_answers.freeze,
    ResumeApplies: apply_answers.resume,
}

ACTION_HANDLERS: Mapping[str, ActionHandler] = {
    actions.CALLERID_PICK: answers.pick_caller_id,
    actions.CALLERID_REFRESH: answers.pick_caller_id,
    actions.APPLY_RETRY: apply_answers.retry_action,
    actions.APPLY_REVERT: apply_answers.revert_action,
}
"""Keyed by the ids in cards/actions.py: the Action.Execute verb, or the Action.Submit id."""


def action_id_of(submitted: Mapping[str, Any]) -> str | None:
    """The action id an Action.Submit payload carries, when it is one we route."""
    action_id = submitted.get(actions.VERB_KEY)
    return action_id if isinstance(action_id, str) and action_id in ACTION_HANDLERS else None


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


def welcome(principal: Principal) -> Reply:
    return answers.welcome(principal)
