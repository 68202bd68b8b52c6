"""The "audit export" command and the download endpoint behind its single-use links."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.commands import AuditExport
from bot.replies import Reply
from sharedcalling.domain.access import Principal
from sharedcalling.services import Services
from sharedcalling.services.audit_links import (
    EXPORT_LINK_TTL,
    FORMATS,
    create_export_links,
    redeem_export_link,
)

DOWNLOAD_PATH = "/audit/export/{token}"
GONE_TEXT = "This download link is unknown, used or expired. Ask the bot for a new one."


async def audit_export(services: Services, asker: Principal, command: AuditExport) -> Reply:
    formats = (command.format,) if command.format else FORMATS
    links = await create_export_links(services, asker, formats)
    if isinstance(links, str):
        return Reply(links)
    base = services.public_url.rstrip("/")
    shown = ", ".join(
        f"[{fmt.upper()}]({base}{DOWNLOAD_PATH.format(token=token)})"
        for fmt, token in links.items()
    )
    minutes = int(EXPORT_LINK_TTL.total_seconds() // 60)
    return Reply(
        f"The audit trail, with its verification: {shown}. Each link works once, for "
        f"{minutes} minutes."
    )


ServicesOf = Callable[[web.Request], Services]


def download_handler(
    services_of: ServicesOf,
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """GET /audit/export/{token}: the file once, then 410 Gone (also when expired)."""

    async def download(request: web.Request) -> web.StreamResponse:
        services = services_of(request)
        found = await redeem_export_link(services, request.match_info["token"])
        if found is None:
            return web.Response(status=410, text=GONE_TEXT)
        return web.Response(
            text=found.body,
            content_type=found.content_type,
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{found.filename}"',
                "Cache-Control": "no-store",
            },
        )

    return download
