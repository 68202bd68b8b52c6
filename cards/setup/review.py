"""Step 6: the plan summary, warnings to confirm, people page by page, exports, submit."""

from __future__ import annotations

from typing import Any

from cards.actions import FINGERPRINT, FORMAT, SETUP_EXPORT, SETUP_REFRESH, SETUP_SUBMIT
from cards.elements import (
    Element,
    action_set,
    card,
    container,
    execute,
    fact_set,
    open_url,
    text_block,
    text_input,
    toggle,
)
from cards.setup import inputs
from cards.setup.common import header, navigation, page_caption, pager, payload
from cards.setup.views import ReviewView
from sharedcalling.services.setup.submit import MAX_JUSTIFICATION


def review_card(view: ReviewView) -> dict[str, Any]:
    body = header(view.frame)
    body.append(text_block(view.headline, weight="Bolder", size="Medium"))
    if view.blocks:
        lines = [text_block(b, color="Attention", size="Small") for b in view.blocks]
        body.append(container(text_block("Blocked", weight="Bolder"), *lines, style="attention"))
    if view.changes:
        lines = [text_block(c, size="Small") for c in view.changes]
        body.append(container(text_block("Changes", weight="Bolder"), *lines, separator=True))
    if view.warnings:
        lines = [text_block(w, size="Small") for w in view.warnings]
        body.append(container(text_block("Warnings", weight="Bolder"), *lines, style="warning"))
    if view.attestations:
        toggles = [toggle(a.input_id, a.text) for a in view.attestations]
        body.append(
            container(text_block("Confirm before submitting", weight="Bolder"), *toggles,
                      style="warning")
        )  # fmt: skip
    body += _people(view)
    body += _exports(view)
    if view.can_submit:
        body.append(
            text_input(
                inputs.JUSTIFICATION,
                "Why are these changes needed? (the approvers read this)",
                value=view.justification or None,
                multiline=True,
                max_length=MAX_JUSTIFICATION,
                required=True,
                error_message="A justification is required.",
            )
        )
        body.append(
            toggle(
                inputs.TELL_PEOPLE,
                "After the apply, send each person whose caller ID changes their new caller ID "
                "(what people see, where callbacks go, what emergency services see)",
                value=view.tell_people,
            )
        )
        actions = navigation(
            view.frame,
            next_title="Submit for approval",
            next_verb=SETUP_SUBMIT,
            next_data={FINGERPRINT: view.fingerprint},
        )
    else:
        actions = navigation(view.frame, next_title="Check again", next_verb=SETUP_REFRESH)
    return card(*body, actions=actions)


def _people(view: ReviewView) -> list[Element]:
    if not view.rows:
        return []
    parts: list[Element] = [
        text_block("Per person", weight="Bolder"),
        page_caption(view.page, "people", "person"),
        fact_set(view.rows),
    ]
    paging = pager(view.frame, view.page)
    if paging is not None:
        parts.append(paging)
    return [container(*parts, separator=True)]


def _exports(view: ReviewView) -> list[Element]:
    buttons = [
        execute("PowerShell script", SETUP_EXPORT, **payload(view.frame, **{FORMAT: "ps1"})),
        execute("JSON", SETUP_EXPORT, **payload(view.frame, **{FORMAT: "json"})),
    ]
    parts: list[Element] = [
        text_block("Export the plan (admins only; a link that works once)", weight="Bolder"),
        action_set(*buttons),
    ]
    if view.download is not None:
        parts.append(text_block(view.download.note, size="Small"))
        parts.append(action_set(open_url(f"Download {view.download.filename}", view.download.url)))
    return [container(*parts, separator=True)]
