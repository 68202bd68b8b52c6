"""Typed builders for Adaptive Card 1.5 elements and actions; cards compose only these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cards.actions import VERB_KEY

CARD_VERSION = "1.5"
"""Teams renders schema 1.5; every card pins it here."""

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"

Element = dict[str, Any]
PayloadValue = str | int | bool


def _clean(element: Element) -> Element:
    """Drop unset options: Teams rejects nulls, and absent means default."""
    return {key: value for key, value in element.items() if value is not None}


def card(*body: Element, actions: Sequence[Element] = (), full_width: bool = False) -> Element:
    """An AdaptiveCard with `body` and optional top-level `actions`."""
    result: Element = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": list(body),
    }
    if actions:
        result["actions"] = list(actions)
    if full_width:
        result["msteams"] = {"width": "Full"}
    return result


def text_block(
    text: str,
    *,
    weight: str | None = None,
    size: str | None = None,
    color: str | None = None,
    subtle: bool = False,
    spacing: str | None = None,
) -> Element:
    """A wrapping TextBlock.

    `weight` Bolder/Lighter, `size` Small..ExtraLarge, `color` Good/Warning/Attention.
    """
    return _clean(
        {
            "type": "TextBlock",
            "text": text,
            "wrap": True,
            "weight": weight,
            "size": size,
            "color": color,
            "isSubtle": True if subtle else None,
            "spacing": spacing,
        }
    )


def fact_set(facts: Iterable[tuple[str, str]]) -> Element:
    """A FactSet of (title, value) pairs, in order."""
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in facts]}


def container(*items: Element, style: str | None = None, separator: bool = False) -> Element:
    """A Container; `style` emphasis/good/attention/warning/accent."""
    return _clean(
        {
            "type": "Container",
            "items": list(items),
            "style": style,
            "separator": True if separator else None,
        }
    )


MAX_ACTIONS = 5
"""Actions per ActionSet or card that the Adaptive Cards SDK's default host config allows."""


def choice_set(
    input_id: str,
    label: str,
    choices: Iterable[tuple[str, str]],
    *,
    required: bool = True,
    error_message: str = "Pick one.",
) -> Element:
    """A compact Input.ChoiceSet of (title, value) pairs; the pick arrives as `input_id`."""
    return {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "compact",
        "isRequired": required,
        "errorMessage": error_message,
        "choices": [{"title": t, "value": v} for t, v in choices],
    }


def action_set(*actions: Element) -> Element:
    """Actions placed inside the body (e.g. one button per candidate)."""
    return {"type": "ActionSet", "actions": list(actions)}


def execute(title: str, verb: str, /, **data: PayloadValue) -> Element:
    """An Action.Execute (Universal Actions): Teams sends an `adaptiveCard/action` invoke."""
    return {"type": "Action.Execute", "title": title, "verb": verb, "data": dict(data)}


def submit(title: str, verb: str, /, **data: PayloadValue) -> Element:
    """An Action.Submit; the bot reads the action id from the payload's VERB_KEY."""
    return {"type": "Action.Submit", "title": title, "data": {VERB_KEY: verb, **data}}


def text_input(
    input_id: str,
    label: str,
    *,
    placeholder: str | None = None,
    value: str | None = None,
    multiline: bool = False,
    max_length: int | None = None,
    required: bool = False,
    error_message: str | None = None,
) -> Element:
    """An Input.Text; a required one carries the error message Teams shows."""
    return _clean(
        {
            "type": "Input.Text",
            "id": input_id,
            "label": label,
            "placeholder": placeholder,
            "value": value,
            "isMultiline": True if multiline else None,
            "maxLength": max_length,
            "isRequired": True if required else None,
            "errorMessage": error_message if required else None,
        }
    )


def number_input(input_id: str, label: str, *, value: int, minimum: int, maximum: int) -> Element:
    return {
        "type": "Input.Number",
        "id": input_id,
        "label": label,
        "value": value,
        "min": minimum,
        "max": maximum,
    }


def toggle(input_id: str, title: str, *, value: bool = False) -> Element:
    """An Input.Toggle whose value is `true` or `false`."""
    return {
        "type": "Input.Toggle",
        "id": input_id,
        "title": title,
        "value": "true" if value else "false",
        "valueOn": "true",
        "valueOff": "false",
        "wrap": True,
    }


def pick_list(
    input_id: str,
    label: str,
    choices: Iterable[tuple[str, str]],
    *,
    value: str | None = None,
    multi: bool = False,
    style: str = "expanded",
) -> Element:
    """An Input.ChoiceSet that is not required (the bot checks the answer on arrival)."""
    return _clean(
        {
            "type": "Input.ChoiceSet",
            "id": input_id,
            "label": label,
            "style": style,
            "isMultiSelect": True if multi else None,
            "value": value,
            "choices": [{"title": t, "value": v} for t, v in choices],
        }
    )


def search_box(
    input_id: str,
    label: str,
    dataset: str,
    *,
    placeholder: str,
    multi: bool = False,
    initial: Iterable[tuple[str, str]] = (),
    value: str | None = None,
) -> Element:
    """A typeahead Input.ChoiceSet: Teams asks the bot (`application/search` invoke) for the
    choices of `dataset` as the person types; `initial` choices are shown before any query."""
    element = pick_list(input_id, label, initial, value=value, multi=multi, style="filtered")
    element["placeholder"] = placeholder
    element["choices.data"] = {"type": "Data.Query", "dataset": dataset}
    return element


def column_set(*columns: tuple[str, list[Element]]) -> Element:
    """A ColumnSet of (width, items) columns; width `auto`, `stretch` or a weight."""
    return {
        "type": "ColumnSet",
        "columns": [{"type": "Column", "width": w, "items": items} for w, items in columns],
    }


def open_url(title: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def execute_without_inputs(title: str, verb: str, /, **data: PayloadValue) -> Element:
    """An Action.Execute that sends none of the card's inputs (Back, Cancel): required inputs
    must not stop someone from leaving a step."""
    action = execute(title, verb, **data)
    action["associatedInputs"] = "none"
    return action
