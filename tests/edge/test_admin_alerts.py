"""A broken setup found by a caller-ID answer is reported to the admins once, truthfully."""

from __future__ import annotations

from tests.edge.teams import Teams, personal

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


async def test_an_admin_asking_about_someone_else_notifies_nobody(teams: Teams) -> None:
    await teams.ask("megan", "help")
    teams.connector.clear()
    reply = await teams.ask("megan", "which number does Lynne Robbins call out as?")
    assert _to_megan(teams) == [reply.text]
    assert "notified" not in reply.text
