"""The welcome card, sent once when the bot is installed or added to a conversation."""

from __future__ import annotations

from collections.abc import Collection

from cards.elements import Element, card, fact_set, text_block
from cards.help import commands_for, mention_hint, plans_for, setup_button
from sharedcalling.domain.access import Role

_ROLE_NAMES = {Role.ADMIN: "Shared Calling admin", Role.APPROVER: "approver"}


def welcome_text(display_name: str, mention: str | None = None) -> str:
    ask = f"@mention me ({mention}) with **help**" if mention else "Type **help**"
    return (
        f"Hi {display_name}, I answer \u201cwhich number do I call out as?\u201d for Teams Phone. "
        f"{ask} to see what I can do."
    )


def welcome_card(display_name: str, roles: Collection[Role], mention: str | None = None) -> Element:
    """Greet the person and list what they can do, by role; `mention` as in help_card."""
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
    body.append(fact_set(commands_for(roles, mention)))
    if mention is not None:
        body.append(text_block(mention_hint(mention), weight="Bolder"))
    body += [text_block(plan, subtle=True) for plan in plans_for(roles)]
    body += setup_button(roles, mention)
    return card(*body)
