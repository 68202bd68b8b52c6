"""The one-welcome-per-conversation claim: an insert-if-absent document in the bot state store.

A flag in conversation state did not hold under concurrency: a conversation without state has
no e-tag, so every simultaneous turn overwrote it and sent its own welcome. Writing the claim
with the empty e-tag ("must not exist") lets exactly one writer win, in one process or across
replicas, because the database decides.
"""

from __future__ import annotations

import logging

from botbuilder.schema import Activity

from sharedcalling.services.ports import BotStateStore, StateConflict

logger = logging.getLogger(__name__)

MUST_NOT_EXIST = ""
"""The BotStateStore e-tag meaning "create, and fail if it exists"."""


def welcome_key(activity: Activity) -> str:
    conversation = activity.conversation.id if activity.conversation else ""
    return f"{activity.channel_id or 'unknown'}/welcome/{conversation}"


async def claim_welcome(store: BotStateStore, activity: Activity) -> bool:
    """Whether this turn may send the welcome: True for exactly one caller per conversation."""
    try:
        await store.write(welcome_key(activity), {"welcomed": True}, expected_etag=MUST_NOT_EXIST)
    except StateConflict:
        logger.info("Welcome already claimed for this conversation")
        return False
    return True


async def release_welcome(store: BotStateStore, activity: Activity) -> None:
    """Give the claim back when the welcome was not sent."""
    await store.delete([welcome_key(activity)])
