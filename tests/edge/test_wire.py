"""bot.wire reads and writes schema models exactly as msrest does, only faster and stricter."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import (
    Activity,
    AdaptiveCardInvokeResponse,
    ChannelAccount,
    ConversationParameters,
    Mention,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import wire

SERVICE = "https://smba.trafficmanager.net/amer/"
TEAMS_ACTIVITIES: dict[str, dict[str, Any]] = {
    "channel message with mentions": {
        "type": "message", "id": "1700000000001", "timestamp": "2026-03-01T12:34:56.7891234Z",
        "localTimestamp": "2026-03-01T13:34:56.789+01:00", "serviceUrl": SERVICE,
        "channelId": "msteams", "from": {"id": "29:1abc", "name": "Lee Gu",
                                         "aadObjectId": "00000000-0000-4000-8000-000000000004"},
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": "t",
                         "id": "19:voice@thread.tacv2;messageid=1700000000000"},
        "recipient": {"id": "28:bot", "name": "Shared Calling"},
        "textFormat": "plain", "locale": "en-US",
        "text": "<at>Shared Calling</at> what's <at>Lee Gu</at>'s caller id",
        "entities": [
            {"type": "mention", "text": "<at>Shared Calling</at>",
             "mentioned": {"id": "28:bot", "name": "Shared Calling"}},
            {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web"},
        ],
        "channelData": {"teamsChannelId": "19:voice@thread.tacv2", "tenant": {"id": "t"},
                        "team": {"id": "19:team@thread.tacv2"}},
        "attachments": [{"contentType": "text/html", "content": "<div>hi</div>"}],
    },
    "conversation update": {
        "type": "conversationUpdate", "id": "f:1", "channelId": "msteams", "serviceUrl": SERVICE,
        "from": {"id": "29:1abc"}, "recipient": {"id": "28:bot"},
        "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "t"},
        "membersAdded": [{"id": "28:bot"}, {"id": "29:1abc", "aadObjectId": "x", "extra": 1}],
        "membersRemoved": [], "channelData": {"tenant": {"id": "t"}, "eventType": "x"},
    },
    "card action invoke": {
        "type": "invoke", "name": "adaptiveCard/action", "id": "f:2", "channelId": "msteams",
        "serviceUrl": SERVICE, "from": {"id": "29:1abc"}, "recipient": {"id": "28:bot"},
        "conversation": {"id": "a:1"}, "replyToId": "1700000000002",
        "value": {"action": {"type": "Action.Execute", "verb": "callerid.pick",
                             "data": {"userId": "u", "nested": {"list": [1, 2.5, None, True]}}},
                  "trigger": "manual"},
        "relatesTo": {"activityId": "1", "conversation": {"id": "a:1"}, "channelId": "msteams",
                      "serviceUrl": SERVICE, "bot": {"id": "28:bot"}},
        "unknownTopLevel": {"kept": True},
    },
    "installation update": {
        "type": "installationUpdate", "action": "add", "id": "f:3", "channelId": "msteams",
        "serviceUrl": SERVICE, "from": {"id": "29:1abc"}, "recipient": {"id": "28:bot"},
        "conversation": {"id": "a:1"}, "suggestedActions": {"to": ["a"], "actions": [
            {"type": "imBack", "title": "Help", "value": "help"}]},
    },
}  # fmt: skip


def _msrest(data: dict[str, Any]) -> Activity:
    return Activity().deserialize(data)


def _same(ours: Any, theirs: Any) -> None:
    assert ours.serialize() == theirs.serialize()
    assert ours.additional_properties == theirs.additional_properties


@pytest.mark.parametrize("name", list(TEAMS_ACTIVITIES))
def test_teams_activities_read_as_msrest_reads_them(name: str) -> None:
    data = TEAMS_ACTIVITIES[name]
    ours, theirs = wire.from_json(Activity, data), _msrest(data)
    _same(ours, theirs)
    for mine, its in zip(ours.entities or (), theirs.entities or (), strict=True):
        assert mine.additional_properties == its.additional_properties
    for mine, its in zip(ours.members_added or (), theirs.members_added or (), strict=True):
        assert mine.additional_properties == its.additional_properties
    assert ours.timestamp == theirs.timestamp


def test_replies_write_as_msrest_writes_them() -> None:
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "x"}]}
    reply = MessageFactory.attachment(CardFactory.adaptive_card(card), text="**You** call out as")
    reply.entities = [Mention(mentioned=ChannelAccount(id="29:x", name="X"), text="<at>X</at>",
                              type="mention")]  # fmt: skip
    reply.timestamp = datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)
    reply.conversation = None
    assert json.loads(wire.dumps(reply)) == reply.serialize()


def test_models_nested_in_object_fields_are_written_too() -> None:
    response = AdaptiveCardInvokeResponse(status_code=200, type="t", value={"card": {"a": 1}})
    parameters = ConversationParameters(is_group=False, members=[ChannelAccount(id="29:x")])
    wrapped = {"body": response, "list": [parameters], "when": datetime(2026, 1, 1, tzinfo=UTC)}
    assert json.loads(wire.dumps(wrapped)) == {
        "body": response.serialize(),
        "list": [parameters.serialize()],
        "when": "2026-01-01T00:00:00.000Z",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("timestamp", "x"), ("entities", "x"), ("membersAdded", [1]), ("text", 5),
     ("from", []), ("attachments", {"a": 1}), ("entities", [{"type": 5}]), ("id", True)],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_refused_naming_the_field(field: str, value: Any) -> None:
    with pytest.raises(wire.WireError, match=f"activity.{field}"):
        wire.from_json(Activity, {"type": "message", field: value})


_json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_json = st.recursive(_json_leaf, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                     max_leaves=10)  # fmt: skip
_account = st.fixed_dictionaries(
    {"id": st.text(min_size=1)}, optional={"name": st.text(), "aadObjectId": st.text(),
                                           "role": st.sampled_from(["user", "bot"])},
)  # fmt: skip
_activities = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "invoke", "conversationUpdate", "event"])},
    optional={
        "id": st.text(), "text": st.text(), "name": st.text(), "channelId": st.text(),
        "from": _account, "recipient": _account, "membersAdded": st.lists(_account, max_size=3),
        "conversation": st.fixed_dictionaries(
            {"id": st.text()}, optional={"isGroup": st.booleans()}
        ),
        "value": _json, "channelData": _json, "entities": st.lists(
            st.fixed_dictionaries({"type": st.text()}, optional={"text": st.text(), "x": _json}),
            max_size=3),
        "extraField": _json,
    },
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(_activities)
def test_any_well_typed_activity_reads_as_msrest_reads_it(data: dict[str, Any]) -> None:
    _same(wire.from_json(Activity, data), _msrest(data))
