"""ChatOpsBot: the Teams activity handler. It identifies, routes and replies; it decides nothing."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from botbuilder.core import BotState, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    ChannelAccount,
)

from bot import identity, routing
from bot.commands import parse_command
from bot.mentions import text_without_bot_mention
from bot.replies import invoke_error, to_activity, to_invoke_response
from sharedcalling import correlation
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import NotPermitted, UnknownPerson
from sharedcalling.services import Services

logger = logging.getLogger(__name__)

CORRELATION_KEY = "sharedcalling.correlation_id"
WELCOMED = "welcomed"
"""Conversation-state flag: one welcome per conversation, also after a reinstall."""


class ChatOpsBot(TeamsActivityHandler):
    """Refuses other tenants, resolves the asker, routes commands and card actions by table."""

    def __init__(self, services: Services, conversation_state: BotState) -> None:
        self._services = services
        self._conversation_state = conversation_state
        self._welcomed = conversation_state.create_property(WELCOMED)

    async def on_turn(self, turn_context: TurnContext) -> None:
        # Not reset afterwards: aiohttp runs each request in its own task (its own context), and
        # the adapter calls on_turn_error after this method has returned.
        correlation.begin_turn(turn_context.activity.id)
        turn_context.turn_state[CORRELATION_KEY] = correlation.current()
        if not identity.is_own_tenant(turn_context.activity, self._services.tenant_id):
            await self._refuse_foreign_tenant(turn_context)
            return
        await super().on_turn(turn_context)
        await self._conversation_state.save_changes(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        principal = await self._principal(turn_context)
        if principal is None:
            return
        activity = turn_context.activity
        submitted = activity.value if isinstance(activity.value, Mapping) else None
        action_id = routing.action_id_of(submitted) if submitted is not None else None
        if submitted is not None and action_id is not None:
            # Action.Submit arrives as a message whose value carries the action id.
            reply = await routing.run_action(self._services, principal, action_id, submitted)
        else:
            command = parse_command(text_without_bot_mention(activity))
            reply = await routing.run_command(self._services, principal, command)
        await turn_context.send_activity(to_activity(reply))

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        # botbuilder leaves `action` a plain dict (toolchain-notes pitfall 2).
        action: Mapping[str, Any] = invoke_value.action or {}
        verb = action.get("verb")
        raw_data = action.get("data")
        data: Mapping[str, Any] = raw_data if isinstance(raw_data, Mapping) else {}
        principal = await self._principal(turn_context, reply=False)
        if principal is None:
            return invoke_error(HTTPStatus.FORBIDDEN, "Forbidden", identity.UNIDENTIFIED_TEXT)
        if not isinstance(verb, str) or verb not in routing.ACTION_HANDLERS:
            return invoke_error(HTTPStatus.BAD_REQUEST, "NotSupported", "Unknown card action.")
        reply = await routing.run_action(self._services, principal, verb, data)
        return to_invoke_response(reply)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        # Teams announces an install twice, as installationUpdate and as conversationUpdate, often
        # at the same moment; welcoming on both would race. installationUpdate alone welcomes.
        return None

    async def _welcome(self, turn_context: TurnContext) -> None:
        if await self._welcomed.get(turn_context, False):
            return
        principal = await self._principal(turn_context)
        if principal is None:
            return
        await turn_context.send_activity(to_activity(routing.welcome(principal)))
        await self._welcomed.set(turn_context, True)

    async def _principal(
        self, turn_context: TurnContext, *, reply: bool = True
    ) -> Principal | None:
        """The asker, from the tenant's directory; None (after telling them) when unknown."""
        activity = turn_context.activity
        object_id = identity.aad_object_id_of(activity)
        try:
            if object_id is None:
                raise UnknownPerson("", identity.UNIDENTIFIED_TEXT)
            return await self._services.resolve_principal(
                identity.tenant_of(activity) or "", object_id
            )
        except (UnknownPerson, NotPermitted) as refused:
            logger.info("Could not identify the sender (%s)", type(refused).__name__)
            if reply:
                await turn_context.send_activity(str(refused))
            return None

    async def _refuse_foreign_tenant(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        logger.warning("Refused %s from tenant %s", activity.type, identity.tenant_of(activity))
        if activity.type == ActivityTypes.invoke:
            body = invoke_error(HTTPStatus.FORBIDDEN, "Forbidden", identity.FOREIGN_TENANT_TEXT)
            await turn_context.send_activity(
                Activity(
                    type=ActivityTypes.invoke_response,
                    value=InvokeResponse(status=int(HTTPStatus.OK), body=body),
                )
            )
        elif activity.type in (ActivityTypes.message, ActivityTypes.installation_update):
            await turn_context.send_activity(identity.FOREIGN_TENANT_TEXT)
