"""What a dialog answers: one line of text and, usually, the card that replaces the clicked one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    card: dict[str, Any] | None = None
