"""Caller-ID cards: the answer to "which number do I call out as?", and picking a person."""

from __future__ import annotations

from typing import Any

from cards.actions import CALLERID_PICK, CALLERID_REFRESH, USER_ID
from cards.elements import (
    MAX_ACTIONS,
    action_set,
    card,
    choice_set,
    container,
    execute,
    fact_set,
    text_block,
)
from cards.selfservice import self_service_start_button
from cards.views import CallerIdChoicesView, CallerIdView, PersonChoice


def caller_id_card(view: CallerIdView) -> dict[str, Any]:
    """The presented number in large type, how it comes about, and what an admin must fix."""
    body = [
        text_block(view.title, weight="Bolder", size="Medium"),
        text_block(
            view.headline,
            weight="Bolder",
            size="ExtraLarge",
            color="Attention" if view.is_problem else "Warning" if view.is_uncertain else None,
            spacing="None",
        ),
        text_block(view.summary),
        fact_set(view.facts),
    ]
    if view.caveats:
        body.append(container(*(text_block(c) for c in view.caveats), style="warning"))
    if view.problems:
        lines = (text_block(p, color="Attention") for p in view.problems)
        body.append(container(text_block("To fix", weight="Bolder"), *lines, style="attention"))
    refresh = execute("Check again", CALLERID_REFRESH, **{USER_ID: view.subject_id})
    if view.offer_self_service:
        return card(*body, actions=[self_service_start_button(), refresh])
    return card(*body, actions=[refresh])


def caller_id_ambiguous_card(view: CallerIdChoicesView) -> dict[str, Any]:
    """A button per candidate, or a list when there are too many buttons for Teams.

    The picked id is untrusted: the bot re-checks the asker's permission on every pick.
    """
    intro = [
        text_block(
            f"Several people match \u201c{view.query}\u201d", weight="Bolder", size="Medium"
        ),
        text_block("Whose caller ID do you want to see?", subtle=True),
    ]
    if len(view.choices) <= MAX_ACTIONS:
        buttons = [execute(_label(c), CALLERID_PICK, **{USER_ID: c.user_id}) for c in view.choices]
        return card(*intro, action_set(*buttons))
    choices = [(_label(c), c.user_id) for c in view.choices]
    return card(
        *intro,
        choice_set(USER_ID, "Person", choices, error_message="Pick a person."),
        actions=[execute("Show caller ID", CALLERID_PICK)],
    )


def _label(choice: PersonChoice) -> str:
    return f"{choice.display_name} ({choice.user_principal_name})"
