"""The hazard watch's presenter at the Teams edge: announcements as Adaptive Cards."""

from __future__ import annotations

from collections.abc import Sequence

from cards.hazard_views import hazard_view, notice_view
from cards.hazards import hazard_card, hazard_summary_card
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.services.hazards.presenter import (
    HazardNotice,
    HazardPresenter,
    TextHazardPresenter,
)
from sharedcalling.services.notifier import OutboundMessage


class CardHazardPresenter(HazardPresenter):
    """The plain-text presenter's one-line texts, each with its card."""

    def __init__(self) -> None:
        self._text = TextHazardPresenter()

    def announcement(self, notice: HazardNotice) -> OutboundMessage:
        return OutboundMessage(
            self._text.announcement(notice).text, hazard_card(notice_view(notice))
        )

    def summary(self, notices: Sequence[HazardNotice]) -> OutboundMessage:
        views = [notice_view(n) for n in notices]
        return OutboundMessage(self._text.summary(notices).text, hazard_summary_card(views))

    def resolved(self, hazard: Hazard) -> OutboundMessage:
        return OutboundMessage(self._text.resolved(hazard).text, hazard_card(hazard_view(hazard)))
