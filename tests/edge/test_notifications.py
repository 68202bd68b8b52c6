"""Proactive messages through the Notifier port: references captured in turns, sends, updates."""

from __future__ import annotations

import pytest

from app import SERVICES
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.services.notifier import Delivery, OutboundMessage, Unreachable
from tests.edge.teams import GROUP_CHAT, Teams, object_id, personal

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hi"}]}


def services(teams: Teams):  # type: ignore[no-untyped-def]
    return teams.client.app[SERVICES]


@pytest.mark.parametrize("person", ["alex"])
async def test_someone_who_talked_to_the_bot_gets_a_proactive_card_and_its_update(
    teams: Teams, person: str
) -> None:
    await teams.ask(person, "help")
    svc = services(teams)
    tenant = TenantId(svc.tenant_id)
    teams.connector.clear()

    delivery = await svc.notifier.send_to_user(
        tenant, UserId(object_id(person)), OutboundMessage("Please approve", CARD)
    )
    [sent] = teams.connector.sent
    assert (sent.method, sent.conversation_id) == ("POST", personal(person).conversation["id"])
    assert sent.activity_id is None  # a new message, not a reply to the old one
    assert sent.text == "Please approve"
    assert sent.activity["from"]["id"] == "28:shared-calling-bot"
    assert sent.activity["recipient"]["aadObjectId"] == object_id(person)
    assert "replyToId" not in sent.activity
    assert sent.cards == [CARD]
    assert delivery.conversation_id == sent.conversation_id
    assert delivery.activity_id

    updated = {**CARD, "body": [{"type": "TextBlock", "text": "Approved"}]}
    await svc.notifier.update(tenant, delivery, OutboundMessage("Approved", updated))
    put = teams.connector.sent[-1]
    assert (put.method, put.activity_id) == ("PUT", delivery.activity_id)
    assert put.cards == [updated]
    # One message replaces one: text beside the card would make the update two messages,
    # which Teams refuses; the text goes to the summary that notifications show.
    assert "text" not in put.activity
    assert put.activity["summary"] == "Approved"


async def test_someone_the_bot_never_met_is_unreachable(teams: Teams) -> None:
    await teams.ask("alex", "help")
    svc = services(teams)
    with pytest.raises(Unreachable):
        await svc.notifier.send_to_user(
            TenantId(svc.tenant_id), UserId(object_id("miriam")), OutboundMessage("x")
        )


async def test_a_group_chat_is_not_anyones_personal_chat(teams: Teams) -> None:
    await teams.ask("miriam", "help", GROUP_CHAT)
    svc = services(teams)
    with pytest.raises(Unreachable):
        await svc.notifier.send_to_user(
            TenantId(svc.tenant_id), UserId(object_id("miriam")), OutboundMessage("x")
        )


async def test_a_removed_conversation_is_reported_unreachable_without_an_apology(
    teams: Teams,
) -> None:
    await teams.ask("alex", "help")
    svc = services(teams)
    teams.connector.clear()
    teams.connector.fail(403)
    with pytest.raises(Unreachable):
        await svc.notifier.send_to_user(
            TenantId(svc.tenant_id), UserId(object_id("alex")), OutboundMessage("x")
        )
    assert [s for s in teams.connector.sent if s.method == "POST"] == []


async def test_updating_an_unknown_conversation_is_unreachable(teams: Teams) -> None:
    svc = services(teams)
    with pytest.raises(Unreachable):
        await svc.notifier.update(
            TenantId(svc.tenant_id), Delivery("a:nobody", "1"), OutboundMessage("x")
        )
