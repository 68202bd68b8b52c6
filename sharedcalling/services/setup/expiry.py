"""Forgetting abandoned set-ups: their dialog state, once nobody touched it for the expiry."""

from __future__ import annotations

from datetime import timedelta

from sharedcalling.services.ports import BotStateStore, Clock

CONVERSATION_STATE_PREFIX = "msteams/conversations/"
"""Where Bot Framework conversation state lives for Teams (`{channelId}/conversations/{id}`).
It holds the dialog stack only, and only conversations that ran the set-up have it; a test
checks the key the edge really writes."""


async def forget_abandoned_setups(*, store: BotStateStore, clock: Clock, expiry: timedelta) -> int:
    """Delete the dialog state of conversations nobody touched for `expiry`; how many. A set-up
    is also refused as expired on its next action; this removes what nobody comes back to."""
    return await store.delete_untouched(CONVERSATION_STATE_PREFIX, before=clock.now() - expiry)
