"""Progress and reports on the request's cards, at a rate Teams accepts.

Every card the bot sent about a request (`card_copies`) is updated in place: a progress card
while the job runs, at most once per `interval` seconds per request (and, across requests, at
most UPDATES_PER_SECOND updates a second), then the final report. Teams allows a bot 7 messages a
second, 60 per 30 seconds and 1,800 per hour in one conversation, and 50 requests a second per
app and tenant; one update per copy every 5 s is 12 a minute, 720 an hour. When the job ends
the requester and every approver also get a new message (Teams notifies for those, not for
edits); a person without a copy that can be updated gets the report card itself, recorded as
a copy.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sharedcalling.domain.callerid import one_line_text
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.names import fold, same
from sharedcalling.domain.requests import ChangeRequest
from sharedcalling.services.apply.views import ApplyView, Phase, summary_line
from sharedcalling.services.callerid import Answered
from sharedcalling.services.notifier import Delivery, Notifier, OutboundMessage
from sharedcalling.services.numbering import display_number
from sharedcalling.services.ports import Clock
from sharedcalling.services.unit_of_work import CardCopy, UnitOfWorkFactory

logger = logging.getLogger(__name__)

UPDATES_PER_SECOND = 5.0
"""Across every request of a process: a tenth of Teams' 50 requests a second per app."""
PROGRESS, REPORT = "progress", "report"
COPIES_MAX_AGE = 30.0


class ApplyPresenter(abc.ABC):
    """Turns apply views into messages; the Teams edge binds one that renders cards."""

    @abc.abstractmethod
    def progress(self, view: ApplyView) -> OutboundMessage: ...

    @abc.abstractmethod
    def report(self, view: ApplyView) -> OutboundMessage: ...

    @abc.abstractmethod
    def caller_id_changed(self, request_id: str, answered: Answered) -> OutboundMessage:
        """A person's new caller-ID answer after `request_id` changed it (issue 15)."""


def changed_text(request_id: str, answered: Answered) -> str:
    """The message text beside the card: who, why now, and the answer in one sentence."""
    name = answered.subject.display_name
    line = one_line_text(answered.answer, name, about_self=True, number_format=display_number)
    return f"{name}, your outbound caller ID changed with request {request_id}. {line}"


class PlainPresenter(ApplyPresenter):
    """Text only: what the bot says before an edge bound its cards (and in tests)."""

    def progress(self, view: ApplyView) -> OutboundMessage:
        return OutboundMessage(summary_line(view))

    def report(self, view: ApplyView) -> OutboundMessage:
        return OutboundMessage(summary_line(view))

    def caller_id_changed(self, request_id: str, answered: Answered) -> OutboundMessage:
        return OutboundMessage(changed_text(request_id, answered))


class DeferredPresenter(ApplyPresenter):
    """The presenter Services hold; the edge binds the card presenter when it starts."""

    def __init__(self) -> None:
        self._target: ApplyPresenter = PlainPresenter()

    def bind(self, target: ApplyPresenter) -> None:
        self._target = target

    def progress(self, view: ApplyView) -> OutboundMessage:
        return self._target.progress(view)

    def report(self, view: ApplyView) -> OutboundMessage:
        return self._target.report(view)

    def caller_id_changed(self, request_id: str, answered: Answered) -> OutboundMessage:
        return self._target.caller_id_changed(request_id, answered)


@dataclass
class _Pace:
    """Spaces updates across requests."""

    rate: float
    monotonic: Callable[[], float]
    next_at: float = 0.0

    async def turn(self) -> None:
        now = self.monotonic()
        wait, self.next_at = self.next_at - now, max(now, self.next_at) + 1.0 / self.rate
        if wait > 0:
            await asyncio.sleep(wait)


