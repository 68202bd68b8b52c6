"""Routing tables: commands and card actions to the answers that handle them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot import (
    answers,
    apply_answers,
    approval_answers,
    audit_answers,
    hazards,
    identity,
    overview_answers,
    selfservice,
    setup_requests,
)
from bot.commands import (
    AuditExport,
    CallerIdQuestion,
    CheckNow,
    Command,
    FreezeApplies,
    Hazards,
    Help,
    MyRequests,
    PendingApprovals,
    RequestForMe,
    ResumeApplies,
    RetryFailed,
    Revert,
    SharedCallingStatus,
    ShowRequest,
    Unknown,
    parse_command,
)
from bot.replies import Reply
from cards import actions
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.services import Services
from sharedcalling.services.ports import TenantError
from sharedcalling.services.setup import CardLocation

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
    Hazards: hazards.hazards,
    CheckNow: hazards.check_now,
    Unknown: answers.unknown,
    MyRequests: approval_answers.my_requests,
    PendingApprovals: approval_answers.pending_approvals,
    ShowRequest: approval_answers.show_request,
    AuditExport: audit_answers.audit_export,
    RetryFailed: apply_answers.retry_failed,
    Revert: apply_answers.revert,
    FreezeApplies: apply_answers.freeze,
    ResumeApplies: apply_answers.resume,
    RequestForMe: selfservice.request_for_me,
    SharedCallingStatus: overview_answers.status,
}

ACTION_HANDLERS: Mapping[str, ActionHandler] = {
    actions.CALLERID_PICK: answers.pick_caller_id,
    actions.CALLERID_REFRESH: answers.pick_caller_id,
    actions.APPROVAL_APPROVE: approval_answers.approve,
    actions.APPROVAL_REJECT: approval_answers.reject,
    actions.APPROVAL_REFRESH: approval_answers.refresh,
    actions.APPROVAL_PAGE: approval_answers.show,
    actions.APPROVAL_INSTALL: approval_answers.install,
    actions.REQUEST_CANCEL: approval_answers.cancel,
    actions.REQUEST_REPLAN: approval_answers.replan,
    actions.REQUEST_SHOW: approval_answers.show,
    actions.HAZARD_PLAN_FIX: hazards.plan_fix,
    actions.HAZARD_PAGE: hazards.page,
    actions.SETUP_REQUEST_STATUS: setup_requests.request_status,
    actions.SETUP_REQUEST_CANCEL: setup_requests.cancel_request,
    actions.APPLY_RETRY: apply_answers.retry_action,
    actions.APPLY_REVERT: apply_answers.revert_action,
    actions.SELF_SERVICE_START: selfservice.start,
    actions.SELF_SERVICE_SUBMIT: selfservice.submit,
    actions.STATUS_PAGE: overview_answers.page,
    actions.STATUS_EXPORT: overview_answers.export,
}
"""Keyed by the ids in cards/actions.py: the Action.Execute verb, or the Action.Submit id."""

DIALOG_ACTIONS: frozenset[str] = actions.SETUP_DIALOG_ACTIONS
"""Card actions the set-up dialog answers (they need the conversation's dialog state)."""


def handler_for(verb: object) -> ActionHandler | None:
    return ACTION_HANDLERS.get(verb) if isinstance(verb, str) else None


async def note_unknown_action(
    services: Services, principal: Principal, verb: object, data: Mapping[str, Any]
) -> None:
    """An unknown action id under the workflow's prefixes is a forged or outdated card: it is
    refused like any unknown action, and leaves an audit entry."""
    if isinstance(verb, str) and verb.startswith(actions.APPROVAL_PREFIXES):
        await services.approvals.refuse_action(principal, verb, dict(data))


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
    services: Services,
    principal: Principal,
    action_id: str,
    data: Mapping[str, Any],
    *,
    card: CardLocation | None = None,
) -> Reply:
    """`card`: the clicked card, for the one action that keeps it (self-service submit)."""
    try:
        if action_id == actions.SELF_SERVICE_SUBMIT:
            return await selfservice.submit(services, principal, data, card)
        handler = handler_for(action_id)
        if handler is None:
            raise KeyError(action_id)
        return await handler(services, principal, data)
    except InvalidInput as invalid:
        return Reply(str(invalid))
    except TenantError as failure:
        return answers.tenant_trouble(failure)


def welcome(principal: Principal, mention: str | None = None) -> Reply:
    return answers.welcome(principal, mention)


async def note_foreign_action(services: Services, activity: Any) -> None:
    """An approval action from another tenant leaves an audit entry (and nothing else)."""
    value = activity.value if isinstance(activity.value, Mapping) else {}
    action = value.get("action")
    verb = action.get("verb") if isinstance(action, Mapping) else None
    if not (isinstance(verb, str) and verb.startswith(actions.APPROVAL_PREFIXES)):
        return
    sender = activity.from_property
    await services.approvals.refuse_foreign(
        identity.tenant_of(activity), getattr(sender, "aad_object_id", None), verb
    )
