"""Checks every card must pass, and validation with Microsoft's Adaptive Cards SDK (Node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from cards.actions import ACTION_IDS, VERB_KEY
from cards.elements import CARD_SCHEMA, CARD_VERSION

HERE = Path(__file__).resolve().parent
VALIDATOR = HERE / "validate_card.js"
SDK = HERE / "node_modules" / "adaptivecards"
MAX_CARD_BYTES = 28 * 1024
"""Our cap for one card: the card limit of Teams' Power Automate/Workflows connector, well under
the about 100 KB Teams allows a bot's message (docs/decisions.md, "Cards: our own builders")."""


def walk(node: Any) -> Iterator[Any]:
    """Every value in a JSON tree, containers included."""
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from walk(child)


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        n
        for n in walk(card)
        if isinstance(n, dict) and str(n.get("type", "")).startswith("Action.")
    ]


def verb_of(action: dict[str, Any]) -> str | None:
    if action["type"] == "Action.Execute":
        return str(action["verb"])
    if action["type"] == "Action.Submit":
        return str(action["data"][VERB_KEY])
    return None


def assert_card_ok(card: dict[str, Any]) -> None:
    """Schema 1.5, no nulls, known action ids, unique ids, under our 28 KB cap (MAX_CARD_BYTES)."""
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == CARD_VERSION == "1.5"
    assert card["$schema"] == CARD_SCHEMA
    assert not [n for n in walk(card) if n is None], "a None value would serialise as null"
    verbs = [verb_of(a) for a in actions_of(card)]
    assert set(verbs) <= set(ACTION_IDS) | {None}, f"unknown action ids {set(verbs) - ACTION_IDS}"
    ids = [n["id"] for n in walk(card) if isinstance(n, dict) and "id" in n]
    assert len(ids) == len(set(ids)), f"duplicate ids {ids}"
    size = len(json.dumps(card, ensure_ascii=False).encode())
    assert size < MAX_CARD_BYTES, f"card is {size} bytes"


def sdk_available() -> bool:
    return shutil.which("node") is not None and SDK.is_dir()


def sdk_problems(cards: Sequence[dict[str, Any]], version: str = "1.5") -> list[list[str]]:
    """Per card, what the official SDK reports when parsing and validating it for `version`."""
    node = shutil.which("node")
    assert node is not None
    # A fixed local script; the cards travel as data on stdin.
    done = subprocess.run(
        [node, str(VALIDATOR), version],
        input=json.dumps(list(cards)),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    problems: list[list[str]] = json.loads(done.stdout)
    return problems


TYPEAHEAD = "choices.data"
"""Teams' dynamic typeahead (Data.Query). The SDK files it under schema 1.6; Teams documents
it for cards of any version (its own sample is a 1.2 card) and renders 1.5."""


def without_typeahead(card: dict[str, Any]) -> dict[str, Any]:
    """The card with every `choices.data` removed (a deep copy; the input is unchanged)."""
    if isinstance(card, dict):
        return {k: without_typeahead(v) for k, v in card.items() if k != TYPEAHEAD}
    if isinstance(card, list):
        return [without_typeahead(v) for v in card]  # type: ignore[return-value]
    return card


def teams_sdk_problems(cards: Sequence[dict[str, Any]]) -> list[list[str]]:
    """What the SDK reports for each card at 1.5 with the typeahead set aside, plus what it
    reports about the typeahead itself when the card is read at 1.6 (where it is defined)."""
    at_15 = sdk_problems([without_typeahead(c) for c in cards])
    at_16 = sdk_problems([{**c, "version": "1.6"} for c in cards], "1.6")
    return [
        a + [p for p in b if TYPEAHEAD in p or "Data.Query" in p]
        for a, b in zip(at_15, at_16, strict=True)
    ]
