"""ChatOpsBot: the Teams activity handler. It identifies, routes and replies; it decides nothing."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
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
from botbuilder.schema.teams import TeamInfo, TeamsChannelAccount

from bot import identity, routing
from bot.answers import tenant_trouble
from bot.commands import Help, StartSetup, Unknown, parse_command
from bot.inbound import SEARCH_INVOKE
from bot.mentions import text_without_bot_mention
from bot.notifications import ConversationMemory
from bot.replies import Reply, escape_markdown, invoke_error, to_activity, to_invoke_response
from bot.search import answer_search, search_error
from bot.setup_turns import SetupConversations, clicked_card
from bot.welcome import claim_welcome, release_welcome
from cards.actions import SELF_SERVICE_SUBMIT
from sharedcalling import correlation
from sharedcalling.correlation import log_safe
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import NotPermitted, UnknownPerson
from sharedcalling.services import Services
from sharedcalling.services.ports import StateConflict, TenantError

logger = logging.getLogger(__name__)

CORRELATION_KEY = "sharedcalling.correlation_id"
MAX_MESSAGE_TEXT = 2000
"""Characters of a message the bot reads; longer ones are answered without being parsed."""
TOO_LONG_TEXT = (
    f"That message is too long for me (at most {MAX_MESSAGE_TEXT:,} characters). "
    "Please ask a shorter question."
)
TURN_WAIT_BUDGET_SECONDS = 5.0
"""Retry waits a turn may spend on a throttled tenant; Teams gives an invoke about 15 s."""
MAX_MEMBER_LOOKUPS = 25
"""Members of one conversationUpdate looked up at the connector; the rest go as they came."""


@dataclass(frozen=True, slots=True)
class _Refusal:
    """Why the asker cannot be served now, and what to tell them."""

    reply: Reply
    unidentified: bool


class ChatOpsBot(TeamsActivityHandler):
    """Refuses other tenants, resolves the asker, routes commands and card actions by table."""

    def __init__(
        self,
        services: Services,
        conversation_state: BotState,
        conversations: ConversationMemory,
        setup: SetupConversations,
    ) -> None:
        self._services = services
        self._conversation_state = conversation_state
        self._conversations = conversations
        self._setup = setup

    async def on_turn(self, turn_context: TurnContext) -> None:
        # Not reset afterwards: aiohttp runs each request in its own task (its own context), and
        # the adapter calls on_turn_error after this method has returned.
        correlation.begin_turn(turn_context.activity.id)
        correlation.begin_wait_budget(TURN_WAIT_BUDGET_SECONDS)
        turn_context.turn_state[CORRELATION_KEY] = correlation.current()
        if not identity.is_own_tenant(turn_context.activity, self._services.tenant_id):
            await self._refuse_foreign_tenant(turn_context)
            return
        # Before the turn runs: an approver who only ever installed the app is reachable.
        await self._conversations.remember(self._services.tenant_id, turn_context.activity)
        await super().on_turn(turn_context)
        try:
            await self._conversation_state.save_changes(turn_context)
        except StateConflict:
            # Another turn of this conversation saved first (a click Teams delivered twice):
            # its state stands, and clearing it as a turn error would lose the set-up.
            logger.info("Conversation state was saved by a simultaneous turn; kept that one")

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        asker = await self._identify(turn_context)
        if isinstance(asker, _Refusal):
            await turn_context.send_activity(to_activity(asker.reply))
            return
        await turn_context.send_activity(to_activity(await self._answer(turn_context, asker)))

    async def _answer(self, turn_context: TurnContext, principal: Principal) -> Reply:
        activity = turn_context.activity
        submitted = activity.value if isinstance(activity.value, Mapping) else None
        action_id = routing.action_id_of(submitted) if submitted is not None else None
        if submitted is not None and action_id is not None:
            # Action.Submit arrives as a message whose value carries the action id.
            if action_id in routing.DIALOG_ACTIONS:
                return await self._setup.run(turn_context, principal, action_id, submitted)
            return await routing.run_action(self._services, principal, action_id, submitted)
        if len(activity.text or "") > MAX_MESSAGE_TEXT:
            return Reply(TOO_LONG_TEXT)
        command = parse_command(text_without_bot_mention(activity))
        if isinstance(command, StartSetup):
            return await self._setup.run(turn_context, principal)
        mention = _mention_name(activity)
        if mention is not None and isinstance(command, Help | Unknown):
            command = replace(command, mention=mention)
        return await routing.run_command(self._services, principal, command)

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        # botbuilder leaves `action` a plain dict (botbuilder 4.17 leaves it untyped); bot.inbound
        # already refused an invoke whose value.action is not an object.
        action: Mapping[str, Any] = invoke_value.action or {}
        verb = action.get("verb")
        raw_data = action.get("data")
        data: Mapping[str, Any] = raw_data if isinstance(raw_data, Mapping) else {}
        asker = await self._identify(turn_context)
        if isinstance(asker, _Refusal):
            if asker.unidentified:
                return invoke_error(HTTPStatus.FORBIDDEN, "Forbidden", asker.reply.text)
            return to_invoke_response(asker.reply)
        if isinstance(verb, str) and verb in routing.DIALOG_ACTIONS:
            return to_invoke_response(await self._setup.run(turn_context, asker, verb, data))
        if verb == SELF_SERVICE_SUBMIT:
            # The clicked card becomes the requester's copy of the request card it files.
            reply = await routing.run_action(
                self._services, asker, verb, data, card=clicked_card(turn_context)
            )
            return to_invoke_response(reply)
        if not isinstance(verb, str) or routing.handler_for(verb) is None:
            await routing.note_unknown_action(self._services, asker, verb, data)
            return invoke_error(HTTPStatus.BAD_REQUEST, "NotSupported", "Unknown card action.")
        return to_invoke_response(await routing.run_action(self._services, asker, verb, data))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        # botbuilder 4.17 has no handler for the typeahead's `application/search` invoke. Only
        # it and adaptiveCard/action get here: bot.inbound answers other names with 501.
        if turn_context.activity.name == SEARCH_INVOKE:
            return self._create_invoke_response(await self._search(turn_context))
        return await super().on_invoke_activity(turn_context)

    async def _search(self, turn_context: TurnContext) -> dict[str, Any]:
        asker = await self._identify(turn_context)
        if isinstance(asker, _Refusal):
            return search_error(HTTPStatus.FORBIDDEN, "Forbidden", asker.reply.text)
        return await answer_search(self._services, asker, turn_context.activity.value)

    @staticmethod
    def _create_invoke_response(body: object = None) -> InvokeResponse:
        # botbuilder serializes the body with msrest here (slow, and the cause of the double
        # serialization in bot/compat.py); the adapter writes models to JSON with bot.wire.
        return InvokeResponse(status=int(HTTPStatus.OK), body=body)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        # Teams announces an install twice, as installationUpdate and as conversationUpdate, often
        # at the same moment; installationUpdate alone welcomes.
        return None

    async def on_teams_members_added_dispatch(
        self, members_added: list[ChannelAccount], team_info: TeamInfo, turn_context: TurnContext
    ) -> None:
        """botbuilder looks up every added member at the connector, one request each; a team of
        5,000 would mean 5,000 requests in one turn. Only the first few are looked up."""
        if len(members_added) <= MAX_MEMBER_LOOKUPS:
            return await super().on_teams_members_added_dispatch(
                members_added, team_info, turn_context
            )
        logger.info("conversationUpdate adds %d members; not looking them up", len(members_added))
        accounts = [
            TeamsChannelAccount(id=m.id, name=m.name, aad_object_id=m.aad_object_id, role=m.role)
            for m in members_added
        ]
        return await self.on_teams_members_added(accounts, team_info, turn_context)

    async def _welcome(self, turn_context: TurnContext) -> None:
        """One welcome per conversation, claimed in the database before it is sent, so that
        simultaneous installs (and replicas) cannot each send one."""
        activity = turn_context.activity
        if not await claim_welcome(self._services.bot_state, activity):
            return
        try:
            asker = await self._identify(turn_context)
            if isinstance(asker, _Refusal):
                # Told why instead of welcomed: a later install may welcome them.
                await release_welcome(self._services.bot_state, activity)
                await turn_context.send_activity(to_activity(asker.reply))
                return
            welcome = routing.welcome(asker, _mention_name(activity))
            await turn_context.send_activity(to_activity(welcome))
        except Exception:
            # Not sent: let a later install try again.
            await release_welcome(self._services.bot_state, activity)
            raise

    async def _identify(self, turn_context: TurnContext) -> Principal | _Refusal:
        """The asker, from the tenant's directory; else what to tell them and why."""
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
            return _Refusal(Reply(str(refused)), unidentified=True)
        except TenantError as failure:
            return _Refusal(tenant_trouble(failure), unidentified=False)

    async def _refuse_foreign_tenant(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        logger.warning(
            "Refused %s from tenant %s",
            log_safe(activity.type),
            log_safe(identity.tenant_of(activity)),
        )
        if activity.type == ActivityTypes.invoke:
            await routing.note_foreign_action(self._services, activity)
            body = invoke_error(HTTPStatus.FORBIDDEN, "Forbidden", identity.FOREIGN_TENANT_TEXT)
            await turn_context.send_activity(
                Activity(
                    type=ActivityTypes.invoke_response,
                    value=InvokeResponse(status=int(HTTPStatus.OK), body=body),
                )
            )
        elif activity.type in (ActivityTypes.message, ActivityTypes.installation_update):
            await turn_context.send_activity(identity.FOREIGN_TENANT_TEXT)


def _mention_name(activity: Activity) -> str | None:
    """The bot's name as people @mention it, in a group chat or channel; None in a personal
    chat (where every message reaches the bot)."""
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    if kind in (None, "personal"):
        return None
    recipient = activity.recipient
    name = getattr(recipient, "name", None) if recipient else None
    if not isinstance(name, str) or not name.strip():
        return "Shared Calling"
    return escape_markdown(name.strip()[:64])
