"""TeamsNotifier: the Notifier port over proactive messages, and conversation reference capture.

Proactive messages need a conversation reference the bot saw in an earlier turn. Every turn from
our tenant refreshes the reference of its conversation (at most once per `REMEMBER_EVERY` per
process), so an approver who ever talked to the bot, or installed it, can be reached.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from botbuilder.core import CloudAdapterBase, TurnContext
from botbuilder.schema import Activity, ConversationReference

from bot import wire
from bot.connector_http import ConnectorError
from bot.replies import Reply, to_activity
from sharedcalling.correlation import log_safe
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.services.notifier import (
    Delivery,
    Notifier,
    OutboundMessage,
    Unreachable,
)
from sharedcalling.services.ports import Clock
from sharedcalling.services.unit_of_work import ConversationRef, UnitOfWorkFactory

logger = logging.getLogger(__name__)

REMEMBER_EVERY = 3600.0
"""Seconds between two writes of the same conversation's reference by one process."""
MAX_REMEMBERED = 10_000
GONE_STATUSES = frozenset({403, 404})
"""The connector's answer when the bot was removed or the conversation no longer exists."""


def _reply_of(message: OutboundMessage) -> Reply:
    return Reply(message.text, dict(message.card) if message.card is not None else None)


class TeamsNotifier(Notifier):
    def __init__(self, adapter: CloudAdapterBase, app_id: str, uow: UnitOfWorkFactory) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._uow = uow

    async def send_to_user(
        self, tenant_id: TenantId, user_id: UserId, message: OutboundMessage
    ) -> Delivery:
        async with self._uow() as work:
            ref = await work.conversations.personal(tenant_id, user_id)
        if ref is None:
            raise Unreachable(
                f"No personal chat with {user_id}: the app is not installed for them."
            )
        return await self.send_to_conversation(ref, message)

    async def send_to_conversation(
        self, ref: ConversationRef, message: OutboundMessage
    ) -> Delivery:
        activity = to_activity(_reply_of(message))
        sent: list[str] = []

        async def send(turn_context: TurnContext) -> None:
            # Not turn_context.send_activity: it would make the message a reply to the made-up
            # id of the continuation activity. A proactive message starts a new one.
            reference = TurnContext.get_conversation_reference(turn_context.activity)
            TurnContext.apply_conversation_reference(activity, reference)
            activity.reply_to_id = None
            connector = turn_context.turn_state[self._adapter.BOT_CONNECTOR_CLIENT_KEY]
            response = await connector.conversations.send_to_conversation(
                activity.conversation.id, activity
            )
            sent.append(response.id if response is not None and response.id else "")

        await self._proactive(ref, send)
        return Delivery(ref.conversation_id, sent[0] if sent else "")

    async def update(
        self, tenant_id: TenantId, delivery: Delivery, message: OutboundMessage
    ) -> None:
        async with self._uow() as work:
            ref = await work.conversations.get(tenant_id, delivery.conversation_id)
        if ref is None:
            raise Unreachable(f"Conversation {delivery.conversation_id} is not known.")
        activity = to_activity(_reply_of(message))
        if activity.attachments:
            # An update replaces one message, and text beside a card makes two of it: Teams and
            # the Playground refuse it ("Activity resulted into multiple skype activities").
            activity.summary, activity.text = activity.text or None, None
        activity.id = delivery.activity_id

        async def replace(turn_context: TurnContext) -> None:
            activity.conversation = turn_context.activity.conversation
            await turn_context.update_activity(activity)

        await self._proactive(ref, replace)

    async def _proactive(
        self, ref: ConversationRef, logic: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        reference = wire.from_json(ConversationReference, dict(ref.reference), "reference")
        failures: list[BaseException] = []

        async def guarded(turn_context: TurnContext) -> None:
            # The adapter hands a failed turn to on_turn_error, which would post an apology into
            # the same conversation and swallow the error; the caller must see it instead.
            try:
                await logic(turn_context)
            except Exception as error:  # re-raised below, outside the adapter's pipeline
                failures.append(error)

        await self._adapter.continue_conversation(reference, guarded, self._app_id)
        if failures:
            error = failures[0]
            if isinstance(error, ConnectorError) and error.status in GONE_STATUSES:
                raise Unreachable(
                    f"Conversation {log_safe(ref.conversation_id, 80)} is gone ({error.status})."
                ) from error
            raise error


def reference_of(activity: Activity) -> dict[str, Any]:
    """The conversation reference of an inbound activity, without the activity id, so that a
    proactive message starts a new message instead of replying to an old one."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    return wire.to_json(reference)


class ConversationMemory:
    """Writes each conversation's reference when first seen, then at most hourly per process."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._monotonic = monotonic
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    async def remember(self, tenant_id: TenantId, activity: Activity) -> None:
        conversation = activity.conversation
        if conversation is None or not conversation.id or not activity.service_url:
            return
        kind = conversation.conversation_type or "personal"
        user_id = _aad_object_id(activity) if kind == "personal" else None
        key = (conversation.id, user_id or "")
        now = self._monotonic()
        last = self._seen.get(key)
        if last is not None and now - last < REMEMBER_EVERY:
            return
        ref = ConversationRef(
            tenant_id=tenant_id,
            conversation_id=conversation.id,
            conversation_type=kind,
            user_id=UserId(fold(user_id)) if user_id else None,
            reference=reference_of(activity),
            updated_at=self._clock.now(),
        )
        async with self._uow() as work:
            await work.conversations.remember(ref)
            channel = _channel_root(ref)
            if channel is not None:
                await work.conversations.remember(channel)
            await work.commit()
        self._seen[key] = now
        self._seen.move_to_end(key)
        if len(self._seen) > MAX_REMEMBERED:
            self._seen.popitem(last=False)


def _channel_root(ref: ConversationRef) -> ConversationRef | None:
    """A channel thread (`19:...;messageid=...`) also gives the channel itself: posting there
    starts a new thread, which is how the approvals channel gets its cards."""
    root, marker, _ = ref.conversation_id.partition(";messageid=")
    if ref.conversation_type != "channel" or not marker:
        return None
    reference = dict(ref.reference)
    reference["conversation"] = {**dict(reference.get("conversation") or {}), "id": root}
    return replace(ref, conversation_id=root, reference=reference)


def _aad_object_id(activity: Activity) -> str | None:
    sender = activity.from_property
    value = getattr(sender, "aad_object_id", None) if sender is not None else None
    return value if isinstance(value, str) and value else None
