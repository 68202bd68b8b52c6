"""Commands and views: my requests, pending approvals, show request, refresh, paging, export."""

from __future__ import annotations

import csv
import io
import json
import re

from cards.actions import APPROVAL_APPROVE, APPROVAL_PAGE, APPROVAL_REFRESH, APPROVAL_REJECT
from sharedcalling.services.audit import CSV_COLUMNS
from tests.edge.approvals.kit import Desk, card_text, verbs_of
from tests.edge.teams import execute_invoke


async def test_my_requests_and_pending_approvals_list_what_each_person_may_act_on(
    desk: Desk,
) -> None:
    await desk.meet("megan", "alex", "miriam", "lee")
    request = await desk.submit()
    mine = await desk.teams.ask("megan", "my requests")
    assert request.id in card_text(mine.cards[0])
    waiting = await desk.teams.ask("alex", "pending approvals")
    assert request.id in card_text(waiting.cards[0])
    await desk.click("alex", APPROVAL_APPROVE, request)
    await desk.applies_settled()  # its apply messages Alex too; not in reply to what he asks
    assert (await desk.teams.ask("alex", "pending approvals")).text == (
        "Nothing waits for your decision."
    )
    assert "Only approvers" in (await desk.teams.ask("lee", "pending approvals")).text
    assert "not submitted any" in (await desk.teams.ask("lee", "my requests")).text


async def test_show_request_gives_each_viewer_their_own_view_and_hides_it_from_others(
    desk: Desk,
) -> None:
    await desk.meet("megan", "alex", "miriam", "lee")
    request = await desk.submit()
    typed = request.id.lower()[:7] + " " + request.id.lower()[7:]  # as people type it
    shown = await desk.teams.ask("miriam", f"show request {typed}")
    assert APPROVAL_APPROVE in verbs_of(shown.cards[0])
    requester = await desk.teams.ask("megan", f"show request {request.id}")
    assert APPROVAL_APPROVE not in verbs_of(requester.cards[0])
    hidden = await desk.teams.ask("lee", f"show request {request.id}")
    unknown = await desk.teams.ask("lee", "show request SC-ZZZZZZZZ")
    assert hidden.text == unknown.text.replace("SC-ZZZZZZZZ", request.id)
    assert hidden.cards == []


async def test_an_automatic_refresh_answers_each_viewer_with_their_view(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    data = {"requestId": request.id, "page": 0}
    for person, has_buttons in (("alex", True), ("megan", False), ("lee", False)):
        invoke = execute_invoke(desk.connector, person, APPROVAL_REFRESH, data)
        invoke["value"]["trigger"] = "automatic"
        body = await (await desk.teams.post(invoke, expect=200)).json()
        assert body["type"] == "application/vnd.microsoft.card.adaptive"
        if person == "lee":
            assert "can't find request" in card_text(body["value"])
        else:
            assert (APPROVAL_APPROVE in verbs_of(body["value"])) is has_buttons


async def test_a_refresh_that_fails_still_answers_with_a_card(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    request = await desk.submit()
    engine = desk.services.uow._engine  # type: ignore[attr-defined]
    await engine.dispose()
    from sqlalchemy import text

    async with engine.begin() as connection:
        await connection.execute(text("UPDATE change_requests SET plan = '\"broken\"'"))
    body = await desk.invoke("alex", APPROVAL_REFRESH, {"requestId": request.id})
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "can't show this request right now" in card_text(body["value"])


async def test_paging_shows_the_next_page_of_the_plan(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    users = [f"00000000-0000-4000-9000-{n:012d}" for n in range(1, 21)]
    request = await desk.submit(users=users)  # type: ignore[arg-type]
    body = await desk.click("alex", APPROVAL_PAGE, request, page=1)
    text = card_text(body["value"])
    assert "page 2 of" in text
    assert "26. " in text
    assert APPROVAL_APPROVE in verbs_of(body["value"])


async def test_audit_export_is_a_single_use_link_for_admins_and_approvers_only(desk: Desk) -> None:
    await desk.meet("megan", "alex", "miriam")
    await desk.submit()
    refused = await desk.teams.ask("lee", "audit export")
    assert refused.text == "Only admins and approvers can export the audit trail."
    rows = await desk.audit_rows()
    assert rows[-1]["details"]["refusal"] == "not_admin_or_approver"

    reply = await desk.teams.ask("alex", "audit export")
    found = re.findall(r"\[(CSV|JSON)\]\(([^)]+)\)", reply.text)
    links = {fmt.lower(): url for fmt, url in found}
    assert set(links) == {"csv", "json"}
    path = links["json"].split("3978", 1)[1]
    first = await desk.teams.client.get(path)
    assert first.status == 200
    assert "attachment" in first.headers["Content-Disposition"]
    exported = json.loads(await first.text())
    assert exported["verified"] is True
    assert len(exported["entries"]) == len(rows)
    again = await desk.teams.client.get(path)
    assert again.status == 410  # single use
    csv_path = links["csv"].split("3978", 1)[1]
    desk.clock.advance(minutes=11)
    expired = await desk.teams.client.get(csv_path)
    assert expired.status == 410


async def test_the_csv_export_has_a_header_and_one_row_per_entry_with_its_chain_hash(
    desk: Desk,
) -> None:
    await desk.meet("megan", "alex", "miriam", "lee")
    request = await desk.submit()
    await desk.click("lee", APPROVAL_APPROVE, request)  # refused: audited too
    await desk.click("miriam", APPROVAL_REJECT, request, reason='=HYPERLINK("x") not now')
    reply = await desk.teams.ask("alex", "audit export csv")
    [link] = re.findall(r"\[CSV\]\(([^)]+)\)", reply.text)
    rows = await desk.audit_rows()

    response = await desk.teams.client.get(link.split("3978", 1)[1])
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "audit.csv" in response.headers["Content-Disposition"]
    header, *lines = list(csv.reader(io.StringIO(await response.text())))
    assert tuple(header) == CSV_COLUMNS
    assert [int(line[0]) for line in lines] == [r["seq"] for r in rows]
    exported = [dict(zip(header, line, strict=True)) for line in lines]
    for row, line in zip(rows, exported, strict=True):
        assert line["hash"] == row["hash"]
        assert (line["event"], line["outcome"]) == (row["event"], row["outcome"])
        assert line["request_id"] == (row["request_id"] or "")
        assert line["actor_id"] == row["actor_id"]
    # Each hash is the next entry's prev_hash in the store: the exported order is the chain's.
    assert [r["prev_hash"] for r in rows[1:]] == [line["hash"] for line in exported[:-1]]
    [rejected] = [line for line in exported if line["to_state"] == "REJECTED"]
    assert rejected["reason"].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    assert [line["outcome"] for line in exported].count("refused") == 1
