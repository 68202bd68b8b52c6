"""CardPresenter: apply progress and reports as Adaptive Cards, bound into Services by the edge."""

from __future__ import annotations

from dataclasses import replace

from cards.apply import apply_progress_card, apply_report_card
from cards.apply_views import apply_card_view
from cards.callerid import caller_id_card
from cards.views import caller_id_view
from sharedcalling.services.apply.progress import ApplyPresenter, changed_text
from sharedcalling.services.apply.views import ApplyView, summary_line
from sharedcalling.services.callerid import Answered
from sharedcalling.services.notifier import OutboundMessage


class CardPresenter(ApplyPresenter):
    def progress(self, view: ApplyView) -> OutboundMessage:
        return OutboundMessage(summary_line(view), apply_progress_card(apply_card_view(view)))

    def report(self, view: ApplyView) -> OutboundMessage:
        return OutboundMessage(summary_line(view), apply_report_card(apply_card_view(view)))

    def caller_id_changed(self, request_id: str, answered: Answered) -> OutboundMessage:
        """The card of "which number do I call out as?", titled with the person's name."""
        name = answered.subject.display_name
        view = replace(caller_id_view(answered), title=f"{name}, your caller ID changed")
        return OutboundMessage(changed_text(request_id, answered), caller_id_card(view))
