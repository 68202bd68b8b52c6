"""What every set-up card shares: the header, the answers so far, the notice, the buttons."""

from __future__ import annotations

from cards.actions import (
    LIST,
    PAGE,
    REVISION,
    SETUP_BACK,
    SETUP_CANCEL,
    SETUP_NEXT,
    SETUP_PAGE,
    STEP,
)
from cards.elements import (
    Element,
    PayloadValue,
    action_set,
    container,
    execute,
    execute_without_inputs,
    fact_set,
    text_block,
)
from cards.setup.views import STEP_COUNT, Page, Step, StepFrame
from sharedcalling.services.notices import Tone

FLOW_TITLE = "Set up Shared Calling"


def payload(frame: StepFrame, **data: PayloadValue) -> dict[str, PayloadValue]:
    """Every set-up action says which step and revision its card shows."""
    return {STEP: frame.step.value, REVISION: frame.revision, **data}


def header(frame: StepFrame) -> list[Element]:
    body = [
        text_block(
            f"{FLOW_TITLE} \u00b7 step {frame.step.number} of {STEP_COUNT}",
            subtle=True,
            size="Small",
        ),
        text_block(frame.step.heading, weight="Bolder", size="Medium", spacing="None"),
    ]
    if frame.answers:
        body.append(fact_set(frame.answers))
    notice = frame.notice
    if notice is not None:
        lines = [text_block(line, size="Small") for line in notice.lines]
        color = "Attention" if notice.tone is Tone.ATTENTION else None
        body.append(
            container(text_block(notice.text, weight="Bolder", color=color), *lines,
                      style=notice.tone.value)
        )  # fmt: skip
    return body


def navigation(
    frame: StepFrame,
    *,
    next_title: str = "Next",
    next_verb: str = SETUP_NEXT,
    next_data: dict[str, PayloadValue] | None = None,
) -> list[Element]:
    """Back (except on the first card), the step's main action, and Cancel."""
    actions = []
    if frame.step.number > 1 or frame.step is Step.FIX:
        actions.append(execute_without_inputs("Back", SETUP_BACK, **payload(frame)))
    actions.append(execute(next_title, next_verb, **payload(frame, **(next_data or {}))))
    actions.append(execute_without_inputs("Cancel set-up", SETUP_CANCEL, **payload(frame)))
    return actions


def pager(frame: StepFrame, page: Page, *extra: Element) -> Element | None:
    """Previous/next page buttons (and `extra` actions) under a list; None when not needed."""
    actions = list(extra)
    if page.has_previous:
        data = payload(frame, **_page_data(page, page.number - 1))
        actions.insert(0, execute_without_inputs("Previous page", SETUP_PAGE, **data))
    if page.has_next:
        data = payload(frame, **_page_data(page, page.number + 1))
        actions.append(execute_without_inputs("Next page", SETUP_PAGE, **data))
    return action_set(*actions) if actions else None


def _page_data(page: Page, number: int) -> dict[str, PayloadValue]:
    return {LIST: page.list_name, PAGE: number}


def page_caption(page: Page, noun: str, singular: str) -> Element:
    counted = f"{page.total:,} {singular if page.total == 1 else noun}"
    if page.count <= 1:
        return text_block(counted, subtle=True, size="Small")
    return text_block(
        f"{counted} \u00b7 page {page.number} of {page.count}", subtle=True, size="Small"
    )
