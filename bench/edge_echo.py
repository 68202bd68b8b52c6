"""The echo bot baselines of bench_edge: our own minimal bot on stock botbuilder 4.17.

    python -m bench.edge_echo --port 3979 [--tuned]

It answers every message with "You said: <text>" through botbuilder's CloudAdapter, exactly as
the botbuilder samples wire it (no app id, loopback). `--tuned` applies the one msrest fix the
project also applies (`ClientRetryPolicy.safe_codes` as a frozenset, bot/compat.py).
"""

from __future__ import annotations

import argparse

from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.compat import speed_up_retry_policy


class _NoCredentials:
    APP_ID = ""
    APP_PASSWORD = ""


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(
            MessageFactory.text(f"You said: {turn_context.activity.text}")
        )


def echo_app() -> web.Application:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(_NoCredentials()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tuned", action="store_true")
    args = parser.parse_args()
    if args.tuned:
        speed_up_retry_policy()
    web.run_app(echo_app(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
