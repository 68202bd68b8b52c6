"""Asks the running Agents Playground's bot one question, without a browser, and prints the reply.

Starts nothing: run `make run` and `make playground` first. Exit status 0 when the bot answered,
1 when it did not within the timeout, 2 when the Playground is not reachable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass, replace
from typing import Any

import aiohttp

DEFAULT_URL = "http://127.0.0.1:56150"
DEFAULT_QUESTION = "which number do I call out as?"
# The Playground's own API, read from its served code (see docs/playground.md): the web client
# reads the config, posts what the user typed, and hears the bot's replies on a websocket.
CONFIG_PATH = "/_internal/v1/config"
MESSAGES_PATH = "/_conversation/v1/conversations/{conversation_id}/messages"
STREAM_PATH = "/_ws_conversation/v1/conversations/stream"
BOT_ACTIONS = frozenset({"createMessage", "updateMessage"})


@dataclass(frozen=True)
class Target:
    """Who speaks where: the current user's channel id and the conversation to post in."""

    user_id: str
    user_name: str
    bot_id: str
    conversation_id: str


def _target(config: dict[str, Any], chat: str) -> Target:
    settings = config["config"]
    conversations = {
        "personal": settings["personalChat"]["id"],
        "group": settings["groupChats"][0]["id"],
        "team": settings["teams"][0]["id"],
    }
    user = settings["currentUser"]
    return Target(user["id"], user["name"], settings["bot"]["id"], conversations[chat])


def _card_lines(node: Any) -> list[str]:
    """Every TextBlock/FactSet text in a card, in order: enough to read the answer."""
    if isinstance(node, list):
        return [line for item in node for line in _card_lines(item)]
    if not isinstance(node, dict):
        return []
    lines = [str(node["text"])] if node.get("type") == "TextBlock" and "text" in node else []
    if node.get("type") == "FactSet":
        lines += [f"{fact.get('title')}: {fact.get('value')}" for fact in node.get("facts", [])]
    for key in ("body", "items", "columns", "actions", "card"):
        lines += _card_lines(node.get(key))
    return lines


def describe(message: dict[str, Any]) -> str:
    """A plain-text rendering of one bot message: its text, then each card's texts."""
    parts = [message["text"]] if message.get("text") else []
    for attachment in message.get("attachments") or []:
        parts.append(f"[{attachment.get('contentType')}]")
        parts += [f"  {line}" for line in _card_lines(attachment.get("content"))]
    return "\n".join(parts)


def _is_reply(event: dict[str, Any], target: Target, since_ms: int) -> bool:
    message = event.get("message") or {}
    return (
        event.get("action") in BOT_ACTIONS
        and event.get("actionConversationId") == target.conversation_id
        and (message.get("from") or {}).get("id") == target.bot_id
        # Replies buffered before we connected (a welcome card, say) are not answers to us.
        and int(message.get("timestamp", 0)) >= since_ms
    )


async def ask(url: str, question: str, chat: str, wait_seconds: float) -> list[dict[str, Any]]:
    """Post `question` as the Playground's current user; collect the bot's replies until quiet."""
    async with aiohttp.ClientSession(base_url=url) as session:
        async with session.get(CONFIG_PATH) as response:
            response.raise_for_status()
            target = _target(await response.json(), chat)
        async with session.ws_connect(STREAM_PATH) as socket:
            since_ms = int(time.time() * 1000) - 1000
            body: dict[str, Any] = {
                "from": {"id": target.user_id},
                "text": question,
                "textFormat": "plain",
            }
            if chat != "personal":
                # Outside a personal chat the bot only hears messages that mention it.
                body["text"] = f"<at>Shared Calling</at> {question}"
                body["mentions"] = [
                    {"mentioned": {"id": target.bot_id}, "text": "<at>Shared Calling</at>"}
                ]
            path = MESSAGES_PATH.format(conversation_id=target.conversation_id)
            async with session.post(path, json=body) as response:
                response.raise_for_status()
                posted = await response.json()
            # A channel message starts a thread of its own: the bot answers in that thread.
            thread_id = posted.get("postConversationId") or target.conversation_id
            return await _collect(
                socket, replace(target, conversation_id=thread_id), since_ms, wait_seconds
            )


async def _collect(
    socket: aiohttp.ClientWebSocketResponse, target: Target, since_ms: int, wait_seconds: float
) -> list[dict[str, Any]]:
    replies: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        # After the first reply, a short quiet spell means the bot has finished answering.
        wait = min(deadline - time.monotonic(), 2.0 if replies else wait_seconds)
        try:
            frame = await socket.receive(timeout=max(wait, 0.01))
        except TimeoutError:
            break
        if frame.type is not aiohttp.WSMsgType.TEXT:
            break
        event = json.loads(frame.data)
        if _is_reply(event, target, since_ms):
            replies.append(event["message"])
    return replies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question", nargs="?", default=DEFAULT_QUESTION)
    parser.add_argument("--url", default=DEFAULT_URL, help="the Playground, default %(default)s")
    parser.add_argument("--chat", choices=("personal", "group", "team"), default="personal")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    try:
        replies = asyncio.run(ask(args.url, args.question, args.chat, args.timeout))
    except aiohttp.ClientError as error:
        sys.stderr.write(f"Cannot reach the Playground at {args.url}: {error}\n")
        sys.stderr.write("Start it with `make playground` (and the bot with `make run`).\n")
        return 2
    if not replies:
        sys.stderr.write(f"No reply from the bot within {args.timeout:.0f}s.\n")
        return 1
    for reply in replies:
        sys.stdout.write(describe(reply) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
