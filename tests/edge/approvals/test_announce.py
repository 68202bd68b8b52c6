"""Announcing: approval cards to every approver, a status card to the requester, durably."""

from __future__ import annotations

from typing import Any

from cards.actions import APPROVAL_APPROVE, APPROVAL_REFRESH, APPROVAL_REJECT, REQUEST_CANCEL
from sharedcalling.domain.requests import RequestState
from sharedcalling.services.approvals.announce import announce_pending
from tests.demo_ids import ADELE, DIEGO, ISAIAH
from tests.edge.approvals.kit import Desk, card_text, facts_of, verbs_of
from tests.edge.teams import personal


async def test_submit_sends_approvers_the_card_and_the_requester_a_status_card(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    desk.connector.clear()
    request = await desk.submit()

    sent = {s.conversation_id: s for s in desk.connector.messages()}
    alex, miriam, megan = (
        sent[personal(p).conversation["id"]] for p in ("alex", "miriam", "megan")
    )
    for approver in (alex, miriam):
        [card] = approver.cards
        assert verbs_of(card) >= {APPROVAL_APPROVE, APPROVAL_REJECT}
        assert request.id in approver.text
        assert "Floor 3 pilot" in card_text(card)
        assert "Contoso Main Line" in card_text(card)
        assert "+1 425-555-0100" in card_text(card)
        assert "Diego Siciliani" in card_text(card)
    [status] = megan.cards
    assert APPROVAL_APPROVE not in verbs_of(status)
    assert REQUEST_CANCEL in verbs_of(status)
    copies = await desk.copies(request.id)
    assert sorted(c.purpose for c in copies) == ["approval", "approval", "status"]
    assert len(desk.connector.messages()) == 3


async def test_the_approval_card_shows_policy_numbers_counts_and_findings(desk: Desk) -> None:
    """What an approver decides on: not only who asks for whom, but the policy, its emergency
    callback numbers, how many users change, and the findings that block or warn."""
    await desk.meet("megan", "alex", "miriam")
    desk.connector.clear()
    # Diego changes, Adele already has it all, Isaiah has no Teams Phone license (SC-U03).
    request = await desk.submit(
        users=(DIEGO, ADELE, ISAIAH), emergency_numbers=("+14255550191", "+14255550192")
    )
    sent = {s.conversation_id: s for s in desk.connector.messages()}
    cards = [sent[personal(p).conversation["id"]].cards[0] for p in ("alex", "miriam")]
    refreshed = await desk.invoke("alex", APPROVAL_REFRESH, {"requestId": request.id})
    cards.append(refreshed["value"])  # the approval view Teams shows Alex on a refresh

    for card in cards:
        assert verbs_of(card) >= {APPROVAL_APPROVE, APPROVAL_REJECT}
        facts = facts_of(card)
        assert facts["Shared Calling policy"] == "Seattle"
        assert facts["Emergency callback numbers"] == "+1 425-555-0191, +1 425-555-0192"
        assert facts["Users"] == "3: 1 change, 1 already compliant, 1 blocked"
        findings = _findings_text(card)
        assert "BLOCK SC-U03: Isaiah Langer" in findings
        assert "has no Teams Phone license" in findings
        [r07] = [line for line in findings.splitlines() if "SC-R07" in line]
        assert r07.startswith("- WARN SC-R07: Confirm Contoso Main Line")
        assert r07.endswith("(acknowledged)")  # the requester attested it at submit


def _findings_text(card: dict[str, Any]) -> str:
    body = card["body"]
    [at] = [i for i, n in enumerate(body) if n.get("text") == "Findings"]
    return str(body[at + 1]["text"])


async def test_a_crash_before_announcing_loses_nothing_and_nothing_is_sent_twice(
    desk: Desk,
) -> None:
    await desk.meet("megan", "alex", "miriam")
    desk.connector.clear()
    request = await desk.submit(announce=False)  # the process died before after_submit
    assert desk.connector.messages() == []

    assert await announce_pending(desk.services) == 1
    assert len(desk.connector.messages()) == 3
    assert await announce_pending(desk.services) == 1  # looked again: nothing missing
    assert len(desk.connector.messages()) == 3
    assert (await desk.request(request.id)).state is RequestState.PENDING


async def test_an_unreachable_approver_is_reported_once_and_gets_the_card_after_an_install(
    desk: Desk,
) -> None:
    await desk.meet("megan", "alex")  # Miriam never installed the app
    desk.connector.clear()
    request = await desk.submit()
    megan = [s for s in desk.connector.messages() if s.conversation_id == "a:personal-megan"]
    assert len(megan) == 1
    assert "couldn't reach Miriam Graham" in megan[0].text
    assert "approval.install" in verbs_of(megan[0].cards[0])

    await announce_pending(desk.services)  # no second report
    assert (
        len([s for s in desk.connector.messages() if s.conversation_id == "a:personal-megan"]) == 1
    )

    body = await desk.click("megan", "approval.install", request)
    assert "Installed the app for Miriam Graham" in card_text(body["value"])
    await desk.meet("miriam")  # Teams tells the bot: the app is in Miriam's personal scope
    desk.connector.clear()
    await announce_pending(desk.services)
    [card] = [s for s in desk.connector.messages() if s.conversation_id == "a:personal-miriam"]
    assert verbs_of(card.cards[0]) >= {APPROVAL_APPROVE}


async def test_a_connector_failing_at_submit_delays_the_cards_but_loses_none(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    desk.connector.clear()
    desk.connector.fail(500, times=50)  # every send of after_submit fails (retries included)
    request = await desk.submit()  # does not raise: the request is committed
    assert desk.connector.messages() == []
    desk.connector.failures.clear()

    await announce_pending(desk.services)
    chats = sorted(m.conversation_id for m in desk.connector.messages())
    assert chats == ["a:personal-alex", "a:personal-megan", "a:personal-miriam"]
    assert len(await desk.copies(request.id)) == 3
