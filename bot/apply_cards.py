"""CardPresenter: apply progress and reports as Adaptive Cards, bound into Services by the edge."""

from __future__ import annotations

from cards.apply import apply_progress_card, apply_report_card
from cards.apply_views import apply_card_view
from sharedcalling.services.apply.progress import ApplyPresenter
from sharedcalling.services.apply.views import ApplyView, summary_line
from sharedcalling.services.notifier import OutboundMessage


class CardPresenter(ApplyPresenter):
    def progress(self, view: ApplyView) -> OutboundMessage:
        return OutboundMessage(summary_line(view), apply_progress_card(apply_card_view(view)))

    def report(self, view: ApplyView) -> OutboundMessage:
        return OutboundMessage(summary_line(view), apply_report_card(apply_card_view(view)))
