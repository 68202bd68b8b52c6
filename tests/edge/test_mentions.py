from __future__ import annotations

from botbuilder.schema import Activity

from bot.mentions import strip_bot_mention, text_without_bot_mention

BOT = "28:bot-id"


def test_the_bot_mention_is_removed() -> None:
    text = "<at>Shared Calling</at> which number do I call out as?"
    assert strip_bot_mention(text, [(BOT, "<at>Shared Calling</at>")], BOT) == (
        "which number do I call out as?"
    )


def test_other_mentions_keep_the_name() -> None:
    text = "<at>Bot</at> what's <at>Lee Gu</at>'s caller id"
    mentions = [(BOT, "<at>Bot</at>"), ("29:lee", "<at>Lee Gu</at>")]
    assert strip_bot_mention(text, mentions, BOT) == "what's Lee Gu's caller id"


def test_a_leading_mention_without_entities_is_the_bot() -> None:
    assert strip_bot_mention("<at>Bot</at> caller id for Lee", [], BOT) == "caller id for Lee"


def test_the_mention_is_read_from_teams_entities() -> None:
    activity = Activity().deserialize(
        {
            "type": "message",
            "text": "<at>Bot</at> help",
            "recipient": {"id": BOT, "name": "Bot"},
            "entities": [
                {
                    "type": "mention",
                    "text": "<at>Bot</at>",
                    "mentioned": {"id": BOT, "name": "Bot"},
                },
                {"type": "clientInfo", "locale": "en-US"},
            ],
        }
    )
    assert text_without_bot_mention(activity) == "help"
