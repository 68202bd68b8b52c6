"""Answers to commands and card actions: call one use case, render one card. No Bot Framework."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.commands import CallerIdQuestion, Help, Unknown
from bot.replies import Reply, escape_markdown
from cards.actions import USER_ID
from cards.callerid import caller_id_ambiguous_card, caller_id_card
from cards.help import UNKNOWN_TEXT, help_card, help_text, mention_hint
from cards.views import caller_id_view, choices_view, may_offer_self_service
from cards.welcome import welcome_card, welcome_text
from sharedcalling.correlation import log_safe
from sharedcalling.domain.access import Principal
from sharedcalling.services import Services
from sharedcalling.services.callerid import (
    Ambiguous,
    Answered,
    CallerIdResult,
    NotFound,
    Refused,
)
from sharedcalling.services.ports import (
    TenantError,
    TenantNotFound,
    TenantPermissionDenied,
    TenantThrottled,
    TenantUnavailable,
)

STALE_CHOICE_TEXT = "That choice is no longer valid. Please ask your question again."
logger = logging.getLogger(__name__)


def render_caller_id(result: CallerIdResult, *, self_service: bool = False) -> Reply:
    """The one-line summary plus the card, for each kind of result. What the asker typed is
    echoed escaped, so that it reads as typed and can never be a link. `self_service`: the
    offer is on, so an asker without a working number gets "Request Shared Calling"."""
    if isinstance(result, Answered):
        view = caller_id_view(result)
        if self_service and may_offer_self_service(result):
            view = replace(view, offer_self_service=True)
        return Reply(view.one_line, caller_id_card(view))
    if isinstance(result, Ambiguous):
        shown = replace(result, query=escape_markdown(result.query))
        return Reply(
            f"Several people match \u201c{shown.query}\u201d; pick one.",
            caller_id_ambiguous_card(choices_view(shown)),
        )
    if isinstance(result, NotFound):
        query = escape_markdown(result.query)
        return Reply(f"I can't find anyone matching \u201c{query}\u201d in this tenant.")
    if isinstance(result, Refused):
        return Reply(result.reason)
    raise TypeError(f"unexpected caller-ID result {type(result).__name__}")


async def caller_id(services: Services, asker: Principal, question: CallerIdQuestion) -> Reply:
    result = await services.explain_caller_id(asker, question.subject)
    return render_caller_id(result, self_service=services.self_service.enabled)


async def pick_caller_id(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    """A person chosen on a card: only its id is used, and the use case re-checks permission."""
    user_id = data.get(USER_ID)
    if not isinstance(user_id, str) or not user_id:
        return Reply(STALE_CHOICE_TEXT)
    result = await services.explain_caller_id(asker, user_id)
    return render_caller_id(result, self_service=services.self_service.enabled)


async def help_(services: Services, asker: Principal, command: Help) -> Reply:
    return Reply(help_text(command.mention), help_card(asker.roles, command.mention))


async def unknown(services: Services, asker: Principal, command: Unknown) -> Reply:
    if command.mention is not None:
        return Reply(f"Sorry, I didn't understand that. {mention_hint(command.mention)}")
    return Reply(UNKNOWN_TEXT)


def welcome(asker: Principal, mention: str | None = None) -> Reply:
    """`mention`: the bot's name in a group chat or channel (people must @mention it there)."""
    return Reply(
        welcome_text(asker.display_name, mention),
        welcome_card(asker.display_name, asker.roles, mention),
    )


def tenant_trouble(failure: TenantError) -> Reply:
    """What to tell a person when Teams could not answer; the details go to the log only."""
    logger.warning(
        "Tenant backend failed during %s: %s (request id %s)",
        log_safe(failure.operation or "a read"),
        type(failure).__name__,
        log_safe(failure.request_id),
    )
    if isinstance(failure, TenantThrottled):
        wait = (
            f"about {math.ceil(failure.retry_after)} seconds" if failure.retry_after else "a minute"
        )
        return Reply(f"Teams asked me to slow down. Please ask again in {wait}.")
    if isinstance(failure, TenantUnavailable):
        return Reply("I can't reach Teams right now. Please ask again in a minute.")
    if isinstance(failure, TenantPermissionDenied):
        return Reply(
            "I'm not allowed to read this from Teams. Please ask a Teams admin to check the bot's "
            "permissions (see the operator guide)."
        )
    if isinstance(failure, TenantNotFound):
        return Reply("Teams no longer knows that person or setting. Please ask again.")
    return Reply("Teams refused my request. Please ask again later or tell a Teams admin.")
