"""Step 3: emergency callback numbers in the admin's order; eligible ones to add."""

from __future__ import annotations

from typing import Any

from cards.actions import NUMBER, SETUP_ADD_NUMBERS, SETUP_NUMBER_REMOVE, SETUP_NUMBER_UP
from cards.elements import (
    Element,
    action_set,
    card,
    column_set,
    container,
    execute,
    execute_without_inputs,
    pick_list,
    text_block,
    text_input,
)
from cards.setup import inputs
from cards.setup.common import header, navigation, payload
from cards.setup.views import ChosenNumber, NumbersView


def _chosen_row(view: NumbersView, number: ChosenNumber) -> Element:
    data = payload(view.frame, **{NUMBER: number.value})
    buttons = [execute_without_inputs("Remove", SETUP_NUMBER_REMOVE, **data)]
    if not number.first:
        buttons.insert(0, execute_without_inputs("Move up", SETUP_NUMBER_UP, **data))
    label = [text_block(number.shown, weight="Bolder")]
    if number.note:
        label.append(text_block(number.note, size="Small", subtle=True, spacing="None"))
    return column_set(("stretch", label), ("auto", [action_set(*buttons)]))


def numbers_card(view: NumbersView) -> dict[str, Any]:
    body = header(view.frame)
    body.append(
        text_block(
            "An emergency call shows the next free number of this list and holds it 60 minutes "
            "so the emergency service can call back. When every number is held, the first is "
            "reused: put the most important first."
        )
    )
    if view.chosen:
        body += [_chosen_row(view, n) for n in view.chosen]
    else:
        tone = "attention" if view.empty_blocked else "warning"
        body.append(container(text_block(view.empty_warning or "No numbers chosen."), style=tone))
    body += _add_section(view)
    if view.ineligible or view.ineligible_more:
        lines = [
            text_block(f"{shown}: {reason}", size="Small") for shown, reason in view.ineligible
        ]
        if view.ineligible_more:
            lines.append(text_block(view.ineligible_more, size="Small", subtle=True))
        body.append(container(text_block("Not eligible", weight="Bolder"), *lines, separator=True))
    return card(*body, actions=navigation(view.frame))


def _add_section(view: NumbersView) -> list[Element]:
    if len(view.chosen) >= view.maximum:
        return [text_block(f"At most {view.maximum} numbers per set-up.", subtle=True)]
    parts: list[Element] = []
    if view.eligible:
        parts.append(
            pick_list(inputs.NUMBERS_PICK, "Add eligible numbers (Move up reorders them)",
                      view.eligible, multi=True)
        )  # fmt: skip
    else:
        parts.append(text_block("No other number of the tenant is eligible.", subtle=True))
    if view.typed_allowed:
        parts.append(
            text_input(
                inputs.NUMBERS_TYPED,
                "Or type Direct Routing numbers the inventory does not list (SC-E01)",
                placeholder="+49 30 23125 199, one per line or separated by commas",
                multiline=True,
                max_length=1000,
            )
        )
    if view.eligible or view.typed_allowed:
        parts.append(action_set(execute("Add", SETUP_ADD_NUMBERS, **payload(view.frame))))
    return parts
