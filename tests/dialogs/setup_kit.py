"""What the set-up dialog tests share: the set-up state as the database holds it, and forged
actions that must be refused with a message and leave that state exactly as it was."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sharedcalling.services.setup.expiry import CONVERSATION_STATE_PREFIX
from tests.cards.card_checks import walk
from tests.edge.setup_driver import SetupDriver, notices
from tests.edge.teams import personal
from tests.edge.test_setup_journey import services_of


async def stored_flow(setup: SetupDriver) -> dict[str, Any]:
    """The set-up state (FlowState JSON) in the person's conversation state, as stored."""
    key = CONVERSATION_STATE_PREFIX + personal(setup.person).conversation["id"]
    documents = await services_of(setup.teams).bot_state.read([key])
    assert key in documents, "no conversation state: the set-up is not open"
    [flow] = [
        n["setup"]
        for n in walk(dict(documents[key].data))
        if isinstance(n, dict) and isinstance(n.get("setup"), dict) and "draft" in n["setup"]
    ]
    return dict(flow)


async def refused(setup: SetupDriver, message: str, act: Callable[[], Awaitable[Any]]) -> None:
    """Run `act` (a click or a forged invoke): the card must say `message`, and the step, the
    revision and everything stored must be as they were."""
    before, stored = setup.step(), await stored_flow(setup)
    await act()
    shown = list(notices(setup.card or {}))
    assert any(message in n for n in shown), shown
    assert setup.step() == before, "a refused action must not move the set-up"
    assert await stored_flow(setup) == stored, "a refused action must change nothing stored"


async def refused_click(setup: SetupDriver, title: str, message: str, **inputs: Any) -> None:
    """Press `title` with these input values; refused as `refused` says."""
    await refused(setup, message, lambda: setup.click(title, **inputs))


async def refused_invoke(setup: SetupDriver, verb: str, message: str, **data: Any) -> None:
    """A forged Action.Execute `verb` for the current step and revision with `data`."""
    step, revision = setup.step()
    await refused(
        setup, message, lambda: setup.invoke(verb, {"step": step, "rev": revision, **data})
    )
