"""The help card: what this bot can do for the person asking, by role and by where they ask."""

from __future__ import annotations

from collections.abc import Collection

from cards.actions import SETUP_START
from cards.elements import Element, action_set, card, execute, fact_set, text_block
from sharedcalling.domain.access import Role

# (role, what to type, what it does); a person sees the rows of every role they hold.
_COMMANDS: tuple[tuple[Role, str, str], ...] = (
    (Role.USER, "which number do I call out as?", "the number people see when you call out"),
    (
        Role.USER,
        "can I get a phone number?",
        "ask for Shared Calling for yourself, where admins offer it; an approver decides",
    ),
    (Role.USER, "help", "this list"),
    # A placeholder, not a name: a real tenant must never see the demo tenant's people.
    (Role.ADMIN, "which number does <name> call out as?", "anyone's caller ID, by name or UPN"),
    (
        Role.ADMIN,
        "set up shared calling",
        "pick a resource account, policy, emergency numbers and people; I check everything "
        "and send the plan for approval (in our personal chat)",
    ),
    (Role.ADMIN, "my requests", "the Shared Calling requests you submitted"),
    (Role.APPROVER, "pending approvals", "requests waiting for your decision"),
    (Role.ADMIN, "show request <id>", "one request with its plan and decisions"),
    (Role.APPROVER, "show request <id>", "one request with its plan and decisions"),
    (Role.ADMIN, "audit export", "the audit trail as CSV and JSON (single-use links)"),
    (Role.APPROVER, "audit export", "the audit trail as CSV and JSON (single-use links)"),
    (
        Role.ADMIN,
        "shared calling status",
        "each policy: its number, people, open requests and hazards",
    ),
    (Role.ADMIN, "hazards", "what broke Shared Calling after set-up, most urgent first"),
    (Role.ADMIN, "check now", "run the hazard check now"),
    (Role.ADMIN, "retry failed <request id>", "run a request's failed changes again"),
    (Role.ADMIN, "revert <request id>", "plan undoing an applied request, for approval"),
    (Role.ADMIN, "freeze [reason]", "pause every apply at its next change; resume with resume"),
)

# Capabilities announced before their commands exist, so people know what is coming.
_LATER: tuple[tuple[Role, str], ...] = (
    (Role.APPROVER, "Approve or reject Shared Calling changes sent to you; the cards update."),
)

HELP_TEXT = "Here is what I can do for you. Type **help** at any time to see this again."
UNKNOWN_TEXT = "Sorry, I didn't understand that. Type **help** to see what I can do."
SETUP_BUTTON = "Set up Shared Calling"


def mention_hint(bot_name: str) -> str:
    """In group chats and channels Teams sends the bot only messages that @mention it."""
    return (
        f"Here, @mention me first: \u201c@{bot_name} help\u201d. A plain message never reaches me."
    )


def help_text(mention: str | None = None) -> str:
    if mention is None:
        return HELP_TEXT
    return f"Here is what I can do for you. {mention_hint(mention)}"


def commands_for(roles: Collection[Role], mention: str | None = None) -> list[tuple[str, str]]:
    """(what to type, what it does) pairs available to someone holding `roles`; with
    `mention` (the bot's name, in a group chat or channel) each starts with the @mention."""
    prefix = f"@{mention} " if mention else ""
    rows = [
        (f"\u201c{prefix}{typed}\u201d", does) for role, typed, does in _COMMANDS if role in roles
    ]
    # A command for both admins and approvers is listed once.
    return list(dict.fromkeys(rows))


def plans_for(roles: Collection[Role]) -> list[str]:
    return [text for role, text in _LATER if role in roles]


def setup_button(roles: Collection[Role], mention: str | None) -> list[Element]:
    """Admins in a personal chat get a button that starts the set-up (it runs there only)."""
    if Role.ADMIN not in roles or mention is not None:
        return []
    return [action_set(execute(SETUP_BUTTON, SETUP_START))]


def notice_card(text: str) -> Element:
    """A card holding one short message, where only a card can answer (Action.Execute)."""
    return card(text_block(text))


def help_card(roles: Collection[Role], mention: str | None = None) -> Element:
    """List the commands and capabilities for the person's roles. `mention` is the bot's name
    in a group chat or channel, where only @mentioned messages reach it."""
    body = [
        text_block("What I can do for you", weight="Bolder", size="Medium"),
        fact_set(commands_for(roles, mention)),
    ]
    if mention is not None:
        body.append(text_block(mention_hint(mention), weight="Bolder"))
    body += [text_block(plan, subtle=True) for plan in plans_for(roles)]
    body += setup_button(roles, mention)
    return card(*body)
