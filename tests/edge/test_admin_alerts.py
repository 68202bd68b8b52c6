"""A broken setup found by a caller-ID answer is reported to the admins once, truthfully."""

from __future__ import annotations

from app import SERVICES
from sharedcalling.domain.tenant import PolicyType, SharedCallingPolicy
from tests.demo_ids import LYNNE, RA_BERLIN
from tests.edge.teams import Teams, personal
from tests.fakes.fake_connector import Sent

NOTIFIED = "An admin has been notified"
ASK_ADMIN = "Please ask a voice admin to fix it"


def _to_megan(teams: Teams) -> list[str]:
    chat = personal("megan").conversation["id"]
    return [s.text for s in teams.connector.messages() if s.conversation_id == chat]


async def test_no_admin_reachable_means_the_answer_does_not_claim_a_notification(
    teams: Teams,
) -> None:
    reply = await teams.ask("lynne", "which number do I call out as?")
    assert "inconsistent" in reply.text.lower() or "SC-U07" in reply.text
    assert "please ask a voice admin to fix it" in reply.text
    assert NOTIFIED.lower() not in str(reply.activity).lower()
    assert _to_megan(teams) == []


async def test_admins_are_told_once_per_person_and_cause_and_the_answer_says_so(
    teams: Teams,
) -> None:
    await teams.ask("lynne", "which number do I call out as?")  # nobody reachable yet
    await teams.ask("megan", "help")
    teams.connector.clear()

    sent = await teams.say("lynne", "which number do I call out as?")
    [reply] = [s for s in sent if s.conversation_id == personal("lynne").conversation["id"]]
    [told] = _to_megan(teams)
    assert "Lynne Robbins" in told
    assert "SC-U07" in told
    assert "an admin has been notified" in reply.text
    assert NOTIFIED in str(reply.cards)
    assert ASK_ADMIN not in str(reply.cards)

    again = await teams.ask("lynne", "what is my caller id")
    assert len(_to_megan(teams)) == 1  # de-duplicated
    assert "an admin has been notified" in again.text


async def test_another_cause_for_the_same_person_is_reported_once_more(teams: Teams) -> None:
    await teams.ask("megan", "help")
    teams.connector.clear()
    await _lynne_asks(teams, "which number do I call out as?")
    [first] = _to_megan(teams)
    assert "SC-U07" in first

    # Someone fixes her voice routing but moves her to the Berlin resource account and takes
    # its PSTN usages away: its Direct Routing number cannot call out (SC-R08), another cause.
    tenant = teams.client.app[SERVICES].tenant
    await tenant.create_shared_calling_policy(SharedCallingPolicy("Berlin", RA_BERLIN))
    await tenant.grant_policy(PolicyType.VOICE_ROUTING, RA_BERLIN, "NoPSTN")
    await tenant.grant_policy(PolicyType.SHARED_CALLING, LYNNE, "Berlin")
    await tenant.grant_policy(PolicyType.VOICE_ROUTING, LYNNE, "NoPSTN")
    reply = await _lynne_asks(teams, "which number do I call out as?")
    told = _to_megan(teams)
    assert len(told) == 2
    assert "Lynne Robbins" in told[1]
    assert "SC-R08" in told[1]
    assert "SC-U07" not in told[1]
    assert "an admin has been notified" in reply.text

    again = await _lynne_asks(teams, "what is my caller id")
    assert len(_to_megan(teams)) == 2  # this cause is de-duplicated as well
    assert "an admin has been notified" in again.text


async def _lynne_asks(teams: Teams, text: str) -> Sent:
    """Her answer (the admins' notices go to other chats in the same turn)."""
    sent = await teams.say("lynne", text)
    [reply] = [s for s in sent if s.conversation_id == personal("lynne").conversation["id"]]
    return reply


async def test_an_admin_asking_about_someone_else_notifies_nobody(teams: Teams) -> None:
    await teams.ask("megan", "help")
    teams.connector.clear()
    reply = await teams.ask("megan", "which number does Lynne Robbins call out as?")
    assert _to_megan(teams) == [reply.text]
    assert "notified" not in reply.text
