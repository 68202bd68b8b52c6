"""Every refused click answers clearly, changes nothing and leaves exactly one audit entry."""

from __future__ import annotations

import pytest

from cards.actions import APPROVAL_APPROVE, APPROVAL_REJECT, REQUEST_CANCEL
from sharedcalling.domain.requests import RequestState
from sharedcalling.services.approvals.sweep import sweep
from tests.edge.approvals.kit import Desk, assert_only_refusal_audited, card_text, verbs_of, world
from tests.edge.teams import FOREIGN_TENANT_ID


@pytest.fixture
async def pending(desk: Desk):  # type: ignore[no-untyped-def]
    await desk.meet("megan", "alex", "miriam", "lee")
    return await desk.submit()


async def test_a_non_approver_cannot_approve(desk: Desk, pending) -> None:  # type: ignore[no-untyped-def]
    before = await world(desk, pending.id)
    body = await desk.click("lee", APPROVAL_APPROVE, pending)
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Only approvers can decide" in card_text(body["value"])
    entry = await assert_only_refusal_audited(desk, before, pending.id)
    assert entry["details"]["refusal"] == "not_an_approver"


async def test_the_requester_cannot_approve_their_own_request(desk: Desk) -> None:
    await desk.meet("alex", "miriam")
    own = await desk.submit("alex")  # Alex is an approver, but this request is his
    before = await world(desk, own.id)
    body = await desk.click("alex", APPROVAL_APPROVE, own)
    assert "Nobody can decide on their own request" in card_text(body["value"])
    assert APPROVAL_APPROVE not in verbs_of(body["value"])
    entry = await assert_only_refusal_audited(desk, before, own.id)
    assert entry["details"]["refusal"] == "own_request"


@pytest.mark.parametrize("ending", ["reject", "cancel", "expire"])
async def test_no_approval_after_the_request_ended(desk: Desk, pending, ending: str) -> None:  # type: ignore[no-untyped-def]
    if ending == "reject":
        await desk.click("miriam", APPROVAL_REJECT, pending, reason="Wrong floor")
        ended = RequestState.REJECTED
    elif ending == "cancel":
        await desk.click("megan", REQUEST_CANCEL, pending)
        ended = RequestState.CANCELLED
    else:
        desk.clock.advance(hours=71)
        await sweep(desk.services, lease_seconds=1)  # the reminder first
        desk.clock.advance(hours=2)
        await sweep(desk.services, lease_seconds=1)
        ended = RequestState.EXPIRED
    assert (await desk.request(pending.id)).state is ended
    before = await world(desk, pending.id)
    body = await desk.click("alex", APPROVAL_APPROVE, pending)
    assert f"is {ended.value}; cannot approve" in card_text(body["value"])
    entry = await assert_only_refusal_audited(desk, before, pending.id)
    assert entry["details"]["refusal"] == "not_allowed_in_state"


async def test_an_old_card_with_another_fingerprint_is_refused(desk: Desk, pending) -> None:  # type: ignore[no-untyped-def]
    before = await world(desk, pending.id)
    body = await desk.click("alex", APPROVAL_APPROVE, pending, fingerprint="sha256:" + "0" * 64)
    assert "older plan" in card_text(body["value"])
    entry = await assert_only_refusal_audited(desk, before, pending.id)
    assert entry["details"]["refusal"] == "fingerprint_mismatch"


async def test_a_forged_verb_is_refused(desk: Desk, pending) -> None:  # type: ignore[no-untyped-def]
    before = await world(desk, pending.id)
    body = await desk.click("alex", "approval.approve_all", pending)
    assert (body["statusCode"], body["value"]["message"]) == (400, "Unknown card action.")
    entry = await assert_only_refusal_audited(desk, before, pending.id)
    assert (entry["event"], entry["details"]["refusal"]) == (
        "approval.approve_all",
        "forged_action",
    )


@pytest.mark.parametrize("forged_id", ["SC-ZZZZZZZZ", "'; DROP TABLE x", 42, None])
async def test_a_forged_request_id_is_refused(desk: Desk, pending, forged_id: object) -> None:  # type: ignore[no-untyped-def]
    before = await world(desk, pending.id)
    body = await desk.invoke(
        "alex", APPROVAL_APPROVE, {"requestId": forged_id, "fingerprint": pending.fingerprint}
    )
    text = card_text(body["value"])
    assert "can't find request" in text or "not valid" in text
    await assert_only_refusal_audited(desk, before, pending.id)


async def test_an_action_from_another_tenant_is_refused(desk: Desk, pending) -> None:  # type: ignore[no-untyped-def]
    before = await world(desk, pending.id)
    body = await desk.click("alex", APPROVAL_APPROVE, pending, tenantId=FOREIGN_TENANT_ID)
    # Card data naming another tenant change nothing: the activity's tenant decides, and a
    # forged payload key is ignored (the approval counts for the activity's own tenant).
    assert body["statusCode"] == 200
    forged = await world(desk, pending.id)
    assert forged.request is not None
    assert len(forged.request.approvals) == 1
    await desk.applies_settled()  # the approval started an apply; let it finish first

    before = await world(desk, pending.id)
    from tests.edge.teams import execute_invoke

    invoke = execute_invoke(
        desk.connector, "miriam", APPROVAL_APPROVE,
        {"requestId": pending.id, "fingerprint": pending.fingerprint}, tenant_id=FOREIGN_TENANT_ID,
    )  # fmt: skip
    body = await (await desk.teams.post(invoke, expect=200)).json()
    assert body["statusCode"] == 403
    entry = await assert_only_refusal_audited(desk, before, pending.id)
    assert entry["details"]["refusal"] == "other_tenant"
    assert entry["details"]["tenant_id"] == FOREIGN_TENANT_ID


_NO_REASON = object()


@pytest.mark.parametrize(
    "reason",
    [_NO_REASON, "", "   \n\t", None, 42],
    ids=["missing", "empty", "blank", "null", "number"],
)
async def test_a_reject_without_a_reason_is_refused(desk: Desk, pending, reason: object) -> None:  # type: ignore[no-untyped-def]
    """The card requires a reason, but a forged invoke can leave it out: the server refuses."""
    before = await world(desk, pending.id)
    data = {} if reason is _NO_REASON else {"reason": reason}
    body = await desk.click("miriam", APPROVAL_REJECT, pending, **data)
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Give a reason to reject the request." in card_text(body["value"])
    assert {APPROVAL_APPROVE, APPROVAL_REJECT} <= verbs_of(body["value"])  # still hers to decide
    entry = await assert_only_refusal_audited(desk, before, pending.id)
    assert (entry["event"], entry["details"]["refusal"]) == ("reject", "reason_required")
    assert (await desk.request(pending.id)).state is RequestState.PENDING
