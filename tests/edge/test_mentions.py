from __future__ import annotations

import re
import time

import pytest
from botbuilder.schema import Activity
from hypothesis import given, settings
from hypothesis import strategies as st

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


# The regexes this module used before the scan; quadratic, but the reference for what it does.
_OLD_TAG = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_OLD_LEADING = re.compile(r"^\s*<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)


def _old_strip(text: str, mentions: list[tuple[str, str]], bot_id: str) -> str:
    found = False
    for mentioned_id, mention_text in mentions:
        if mentioned_id == bot_id and mention_text:
            text = text.replace(mention_text, " ")
            found = True
    if not found:
        text = _OLD_LEADING.sub(" ", text, count=1)
    return " ".join(_OLD_TAG.sub(lambda m: m.group(1), text).split())


_pieces = st.sampled_from(
    ["<at>", "</at>", "<AT>", "</At>", "<at ", "<atom>", "<at_x>", "<at-x>", ">", "<", "/",
     "at", "Bot", "Lee Gu", " ", "\n", "x", "İ", "ß", "é"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_pieces, max_size=14).map("".join), st.booleans())
def test_the_linear_scan_strips_exactly_what_the_regexes_stripped(text: str, entity: bool) -> None:
    mentions = [(BOT, "<at>Bot</at>")] if entity else []
    assert strip_bot_mention(text, mentions, BOT) == _old_strip(text, mentions, BOT)


PATHOLOGICAL_SECONDS = 2.0


@pytest.mark.parametrize(
    "text",
    ["<at>" * 250_000, "<at " * 250_000, "<at>x" * 200_000, "<AT>" + "a" * 1_000_000,
     "<at>" + "</a" * 300_000],
)  # fmt: skip
def test_pathological_inputs_of_a_megabyte_are_handled(text: str) -> None:
    # Each would take the regexes minutes; the scan passes over the text a few times
    # (hundredths of a second here), so the bound is generous and still fails anything quadratic.
    started = time.perf_counter()
    stripped = strip_bot_mention(text, [], BOT)
    elapsed = time.perf_counter() - started
    assert stripped == " ".join(text.split())
    assert elapsed < PATHOLOGICAL_SECONDS


def test_attributes_and_case_in_mention_tags_are_understood() -> None:
    text = '<AT id="0">Bot</AT> what\'s <at id="1">Lee Gu</at>\'s caller id'
    assert strip_bot_mention(text, [], BOT) == "what's Lee Gu's caller id"


def test_a_word_that_starts_with_at_is_not_a_tag() -> None:
    assert strip_bot_mention("<atom>x</at> help", [], BOT) == "<atom>x</at> help"
