"""Announcing hazards: one card per new hazard to every admin the bot can reach and the
configured channel, severity first, once per hazard (the notifications ledger) with a reminder
after a set time; and the affected people's own caller-ID warning for outbound-broken ones.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Collection, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sharedcalling.domain import names
from sharedcalling.domain.access import Role, roles_for
from sharedcalling.domain.callerid import caller_id_answer, one_line_text
from sharedcalling.domain.hazards import HazardClass, HazardState
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.tenant import TenantSnapshot
from sharedcalling.services.hazards.presenter import HazardNotice
from sharedcalling.services.notifier import Delivery, OutboundMessage, Unreachable
from sharedcalling.services.numbering import derived_countries
from sharedcalling.services.unit_of_work import ConversationRef

if TYPE_CHECKING:
    from sharedcalling.services.hazards.check import WatchPorts

logger = logging.getLogger(__name__)

NAMES_SHOWN = 10


def notification_key(hazard: Hazard) -> str:
    return f"hazard:{hazard.id}"


def _user_key(hazard: Hazard, user_id: str) -> str:
    return f"hazard:{hazard.id}:user:{names.fold(user_id)}"


def admin_recipients(
    snapshot: TenantSnapshot, reachable: Collection[UserId], admin_group_id: GroupId
) -> list[UserId]:
    """Admins the bot can reach: people with a personal chat who are direct members of the
    admin group or hold a Teams admin role as the tenant reports it (the same test as every
    turn's). An admin who never opened a chat with the bot cannot be reached by any means."""
    found = []
    for user_id in reachable:
        user = snapshot.user(user_id)
        if user is None or user.is_resource_account:
            continue
        if Role.ADMIN in roles_for(user, snapshot, admin_group_id, ""):
            found.append(UserId(user.id))
    return found


async def announce(
    ports: WatchPorts,
    open_hazards: Sequence[Hazard],
    snapshot: TenantSnapshot,
    reachable: Collection[UserId],
    affected: Mapping[str, Sequence[UserId]] | None = None,
) -> int:
    """Announce what is due; returns how many hazards reached at least one admin or channel."""
    due = sorted(
        (h for h in open_hazards if h.state is HazardState.DRIFTED),
        key=lambda h: (h.hazard_class.rank, h.first_seen, h.key),
    )
    notices = [n for h in due if (n := await _claim(ports, h, snapshot)) is not None]
    if not notices:
        return 0
    admins = admin_recipients(snapshot, reachable, ports.admin_group_id)
    _log_unreachable_admins(snapshot, reachable, ports.admin_group_id)
    limit = max(1, ports.watch.settings.max_cards)
    presenter = ports.watch.presenter
    reached = 0
    for notice in notices[:limit]:
        deliveries = await _send(ports, admins, presenter.announcement(notice))
        reached += await _settle(ports, notice.hazard, deliveries, told=bool(deliveries))
        everyone = (affected or {}).get(notice.hazard.key, notice.hazard.affected_user_ids)
        await _tell_affected(ports, notice, snapshot, reachable, everyone, told=bool(deliveries))
    rest = notices[limit:]
    if rest:
        deliveries = await _send(ports, admins, presenter.summary(rest))
        for notice in rest:
            # One summary card covers them: nothing per hazard to update later.
            reached += await _settle(ports, notice.hazard, [], told=bool(deliveries))
    return reached


def _log_unreachable_admins(
    snapshot: TenantSnapshot, reachable: Collection[UserId], admin_group_id: GroupId
) -> None:
    group = snapshot.group(admin_group_id)
    if group is None:
        return
    reach = {names.fold(u) for u in reachable}
    missing = sum(1 for m in group.member_ids if names.fold(m) not in reach)
    if missing:
        logger.info("%d admin group members never opened a chat with the bot", missing)


async def _claim(
    ports: WatchPorts, hazard: Hazard, snapshot: TenantSnapshot
) -> HazardNotice | None:
    remind = ports.watch.settings.remind_after
    async with ports.uow() as work:
        due = await work.notifications.claim(
            ports.tenant_id, notification_key(hazard), at=ports.clock.now(), remind_after=remind
        )
        await work.commit()
    if not due:
        return None
    shown = []
    for user_id in hazard.affected_user_ids[:NAMES_SHOWN]:
        user = snapshot.user(user_id)
        shown.append(user.display_name if user is not None else user_id)
    return HazardNotice(hazard, tuple(shown), reminder=hazard.announced_at is not None)


async def _send(
    ports: WatchPorts, admins: Sequence[UserId], message: OutboundMessage
) -> list[tuple[str, str]]:
    """Send to every admin and the channel; one failure does not stop the others."""
    delivered: list[tuple[str, str]] = []
    for admin in admins:
        delivery = await _one(ports.notifier.send_to_user(ports.tenant_id, admin, message), admin)
        if delivery is not None:
            delivered.append((delivery.conversation_id, delivery.activity_id))
    channel = ports.watch.settings.channel_id
    if channel:
        ref = await _channel(ports, channel)
        if ref is None:
            logger.warning("Hazard channel is not known to the bot (it was never added there)")
        else:
            sent = await _one(ports.notifier.send_to_conversation(ref, message), "channel")
            if sent is not None:
                delivered.append((sent.conversation_id, sent.activity_id))
    return delivered


async def _channel(ports: WatchPorts, channel: str) -> ConversationRef | None:
    """The channel's reference, aimed at the channel itself: a reference captured in a thread
    (`;messageid=`) would make every card a reply in that thread."""
    async with ports.uow() as work:
        ref = await work.hazards.channel_reference(ports.tenant_id, channel)
    if ref is None:
        return None
    reference = dict(ref.reference)
    reference["conversation"] = {**dict(reference.get("conversation") or {}), "id": channel}
    return replace(ref, conversation_id=channel, reference=reference)


async def _one(sending: Awaitable[Delivery], who: str) -> Delivery | None:
    try:
        return await sending
    except Unreachable as unreachable:
        logger.info("Hazard notice not delivered to %s: %s", who, unreachable)
        return None
    except Exception:  # a connector failure for one recipient must not stop the rest
        logger.exception("Hazard notice to %s failed", who)
        return None


async def _settle(
    ports: WatchPorts, hazard: Hazard, deliveries: list[tuple[str, str]], *, told: bool
) -> int:
    """Record where it landed; if nobody got it, give the claim back so the next check retries."""
    async with ports.uow() as work:
        if told:
            every = [*hazard.deliveries, *deliveries]
            await work.hazards.mark_announced(ports.tenant_id, hazard.id, ports.clock.now(), every)
        else:
            await work.notifications.forget(ports.tenant_id, notification_key(hazard))
        await work.commit()
    return 1 if told else 0


async def _tell_affected(
    ports: WatchPorts,
    notice: HazardNotice,
    snapshot: TenantSnapshot,
    reachable: Collection[UserId],
    affected: Sequence[UserId],
    *,
    told: bool,
) -> None:
    """People whose outside calls a new hazard breaks get their own caller-ID answer, from
    their configuration; "the admins have been told" only when an admin or channel got it."""
    hazard = notice.hazard
    if notice.reminder or hazard.hazard_class is not HazardClass.OUTBOUND_BROKEN:
        return
    if not ports.watch.settings.notify_users:
        return
    wanted = {names.fold(u) for u in affected}
    countries = derived_countries(snapshot)
    for user_id in reachable:  # usually far fewer than the people affected
        user = snapshot.user(user_id)
        if user is None or names.fold(user_id) not in wanted:
            continue
        answer = caller_id_answer(user, snapshot, number_countries=countries)
        text = one_line_text(answer, user.display_name, about_self=True)
        if told:
            text += f" The bot has told your Teams admins about it ({hazard.id})."
        await _tell(ports, hazard, UserId(user.id), text)


async def _tell(ports: WatchPorts, hazard: Hazard, user_id: UserId, text: str) -> None:
    key = _user_key(hazard, user_id)
    async with ports.uow() as work:
        due = await work.notifications.claim(
            ports.tenant_id, key, at=ports.clock.now(), remind_after=None
        )
        await work.commit()
    if not due:
        return
    sending = ports.notifier.send_to_user(ports.tenant_id, user_id, OutboundMessage(text))
    if await _one(sending, user_id) is None:
        async with ports.uow() as work:
            await work.notifications.forget(ports.tenant_id, key)
            await work.commit()


async def retire_cards(ports: WatchPorts, closed: Sequence[Hazard]) -> None:
    """Closed hazards: their cards say so, in place; people are not messaged again."""
    for hazard in closed:
        if not hazard.deliveries:
            continue
        message = ports.watch.presenter.resolved(hazard)
        for conversation_id, activity_id in hazard.deliveries:
            delivery = Delivery(conversation_id, activity_id)
            await _one(_update(ports, delivery, message), conversation_id)


async def _update(ports: WatchPorts, delivery: Delivery, message: OutboundMessage) -> Delivery:
    await ports.notifier.update(ports.tenant_id, delivery, message)
    return delivery