class ProgressReporter:
    def __init__(
        self,
        notifier: Notifier,
        presenter: ApplyPresenter,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        interval: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._notifier, self._presenter, self._uow, self._clock = notifier, presenter, uow, clock
        self._interval, self._monotonic = interval, monotonic
        self._last: dict[str, float] = {}
        self._pace = _Pace(UPDATES_PER_SECOND, monotonic)
        self._known: dict[str, tuple[float, list[CardCopy]]] = {}

    def due(self, request_id: str) -> bool:
        """Whether a progress update of this request may go out now."""
        last = self._last.get(request_id)
        return last is None or self._monotonic() - last >= self._interval

    async def progress(self, request: ChangeRequest, view: ApplyView) -> None:
        """Update every copy of the request's cards with its progress (call when `due`)."""
        self._last[request.id] = self._monotonic()
        await self._update_copies(request.tenant_id, request.id, self._presenter.progress(view))

    async def started(self, request: ChangeRequest, view: ApplyView) -> None:
        """Give the requester a card to follow when no copy reaches them yet."""
        copies = await self._copies(request.id, fresh=True)
        if not _follows_in_place(copies, request.requester_id):
            await self._send(
                request, request.requester_id, self._presenter.progress(view), PROGRESS
            )
        await self.progress(request, view)

    async def interim(self, request: ChangeRequest, view: ApplyView) -> None:
        """The report on every copy, with no message to anyone: shown while the people changed
        are being told, which takes long for many (the final report follows)."""
        await self._update_copies(request.tenant_id, request.id, self._presenter.report(view))

    async def report(self, request: ChangeRequest, view: ApplyView) -> None:
        """The final report on every copy, and a new message for the requester and approvers."""
        message = self._presenter.report(view)
        copies = await self._update_copies(request.tenant_id, request.id, message, fresh=True)
        people = [request.requester_id, *(d.actor_id for d in request.decisions if d.approve)]
        for person in dict.fromkeys(fold(p) for p in people):
            if _follows_in_place(copies, person):
                await self._send_text(request.tenant_id, UserId(person), summary_line(view))
            else:
                await self._send(request, UserId(person), message, REPORT)
        self._last.pop(request.id, None)
        self._known.pop(request.id, None)

    def caller_id_changed(self, request_id: str, answered: Answered) -> OutboundMessage:
        return self._presenter.caller_id_changed(request_id, answered)

    async def send_to_person(
        self, tenant_id: TenantId, user_id: UserId, message: OutboundMessage
    ) -> Delivery:
        """One personal message; raises what the notifier raises (Unreachable, ...)."""
        return await self._notifier.send_to_user(tenant_id, user_id, message)

    async def _copies(self, request_id: str, *, fresh: bool = False) -> list[CardCopy]:
        """The request's card copies, read at most every COPIES_MAX_AGE seconds while it runs
        (a copy sent meanwhile is picked up by the next read, and by the final report)."""
        known = self._known.get(request_id)
        if not fresh and known is not None and self._monotonic() - known[0] < COPIES_MAX_AGE:
            return known[1]
        async with self._uow() as work:
            copies = await work.card_copies.of_request(RequestId(request_id))
        self._known[request_id] = (self._monotonic(), copies)
        return copies

    async def _update_copies(
        self, tenant_id: TenantId, request_id: str, message: OutboundMessage, *, fresh: bool = False
    ) -> list[CardCopy]:
        copies = await self._copies(request_id, fresh=fresh)
        for copy in copies:
            if not copy.updatable:
                continue
            await self._pace.turn()
            try:
                delivery = Delivery(copy.conversation_id, copy.activity_id)
                await self._notifier.update(tenant_id, delivery, message)
            except Exception as error:  # a card that cannot be updated must not stop the apply
                logger.info("Card of %s not updated: %s", request_id, type(error).__name__)
        return copies

    async def _send(
        self, request: ChangeRequest, person: UserId, message: OutboundMessage, purpose: str
    ) -> None:
        try:
            delivery = await self._notifier.send_to_user(request.tenant_id, person, message)
        except Exception as error:  # unreachable people are told nothing; the apply goes on
            logger.info("Could not reach %s about %s: %s", person, request.id, type(error).__name__)
            return
        copy = CardCopy(
            request.id,
            delivery.conversation_id,
            delivery.activity_id,
            purpose,
            person,
            self._clock.now(),
        )
        async with self._uow() as work:
            await work.card_copies.add(copy)
            await work.commit()
        self._known.pop(request.id, None)  # the next update reaches the new copy too

    async def _send_text(self, tenant_id: TenantId, person: UserId, text: str) -> None:
        try:
            await self._notifier.send_to_user(tenant_id, person, OutboundMessage(text))
        except Exception as error:  # as above: a notification is never worth failing an apply
            logger.info("Could not notify %s: %s", person, type(error).__name__)


def _follows_in_place(copies: list[CardCopy], person: str) -> bool:
    """Whether `person` holds a copy of the request's card that updates in place."""
    return any(c.updatable and same(c.recipient_id, person) for c in copies)


__all__ = ["ApplyPresenter", "DeferredPresenter", "Phase", "PlainPresenter", "ProgressReporter"]
