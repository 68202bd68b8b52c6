"""Lists of requests for "my requests" and "pending approvals", each with an Open button."""

from __future__ import annotations

from typing import Any

from cards import actions as ids
from cards.elements import Element, action_set, card, container, execute, text_block
from cards.request_plan import plain
from cards.requests import STATE_LABELS
from sharedcalling.services.approvals.queries import RequestList


def request_list_card(listing: RequestList) -> dict[str, Any]:
    body: list[Element] = [text_block(listing.title, weight="Bolder", size="Medium")]
    if not listing.requests:
        body.append(text_block(listing.empty_text))
    for request in listing.requests:
        label, color = STATE_LABELS[request.state]
        count = len(request.user_ids)
        line = (
            f"**{request.id}**, {label.lower()}: {plain(request.requester_name)}, "
            f"{count} user{'s' if count != 1 else ''}, policy "
            f"{plain(request.desired.get('policy_name', '?'))}, {request.created_at:%Y-%m-%d}"
        )
        open_it = execute("Open", ids.REQUEST_SHOW, requestId=request.id)
        body.append(container(text_block(line, color=color), action_set(open_it), separator=True))
    if listing.more:
        body.append(text_block("Older requests are not shown.", subtle=True))
    return card(*body)
