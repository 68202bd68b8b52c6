"""The admin overview card ("shared calling status"): one block per policy, paged, with a CSV
download; its display-ready view and the mapper from the use case's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cards.actions import PAGE, STATUS_EXPORT, STATUS_PAGE
from cards.elements import (
    Element,
    action_set,
    card,
    container,
    execute,
    fact_set,
    open_url,
    text_block,
)
from cards.text import phone
from sharedcalling.services.overview import PolicyStatus, StatusPage

MAX_IDS = 5
"""Request ids named per policy; more are counted."""


@dataclass(frozen=True, slots=True)
class PolicyBlock:
    name: str
    facts: tuple[tuple[str, str], ...]
    attention: bool
    """Open hazards: the block is marked."""


@dataclass(frozen=True, slots=True)
class StatusView:
    title: str
    summary: str
    policies: tuple[PolicyBlock, ...]
    page: int
    pages: int
    download_url: str | None = None
    download_note: str = ""


def _people(p: PolicyStatus) -> str:
    if p.by_default:
        return f"{p.users:,} (everyone without another assignment)"
    return f"{p.users:,} ({p.direct:,} direct, {p.via_group:,} through a group)"


def _ids(ids: tuple[str, ...]) -> str:
    if not ids:
        return "none"
    shown = ", ".join(ids[:MAX_IDS])
    more = f" and {len(ids) - MAX_IDS:,} more" if len(ids) > MAX_IDS else ""
    return f"{len(ids):,}: {shown}{more}"


def _hazards(p: PolicyStatus) -> str:
    if not p.hazards:
        return "none"
    return f"{p.hazards:,} ({', '.join(dict.fromkeys(p.hazard_codes))})"


def policy_block(p: PolicyStatus) -> PolicyBlock:
    number = phone(p.number) if p.number else "no number"
    return PolicyBlock(
        name=p.name,
        facts=(
            ("Resource account", f"{p.resource_account} ({number})"),
            ("People", _people(p)),
            ("Open requests", _ids(p.open_requests)),
            ("Open hazards", _hazards(p)),
        ),
        attention=p.hazards > 0,
    )


def status_view(
    page: StatusPage, *, download_url: str | None = None, download_note: str = ""
) -> StatusView:
    overview = page.overview
    totals = overview.totals
    count = len(overview.policies)
    summary = (
        f"{count:,} Shared Calling {'policy' if count == 1 else 'policies'} in use, "
        f"{totals.get('users', 0):,} of {overview.people:,} people on them, "
        f"{totals.get('open_requests', 0):,} open requests, "
        f"{totals.get('open_hazards', 0):,} open hazards."
    )
    return StatusView(
        title="Shared Calling status",
        summary=summary,
        policies=tuple(policy_block(p) for p in page.policies),
        page=page.page,
        pages=page.pages,
        download_url=download_url,
        download_note=download_note,
    )


def status_card(view: StatusView) -> dict[str, Any]:
    body: list[Element] = [
        text_block(view.title, weight="Bolder", size="Medium"),
        text_block(view.summary),
    ]
    if not view.policies:
        body.append(text_block("No Shared Calling policy is set up yet.", subtle=True))
    for block in view.policies:
        title = text_block(block.name, weight="Bolder")
        style = "attention" if block.attention else None
        body.append(container(title, fact_set(block.facts), style=style, separator=True))
    if view.pages > 1:
        body.append(text_block(f"Page {view.page + 1} of {view.pages}", subtle=True))
    if view.download_url:
        body.append(text_block(view.download_note, size="Small"))
        body.append(action_set(open_url("Download shared-calling-status.csv", view.download_url)))
    return card(*body, actions=_actions(view))


def _actions(view: StatusView) -> list[Element]:
    actions = []
    if view.page > 0:
        actions.append(execute("Previous", STATUS_PAGE, **{PAGE: view.page - 1}))
    if view.page < view.pages - 1:
        title = f"Next ({view.page + 2} of {view.pages})"
        actions.append(execute(title, STATUS_PAGE, **{PAGE: view.page + 1}))
    actions.append(execute("CSV (a link that works once)", STATUS_EXPORT, **{PAGE: view.page}))
    return actions
