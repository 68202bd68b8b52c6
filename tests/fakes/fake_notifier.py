"""FakeNotifier: the Notifier port in memory; records sends and updates, knows some chats."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.services.notifier import Delivery, Notifier, OutboundMessage, Unreachable
from sharedcalling.services.unit_of_work import ConversationRef


@dataclass
class Sent:
    to: str
    """A user id (personal chat) or a conversation id."""
    message: OutboundMessage
    delivery: Delivery


@dataclass
class FakeNotifier(Notifier):
    reachable: Collection[str] | None = None
    """Users with a personal chat; None: everyone."""
    sent: list[Sent] = field(default_factory=list)
    updates: list[tuple[Delivery, OutboundMessage]] = field(default_factory=list)
    gives_ids: bool = True
    """False: sends succeed with an empty activity id, as the Agents Playground answers."""

    def _activity_id(self) -> str:
        return f"activity-{len(self.sent) + 1}" if self.gives_ids else ""

    async def send_to_user(
        self, tenant_id: TenantId, user_id: UserId, message: OutboundMessage
    ) -> Delivery:
        if self.reachable is not None and fold(user_id) not in {fold(u) for u in self.reachable}:
            raise Unreachable(f"no chat with {user_id}")
        delivery = Delivery(f"a:chat-{fold(user_id)}", self._activity_id())
        self.sent.append(Sent(fold(user_id), message, delivery))
        return delivery

    async def send_to_conversation(
        self, ref: ConversationRef, message: OutboundMessage
    ) -> Delivery:
        delivery = Delivery(ref.conversation_id, self._activity_id())
        self.sent.append(Sent(ref.conversation_id, message, delivery))
        return delivery

    async def update(
        self, tenant_id: TenantId, delivery: Delivery, message: OutboundMessage
    ) -> None:
        self.updates.append((delivery, message))

    def texts_to(self, user_id: str) -> list[str]:
        return [s.message.text for s in self.sent if s.to == fold(user_id)]
