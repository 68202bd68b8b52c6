"""The welcome card, sent once when the bot is installed or added to a conversation."""

from __future__ import annotations

from collections.abc import Collection

from cards.elements import Element, card, fact_set, text_block
from cards.help import commands_for, plans_for
from sharedcalling.domain.access import Role

_ROLE_NAMES = {Role.ADMIN: "Shared Calling admin", Role.APPROVER: "approver"}


def welcome_text(display_name: str) -> str:
    return (
        f"Hi {display_name}, I answer \u201cwhich number do I call out as?\u201d for Teams Phone. "
        "Type **help** to see what I can do."
    )


def welcome_card(display_name: str, roles: Collection[Role]) -> Element:
    """Greet the person and list what they can do, by role."""
    titles = [name for role, name in _ROLE_NAMES.items() if role in roles]
    body = [
        text_block(f"Welcome, {display_name}", weight="Bolder", size="Medium"),
        text_block(
            "I tell you which number people see when you call out from Teams, how they can call "
            "you back, and what emergency services see."
        ),
    ]
    if titles:
        body.append(text_block("You are a " + " and ".join(titles) + ".", subtle=True))
    body.append(fact_set(commands_for(roles)))
    body += [text_block(plan, subtle=True) for plan in plans_for(roles)]
    return card(*body)
