"""The one-line notice a card shows above its content (a request card, a set-up step)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tone(StrEnum):
    """How the notice is shown; the values are Adaptive Card container styles."""

    PLAIN = "emphasis"
    INFO = "accent"
    GOOD = "good"
    WARNING = "warning"
    ATTENTION = "attention"


@dataclass(frozen=True, slots=True)
class Notice:
    text: str
    tone: Tone = Tone.PLAIN
    lines: tuple[str, ...] = ()
    """Details under the text (a set-up step lists what it could not add)."""
