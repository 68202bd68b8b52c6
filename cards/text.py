"""Text as cards show it: phone numbers that never break across lines."""

from __future__ import annotations

from sharedcalling.services.numbering import display_number

NO_BREAK_SPACE = "\u00a0"
NO_BREAK_HYPHEN = "\u2011"


def unbroken(text: str) -> str:
    """`text` with its spaces and hyphens made non-breaking, so it wraps only around it."""
    return text.replace(" ", NO_BREAK_SPACE).replace("-", NO_BREAK_HYPHEN)


def phone(number: str) -> str:
    """A phone number in international format that Teams never wraps in the middle
    (`+1 425-555-0100` with a no-break space and no-break hyphens)."""
    return unbroken(display_number(number))
