"""The requester's status card of a submitted set-up: id, state, what happens next, cancel."""

from __future__ import annotations

from typing import Any

from cards.actions import REQUEST_ID, SETUP_REQUEST_CANCEL, SETUP_REQUEST_STATUS
from cards.elements import card, container, execute, fact_set, text_block
from cards.setup.views import StatusView
from sharedcalling.services.notices import Tone


def status_card(view: StatusView) -> dict[str, Any]:
    body = [
        text_block("Shared Calling set-up request", subtle=True, size="Small"),
        text_block(view.headline, weight="Bolder", size="Medium", spacing="None"),
    ]
    if view.notice is not None:
        color = "Attention" if view.notice.tone is Tone.ATTENTION else None
        body.append(
            container(text_block(view.notice.text, color=color), style=view.notice.tone.value)
        )
    body.append(fact_set(view.facts))
    if view.next_steps:
        lines = [text_block(step, size="Small") for step in view.next_steps]
        body.append(container(text_block("What happens next", weight="Bolder"), *lines))
    body += [text_block(line, size="Small", subtle=True) for line in view.extra]
    actions = [execute("Refresh", SETUP_REQUEST_STATUS, **{REQUEST_ID: view.request_id})]
    if view.can_cancel:
        actions.append(
            execute("Cancel request", SETUP_REQUEST_CANCEL, **{REQUEST_ID: view.request_id})
        )
    return card(*body, actions=actions)
