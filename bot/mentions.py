"""Remove the bot's own @mention from a message; keep the names of other people mentioned."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from botbuilder.schema import Activity

_AT_TAG = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_LEADING_AT_TAG = re.compile(r"^\s*<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)


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
        text = _LEADING_AT_TAG.sub(" ", text, count=1)
    return " ".join(_AT_TAG.sub(lambda m: m.group(1), text).split())


def _mention_pairs(activity: Activity) -> list[tuple[str, str]]:
    pairs = []
    for entity in activity.entities or ():
        data: dict[str, Any] = entity.serialize() if hasattr(entity, "serialize") else dict(entity)
        if str(data.get("type", "")).lower() != "mention":
            continue
        mentioned = data.get("mentioned") or {}
        pairs.append((str(mentioned.get("id", "")), str(data.get("text") or "")))
    return pairs


def text_without_bot_mention(activity: Activity) -> str:
    bot_id = activity.recipient.id if activity.recipient and activity.recipient.id else ""
    return strip_bot_mention(activity.text or "", _mention_pairs(activity), bot_id)
