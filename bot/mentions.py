"""Remove the bot's own @mention from a message; keep the names of other people mentioned.

The scan is linear: each `<at` is matched with the next `>` and the next `</at>` by `str.find`,
and a tag that is never closed ends the scan, so no input can make it backtrack (a regex with
`.*?` took 19 s on 112 KB of `<at>`). The edge also caps the text before it gets here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botbuilder.schema import Activity

_OPEN = "<at"
_CLOSE = "</at>"
MAX_MENTIONS = 50
"""Mention entities looked at; Teams sends one per person mentioned, and messages are capped."""


_ASCII_LOWER = str.maketrans("AT", "at")
"""Only the letters of the tags are folded: str.lower() can change a string's length."""


def _tags(text: str) -> Iterable[tuple[int, int, int, int]]:
    """(tag start, inner start, inner end, tag end) of each complete `<at ...>...</at>`."""
    lowered = text.translate(_ASCII_LOWER)
    position = 0
    while True:
        start = lowered.find(_OPEN, position)
        if start < 0:
            return
        after = start + len(_OPEN)
        if after < len(text) and (text[after].isalnum() or text[after] == "_"):
            position = after  # `<atom>` and the like are not mention tags
            continue
        inner = lowered.find(">", after)
        close = lowered.find(_CLOSE, inner + 1) if inner >= 0 else -1
        if close < 0:
            return  # nothing after this point can close a tag either
        yield start, inner + 1, close, close + len(_CLOSE)
        position = close + len(_CLOSE)


def unwrap_mentions(text: str) -> str:
    """Every `<at>Name</at>` replaced by `Name`."""
    parts, position = [], 0
    for start, inner, inner_end, end in _tags(text):
        parts += [text[position:start], text[inner:inner_end]]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _without_leading_tag(text: str) -> str:
    stripped = text.lstrip()
    for start, _inner, _inner_end, end in _tags(stripped):
        return " " + stripped[end:] if start == 0 else text
    return text


def strip_bot_mention(text: str, mentions: Iterable[tuple[str, str]], bot_id: str) -> str:
    """`mentions` are (mentioned id, mention text such as `<at>Bot</at>`) pairs.

    The bot's mention is removed; other `<at>` tags keep their inner text, because "what's
    <at>Lee Gu</at>'s caller id" names its subject that way.
    """
    found_bot = False
    for mentioned_id, mention_text in mentions:
        if mentioned_id == bot_id and mention_text:
            text = text.replace(mention_text, " ")
            found_bot = True
    if not found_bot:
        # A client that omits mention entities: in a chat with the bot a leading mention is it.
        text = _without_leading_tag(text)
    return " ".join(unwrap_mentions(text).split())


def _entity_fields(entity: Any) -> dict[str, Any]:
    # msrest keeps an Entity's `text` and `mentioned` in additional_properties.
    if isinstance(entity, dict):
        return entity
    return {**(getattr(entity, "additional_properties", None) or {}), "type": entity.type}


def _mention_pairs(activity: Activity) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for entity in activity.entities or ():
        data = _entity_fields(entity)
        if str(data.get("type", "")).lower() != "mention":
            continue
        mentioned = data.get("mentioned")
        mentioned_id = mentioned.get("id", "") if isinstance(mentioned, dict) else ""
        pairs.append((str(mentioned_id), str(data.get("text") or "")))
        if len(pairs) >= MAX_MENTIONS:
            break
    return pairs


def text_without_bot_mention(activity: Activity) -> str:
    bot_id = activity.recipient.id if activity.recipient and activity.recipient.id else ""
    return strip_bot_mention(activity.text or "", _mention_pairs(activity), bot_id)
