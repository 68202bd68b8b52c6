"""Answers to "shared calling status" (the admin overview): the card, its pages, its CSV link.

Admins only, checked by the use case on every turn and click; card data bring a page number
and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.commands import SharedCallingStatus
from bot.replies import Reply
from cards.actions import PAGE
from cards.overview import status_card, status_view
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import NotPermitted
from sharedcalling.services import Services
from sharedcalling.services.export_links import create_export_link
from sharedcalling.services.overview import (
    StatusOverview,
    shared_calling_status,
    status_csv,
    status_page,
)

CSV_NAME = "shared-calling-status.csv"
MAX_PAGE = 10_000


async def _overview(services: Services, asker: Principal) -> StatusOverview:
    return await shared_calling_status(
        asker, tenant_id=services.tenant_id, tenant=services.tenant, uow=services.uow
    )


async def _answer(services: Services, asker: Principal, page: int, *, csv: bool) -> Reply:
    try:
        overview = await _overview(services, asker)
    except NotPermitted as refused:
        return Reply(str(refused))
    shown = status_page(overview, page)
    url, note = None, ""
    if csv:
        token = await create_export_link(
            principal=asker,
            filename=CSV_NAME,
            media_type="text/csv; charset=utf-8",
            content=status_csv(overview),
            store=services.export_links,
            clock=services.clock,
            lifetime=services.export_link_lifetime,
        )
        url = f"{services.public_url}/exports/{token}"
        minutes = services.export_link_lifetime.total_seconds() / 60
        note = (
            f"Every policy as CSV. The link works once, for {minutes:g} minutes: whoever opens "
            "it first gets the file, so do not forward it."
        )
    view = status_view(shown, download_url=url, download_note=note)
    return Reply(view.summary, status_card(view))


def _page_of(data: Mapping[str, Any]) -> int:
    wanted = data.get(PAGE)
    ok = isinstance(wanted, int) and not isinstance(wanted, bool) and 0 <= wanted <= MAX_PAGE
    return wanted if ok else 0  # type: ignore[return-value]


async def status(services: Services, asker: Principal, command: SharedCallingStatus) -> Reply:
    return await _answer(services, asker, command.page, csv=command.csv)


async def page(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    return await _answer(services, asker, _page_of(data), csv=False)


async def export(services: Services, asker: Principal, data: Mapping[str, Any]) -> Reply:
    return await _answer(services, asker, _page_of(data), csv=True)
