"""The Notifier port: send a card to a person or a conversation outside a turn, update it later.

Use cases decide what to say (a card dict from `cards/`, a one-line text); the Teams edge
(`bot/notifications.py`) knows how: conversation references, proactive messages, update activity.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.services.unit_of_work import ConversationRef


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A one-line Markdown text, optionally with one Adaptive Card."""

    text: str
    card: Mapping[str, Any] | None = field(default=None)


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where a message landed: enough to update it in place later."""

    conversation_id: str
    activity_id: str


class Unreachable(Exception):
    """The bot has no way to reach that person or conversation (never installed, removed)."""


class Notifier(abc.ABC):
    @abc.abstractmethod
    async def send_to_user(
        self, tenant_id: TenantId, user_id: UserId, message: OutboundMessage
    ) -> Delivery:
        """Post to the person's personal chat with the bot; Unreachable when there is none."""

    @abc.abstractmethod
    async def send_to_conversation(
        self, ref: ConversationRef, message: OutboundMessage
    ) -> Delivery:
        """Post to a known conversation (a channel, a group chat, a personal chat)."""

    @abc.abstractmethod
    async def update(
        self, tenant_id: TenantId, delivery: Delivery, message: OutboundMessage
    ) -> None:
        """Replace a message the bot sent; Unreachable when the conversation is gone."""


class DeferredNotifier(Notifier):
    """The Notifier that Services hold: the Teams edge binds the real one once it is up.

    Services are built before the edge (the edge needs them), so the bundle holds this stand-in;
    without an edge (the command line) every send is Unreachable.
    """

    def __init__(self) -> None:
        self._target: Notifier | None = None

    def bind(self, target: Notifier) -> None:
        self._target = target

    def _bound(self) -> Notifier:
        if self._target is None:
            raise Unreachable("No Teams edge is running in this process.")
        return self._target

    async def send_to_user(
        self, tenant_id: TenantId, user_id: UserId, message: OutboundMessage
    ) -> Delivery:
        return await self._bound().send_to_user(tenant_id, user_id, message)

    async def send_to_conversation(
        self, ref: ConversationRef, message: OutboundMessage
    ) -> Delivery:
        return await self._bound().send_to_conversation(ref, message)

    async def update(
        self, tenant_id: TenantId, delivery: Delivery, message: OutboundMessage
    ) -> None:
        await self._bound().update(tenant_id, delivery, message)
