"""GET /exports/{token}: a plan export, once, to whoever holds the unguessable link.

The link is made only for a tenant admin in a Teams turn; the download itself comes from a
browser without Teams identity, so the token is the credential: 256 random bits, stored only
as a hash, single use, minutes long. The token is never logged.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web

from sharedcalling.services import Services
from sharedcalling.services.export_links import redeem_export_link

logger = logging.getLogger(__name__)

GONE_TEXT = (
    "This download link is unknown, already used or expired. Ask the Shared Calling bot in "
    "Teams for a new one (Review step, Export)."
)
_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


async def download_export(request: web.Request, services: Services) -> web.Response:
    token = request.match_info.get("token", "")
    link = await redeem_export_link(token, store=services.export_links, clock=services.clock)
    if link is None:
        logger.info("Refused an export download: unknown, used or expired link")
        return web.Response(status=404, text=GONE_TEXT, headers=_HEADERS)
    logger.info("Export %s downloaded (made for %s)", link.filename, link.user_id)
    filename = _SAFE_FILENAME.sub("_", link.filename)
    headers = {**_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    media_type, _, charset = link.media_type.partition("; charset=")
    return web.Response(
        text=link.content, content_type=media_type, charset=charset or "utf-8", headers=headers
    )
