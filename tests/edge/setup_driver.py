"""Driving the set-up dialog through /api/messages like Teams: messages, Action.Execute clicks
answered with the next card, and the typeahead's `application/search` invoke."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cards.actions import REVISION, STEP
from tests.cards.card_checks import actions_of, walk
from tests.edge.teams import Teams, activity, execute_invoke, personal

CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
RA_MAINLINE = "00000000-0000-4000-8000-000000000051"
RA_SYDNEY = "00000000-0000-4000-8000-000000000054"
RA_SPARE = "00000000-0000-4000-8000-000000000055"
CARD_ACTIVITY_ID = "setup-card-1"
"""The activity id of the set-up card in the personal chat (one message, answered in place)."""
NUMBER_0193, NUMBER_0194 = "+14255550193", "+14255550194"
DIEGO_UPN, PRADEEP_UPN = "DiegoS@contoso.example", "PradeepG@contoso.example"


def texts(card: dict[str, Any]) -> str:
    """Every text a card shows (TextBlocks, facts, choice titles, button titles), one per line."""
    lines: list[str] = []
    for node in walk(card):
        if not isinstance(node, dict):
            continue
        if node.get("type") == "TextBlock":
            lines.append(str(node["text"]))
        for fact in node.get("facts", ()) if node.get("type") == "FactSet" else ():
            lines.append(f"{fact['title']}: {fact['value']}")
        for choice in node.get("choices", ()) if node.get("type") == "Input.ChoiceSet" else ():
            lines.append(str(choice["title"]))
        if str(node.get("type", "")).startswith("Action."):
            lines.append(f"[{node['title']}]")
    return "\n".join(lines)


def inputs_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        n["id"]: n
        for n in walk(card)
        if isinstance(n, dict) and str(n.get("type", "")).startswith("Input.")
    }


def action(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The one action of `card` titled `title`."""
    found = [a for a in actions_of(card) if a["title"] == title]
    assert len(found) == 1, [a["title"] for a in actions_of(card)]
    return found[0]


def step_of(card: dict[str, Any]) -> tuple[str, int]:
    """(step, revision) the card's buttons carry."""
    data = next(
        a["data"] for a in actions_of(card) if isinstance(a.get("data"), dict) and STEP in a["data"]
    )
    return str(data[STEP]), int(data[REVISION])


@dataclass
class SetupDriver:
    """One person's set-up in their personal chat; `card` is the card they look at now."""

    teams: Teams
    person: str = "megan"
    card: dict[str, Any] | None = None

    async def say(self, text: str) -> list[Any]:
        sent = await self.teams.say(self.person, text)
        cards = [c for s in sent for c in s.cards]
        if cards:
            self.card = cards[-1]
        return sent

    async def start(self) -> dict[str, Any]:
        sent = await self.say("set up shared calling")
        assert len(sent) == 1, [s.text for s in sent]
        assert self.card is not None, sent[0].text
        return self.card

    async def invoke(self, verb: str, data: dict[str, Any]) -> dict[str, Any]:
        """An Action.Execute with exactly this data; returns (and keeps) the card answered."""
        # Teams names the card a click came from in replyToId; the set-up card is one message,
        # answered in place, so every click carries the same id.
        body = execute_invoke(self.teams.connector, self.person, verb, data)
        body["replyToId"] = CARD_ACTIVITY_ID
        response = await self.teams.post(body, expect=200)
        body = await response.json()
        assert body["statusCode"] == 200, body
        assert body["type"] == CARD_RESPONSE, body
        self.card = body["value"]
        return self.card

    async def click(self, title: str, **inputs: Any) -> dict[str, Any]:
        """Press the button `title` of the current card with these input values, as Teams
        merges inputs into the Action.Execute data."""
        assert self.card is not None
        pressed = action(self.card, title)
        assert pressed["type"] == "Action.Execute", pressed
        data = dict(pressed.get("data") or {})
        if pressed.get("associatedInputs") != "none":
            data.update(inputs)
        return await self.invoke(pressed["verb"], data)

    async def search(self, dataset: str, text: str, skip: int = 0, top: int = 15) -> dict[str, Any]:
        value = {"queryText": text, "queryOptions": {"skip": skip, "top": top}, "dataset": dataset}
        body = activity(
            self.teams.connector, self.person, personal(self.person),
            type="invoke", name="application/search", value=value,
        )  # fmt: skip
        response = await self.teams.post(body, expect=200)
        result: dict[str, Any] = await response.json()
        return result

    def shown(self) -> str:
        assert self.card is not None
        return texts(self.card)

    def step(self) -> tuple[str, int]:
        assert self.card is not None
        return step_of(self.card)

    def choices(self, input_id: str) -> list[tuple[str, str]]:
        assert self.card is not None
        return [(c["title"], c["value"]) for c in inputs_of(self.card)[input_id]["choices"]]


def notices(card: dict[str, Any]) -> Iterator[str]:
    """The texts inside the card's styled containers (notices, warnings, errors)."""
    for node in walk(card):
        if isinstance(node, dict) and node.get("type") == "Container" and node.get("style"):
            for inner in walk(node):
                if isinstance(inner, dict) and inner.get("type") == "TextBlock":
                    yield str(inner["text"])
