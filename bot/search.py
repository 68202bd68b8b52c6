"""The `application/search` invoke: Teams asks for typeahead choices as an admin types.

Answered from the tenant, at most 15 choices a page (`queryOptions.skip`/`top`), for the
datasets of the set-up cards only, and for admins only: the asker comes from the activity.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from bot.answers import tenant_trouble
from cards.actions import SEARCH_GROUPS, SEARCH_PEOPLE
from sharedcalling.domain.access import Principal
from sharedcalling.services import Services
from sharedcalling.services.ports import TenantError

logger = logging.getLogger(__name__)

SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"
ERROR_RESPONSE = "application/vnd.microsoft.error"
MAX_QUERY = 100


def search_error(status: HTTPStatus, code: str, message: str) -> dict[str, Any]:
    return {
        "statusCode": int(status),
        "type": ERROR_RESPONSE,
        "value": {"code": code, "message": message},
    }


def _options(value: Mapping[str, Any]) -> tuple[int, int]:
    options = value.get("queryOptions")
    options = options if isinstance(options, Mapping) else {}
    skip, top = options.get("skip", 0), options.get("top", 15)
    valid = isinstance(skip, int) and isinstance(top, int) and not isinstance(skip, bool)
    return (skip, top) if valid else (0, 15)


async def answer_search(services: Services, asker: Principal, value: Any) -> dict[str, Any]:
    """The invoke response body: the choices, or an error the client shows."""
    if not asker.is_admin:
        return search_error(
            HTTPStatus.FORBIDDEN, "Forbidden", "Only Shared Calling admins can search here."
        )
    if not isinstance(value, Mapping):
        return search_error(HTTPStatus.BAD_REQUEST, "BadRequest", "The search has no value.")
    dataset, text = value.get("dataset"), value.get("queryText")
    if not isinstance(text, str):
        text = ""
    skip, top = _options(value)
    try:
        if dataset == SEARCH_PEOPLE:
            people = await services.setup.search_people(text[:MAX_QUERY], skip, top)
            results = [
                {"title": f"{u.display_name} ({u.user_principal_name})", "value": u.id}
                for u in people
            ]
        elif dataset == SEARCH_GROUPS:
            groups = await services.setup.search_groups(text[:MAX_QUERY], skip, top)
            results = [
                {"title": f"{g.display_name} ({len(g.member_ids):,} direct members)", "value": g.id}
                for g in groups
            ]
        else:
            return search_error(HTTPStatus.BAD_REQUEST, "NotSupported", "Unknown search.")
    except TenantError as failure:
        return search_error(
            HTTPStatus.SERVICE_UNAVAILABLE, "TenantTrouble", tenant_trouble(failure).text
        )
    return {
        "statusCode": int(HTTPStatus.OK),
        "type": SEARCH_RESPONSE,
        "value": {"results": results},
    }
