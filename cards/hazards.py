"""Hazard cards: one hazard (announced, resolved, or after "Plan a fix"), and the paged list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards.actions import HAZARD_ID, HAZARD_PAGE, HAZARD_PLAN_FIX, PAGE
from cards.elements import Element, action_set, card, container, execute, fact_set, text_block
from cards.hazard_views import HazardListView, HazardView

FIX_TITLE = "Plan a fix"


def _fix(view: HazardView) -> Element:
    return execute(FIX_TITLE, HAZARD_PLAN_FIX, **{HAZARD_ID: view.hazard_id})


def _header(view: HazardView, size: str) -> Element:
    return container(
        text_block(view.title, weight="Bolder", size=size),
        text_block(view.subtitle, subtle=True, spacing="None"),
        style=view.style,
    )


def _details(view: HazardView) -> list[Element]:
    body = [text_block(view.message), fact_set(view.facts)]
    if view.changes:
        body.append(text_block("What changed since the previous check", weight="Bolder"))
        body.append(fact_set(view.changes))
    if view.note:
        body.append(text_block(view.note, color=view.note_color, weight="Bolder"))
    return body


def hazard_card(view: HazardView) -> dict[str, Any]:
    """One hazard: what was set up, what is there now, since when, whom it affects."""
    actions = [_fix(view)] if view.can_fix else []
    actions.append(execute("All open hazards", HAZARD_PAGE, **{PAGE: 0}))
    return card(_header(view, "Medium"), *_details(view), actions=actions)


def hazard_summary_card(views: Sequence[HazardView]) -> dict[str, Any]:
    """Hazards beyond the per-check card limit, one line each."""
    lines = [text_block(f"{v.title}: {v.subtitle}") for v in views[:30]]
    more = len(views) - len(lines)
    if more > 0:
        lines.append(text_block(f"and {more:,} more", subtle=True))
    return card(
        text_block(f"{len(views):,} more new hazards", weight="Bolder", size="Medium"),
        *lines,
        actions=[execute("All open hazards", HAZARD_PAGE, **{PAGE: 0})],
    )


def hazards_card(view: HazardListView) -> dict[str, Any]:
    """Open hazards, severity first, a page at a time, each with its own "Plan a fix"."""
    body: list[Element] = [
        text_block(view.title, weight="Bolder", size="Medium"),
        text_block(view.status, subtle=True, spacing="None"),
    ]
    if not view.hazards:
        body.append(text_block("Nothing is open: everything checked is as it was set up."))
    for item in view.hazards:
        parts = [_header(item, "Default"), text_block(item.message), fact_set(item.facts[:5])]
        if item.can_fix:
            parts.append(action_set(_fix(item)))
        body.append(container(*parts, separator=True))
    return card(*body, actions=_paging(view))


def _paging(view: HazardListView) -> list[Element]:
    if view.pages <= 1:
        return []
    actions = []
    if view.page > 0:
        actions.append(execute("Previous", HAZARD_PAGE, **{PAGE: view.page - 1}))
    if view.page < view.pages - 1:
        actions.append(
            execute(f"Next ({view.page + 2} of {view.pages})", HAZARD_PAGE, **{PAGE: view.page + 1})
        )
    return actions
