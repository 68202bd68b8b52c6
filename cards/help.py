"""The help card: what this bot can do for the person asking, by role."""

from __future__ import annotations

from collections.abc import Collection

from cards.elements import Element, card, fact_set, text_block
from sharedcalling.domain.access import Role

# (role, what to type, what it does); a person sees the rows of every role they hold.
_COMMANDS: tuple[tuple[Role, str, str], ...] = (
    (Role.USER, "which number do I call out as?", "the number people see when you call out"),
    (Role.USER, "help", "this list"),
    # A placeholder, not a name: a real tenant must never see the demo tenant's people.
    (Role.ADMIN, "which number does <name> call out as?", "anyone's caller ID, by name or UPN"),
    (Role.ADMIN, "retry failed <request id>", "run a request's failed changes again"),
    (Role.ADMIN, "revert <request id>", "plan undoing an applied request, for approval"),
    (Role.ADMIN, "freeze [reason]", "pause every apply at its next change; resume with resume"),
)

# Capabilities announced before their commands exist, so people know what is coming.
_LATER: tuple[tuple[Role, str], ...] = (
    (Role.ADMIN, "Set up Shared Calling for people, with checks and an approval (coming soon)."),
    (Role.APPROVER, "Approve or reject Shared Calling changes sent to you (coming soon)."),
)

HELP_TEXT = "Here is what I can do for you. Type **help** at any time to see this again."
UNKNOWN_TEXT = "Sorry, I didn't understand that. Type **help** to see what I can do."


def commands_for(roles: Collection[Role]) -> list[tuple[str, str]]:
    """(what to type, what it does) pairs available to someone holding `roles`."""
    return [(f"\u201c{typed}\u201d", does) for role, typed, does in _COMMANDS if role in roles]


def plans_for(roles: Collection[Role]) -> list[str]:
    return [text for role, text in _LATER if role in roles]


def notice_card(text: str) -> Element:
    """A card holding one short message, where only a card can answer (Action.Execute)."""
    return card(text_block(text))


def help_card(roles: Collection[Role]) -> Element:
    """List the commands and capabilities for the person's roles."""
    body = [
        text_block("What I can do for you", weight="Bolder", size="Medium"),
        fact_set(commands_for(roles)),
    ]
    body += [text_block(plan, subtle=True) for plan in plans_for(roles)]
    return card(*body)
