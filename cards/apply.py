"""Apply cards: live progress while a request is applied, and the final report."""

from __future__ import annotations

from typing import Any

from cards.actions import APPLY_RETRY, APPLY_REVERT, REQUEST_ID
from cards.apply_views import ApplyCardView
from cards.elements import card, container, execute, fact_set, text_block


def apply_progress_card(view: ApplyCardView) -> dict[str, Any]:
    """x of N done, failures so far; replaces the request's cards in place while it runs."""
    body = [
        text_block(view.title, weight="Bolder", size="Medium"),
        text_block(view.headline, weight="Bolder", size="Large", color=view.color),
        fact_set(view.facts),
    ]
    if view.note:
        body.append(container(text_block(view.note), style="warning"))
    if view.attention:
        body.append(_attention(view))
    return card(*body)


def apply_report_card(view: ApplyCardView) -> dict[str, Any]:
    """What happened per person, what needs attention, and the buttons to act on it."""
    body = [
        text_block(view.title, weight="Bolder", size="Medium"),
        text_block(view.headline, weight="Bolder", color=view.color),
        fact_set(view.facts),
    ]
    if view.people:
        lines = (text_block(line, spacing="Small") for line in view.people)
        body.append(container(text_block("Per person", weight="Bolder"), *lines, separator=True))
    if view.attention:
        body.append(_attention(view))
    if view.not_told:
        told = [text_block(line, spacing="Small") for line in view.not_told]
        if view.not_told_more:
            told.append(text_block(view.not_told_more, subtle=True))
        title = text_block("Not told their new caller ID", weight="Bolder")
        body.append(container(title, *told, style="warning"))
    if view.note:
        body.append(text_block(view.note, subtle=True))
    actions = []
    if view.can_retry:
        actions.append(execute("Retry failed", APPLY_RETRY, **{REQUEST_ID: view.request_id}))
    if view.can_revert:
        actions.append(execute("Revert", APPLY_REVERT, **{REQUEST_ID: view.request_id}))
    return card(*body, actions=actions)


def _attention(view: ApplyCardView) -> dict[str, Any]:
    lines = [text_block(line, spacing="Small") for line in view.attention]
    if view.more:
        lines.append(text_block(view.more, subtle=True))
    return container(text_block("Needs attention", weight="Bolder"), *lines, style="attention")
