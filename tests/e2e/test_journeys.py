"""The product's journeys as people click them: real bot, real Playground, headless Chromium.

Screenshots go to the test's temporary folder; `E2E_SCREENSHOTS=docs/screenshots` writes the
key ones into the documentation instead (how the committed pictures were made).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.e2e.harness import (
    drive,
    require_tools,
    running_bot,
    running_playground,
    start_drive,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def plain(text: str) -> str:
    """Card text as typed: cards keep numbers together with no-break spaces and hyphens."""
    return text.replace("\u00a0", " ").replace("\u2011", "-")


def shots(tmp_path: Path) -> Path:
    wanted = os.environ.get("E2E_SCREENSHOTS")
    return Path(wanted).resolve() if wanted else tmp_path


def test_adele_asks_which_number_she_calls_out_as(tmp_path: Path) -> None:
    require_tools()
    with running_bot(tmp_path) as bot, running_playground(bot, "AdeleV", tmp_path) as playground:
        journey = drive(
            playground,
            [
                {"say": "which number do I call out as?"},
                {"waitCard": "Your caller ID"},
                {"screenshot": str(shots(tmp_path) / "e2e-1-adele-callerid.png")},
            ],
            tmp_path,
        )
    assert journey.failure is None, journey.failure
    [card] = [plain(text) for text in journey.cards()]
    assert "+1 425-555-0100" in card
    assert "auto attendant" in card.lower()
    assert "emergency" in card.lower()


MEGAN_SETUP: list[dict[str, object]] = [
    {"say": "set up shared calling"},
    {"waitLast": "step 1 of 6"},
    {"radio": "Contoso Main Line"},
    {"press": "Next"},
    {"waitLast": "step 2 of 6"},
    {"fill": {"label": "New policy name", "value": "Redmond pilot"}},
    {"press": "Next"},
    {"waitLast": "step 3 of 6"},
    {"checkbox": "0193"},
    {"press": "Add"},
    {"waitLast": "reused first"},
    {"press": "Next"},
    {"waitLast": "step 4 of 6"},
    {"fill": {"label": "Paste UPNs", "value": "DiegoS@contoso.example\nPradeepG@contoso.example"}},
    {"press": "Add"},
    {"waitLast": "Chosen: 2"},
    {"press": "Next"},
    {"waitLast": "step 5 of 6"},
    {"press": "Next"},
    {"waitLast": "step 6 of 6"},
    {"checkAll": True},
    {"fill": {"label": "Why are these changes needed", "value": "Pilot for two new hires"}},
]


def test_megan_sets_up_shared_calling_alex_approves_and_diego_calls_out_shared(
    tmp_path: Path,
) -> None:
    """Journeys 2 and 3: three people, three Playgrounds, one bot, one request.

    Alex's and Megan's pages stay open while the others act, as people keep Teams open: the
    approval card, the in-place updates and the report arrive live."""
    require_tools()
    out = shots(tmp_path)
    # Each grant takes 2 s and they run one at a time, as a busy tenant answers: long enough for
    # the progress that replaces the approval card in place to be seen (and photographed).
    slow_tenant = {
        "EMULATED_FAULTS": "grant_policy=delay:2",
        "APPLY_CONCURRENCY": "1",
        "APPLY_PROGRESS_INTERVAL_SECONDS": "2",
    }
    with (
        running_bot(tmp_path, **slow_tenant) as bot,
        running_playground(bot, "MeganB", tmp_path) as megan,
        running_playground(bot, "AlexW", tmp_path) as alex,
        running_playground(bot, "DiegoS", tmp_path) as diego,
    ):
        # Diego's page is open too: after the apply the bot tells him his new caller ID.
        diego_at_work = start_drive(
            diego,
            [
                {"waitCard": "your caller ID changed", "anywhere": True, "timeout": 180_000},
                {"shootCard": str(out / "e2e-3-diego-told.png")},
            ],
            tmp_path,
        )
        alex_at_work = start_drive(
            alex,
            [
                {"waitCard": "Redmond pilot", "anywhere": True, "timeout": 150_000},
                {"shootCard": str(out / "e2e-3-alex-approval.png")},
                {"press": "Approve"},
                # The card answers in place with his decision; the report follows.
                {"waitCard": "Alex Wilber approved at", "anywhere": True, "timeout": 30_000},
                {"shootCard": str(out / "e2e-3-alex-approved.png")},
                {"waitCard": "is applied", "anywhere": True, "timeout": 90_000},
                {"shootCard": str(out / "e2e-3-alex-report.png")},
            ],
            tmp_path,
        )
        try:
            setup = drive(
                megan,
                [
                    *MEGAN_SETUP,
                    {"shootCard": str(out / "e2e-2-megan-review.png")},
                    {"press": "Submit for approval"},
                    {"waitLast": "Waiting for approval"},
                    {"shootCard": str(out / "e2e-2-megan-submitted.png")},
                    # Her status card follows the apply in place, then becomes the report.
                    {
                        "waitCard": r"[1-9][0-9]* of [0-9]+ changes done \(",
                        "pattern": True,  # past the first change: the card really moves
                        "anywhere": True,
                        "timeout": 150_000,
                        "settle": 0,
                    },
                    {"shootCard": str(out / "e2e-3-megan-progress.png")},
                    {"waitCard": "is applied", "anywhere": True, "timeout": 120_000},
                    {"shootCard": str(out / "e2e-3-megan-report.png")},
                    {"say": "shared calling status"},
                    {"waitCard": "Redmond pilot"},
                    {"shootCard": str(out / "e2e-3-megan-status.png")},
                ],
                tmp_path,
            )
            approval = alex_at_work.finish()
            told = diego_at_work.finish()
        finally:
            for background in (alex_at_work, diego_at_work):
                if background.process.poll() is None:
                    background.process.kill()
        assert setup.failure is None, setup.failure
        assert approval.failure is None, approval.failure
        assert told.failure is None, told.failure
        notice = plain(told.cards()[-1])
        assert "Diego Siciliani, your caller ID changed" in notice
        assert "+1 425-555-0100" in notice

        review, submitted, progress, megans_report, status = (
            plain(text) for text in setup.cards()[-5:]
        )
        assert re.search(r"[1-9]\d* of \d+ changes done \(\d+%\)", progress), progress
        assert "Contoso Main Line" in status
        assert "+1 425-555-0100" in status
        assert "Redmond pilot" in review
        assert "+1 425-555-0100" in review
        request_id = _request_id(submitted)
        asked, approved, alexs_report = (plain(text) for text in approval.cards())
        assert request_id in asked
        assert "Megan Bowen" in asked
        assert request_id in approved
        assert "Your approval is recorded" in approved
        assert "Alex Wilber approved at" in approved
        assert "Reject" not in approved  # decided: the buttons are gone
        for report in (megans_report, alexs_report):
            assert f"{request_id} is applied" in report
            assert "Diego Siciliani" in report
            assert "Pradeep Gupta" in report

        answer = drive(
            diego,
            [
                {"say": "which number do I call out as?"},
                {"waitCard": "Your caller ID"},
                {"shootCard": str(out / "e2e-3-diego-callerid.png")},
            ],
            tmp_path,
        )
        assert answer.failure is None, answer.failure
        card = plain(answer.cards()[-1])
        assert "+1 425-555-0100" in card
        assert "Redmond pilot" in card


def _request_id(card: str) -> str:
    found = re.search(r"SC-[0-9A-Z]{8}", card)
    assert found, card
    return found.group(0)


def _self_service_tenant(directory: Path) -> Path:
    """The demo tenant plus a group whose members may ask for themselves (Diego among them)."""
    from tests.demo_ids import DIEGO, ISAIAH
    from tests.edge.test_setup_journey import demo_seed

    seed = demo_seed()
    seed["objects"]["group"].append(
        {"id": SELF_SERVICE_GROUP, "display_name": "Phone self-service",
         "member_ids": [DIEGO, ISAIAH]}
    )  # fmt: skip
    path = directory / "self-service-tenant.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    return path


SELF_SERVICE_GROUP = "00000000-0000-4000-a000-000000000010"


def test_diego_asks_for_a_number_alex_approves_and_diego_is_told_his_caller_id(
    tmp_path: Path,
) -> None:
    """Self-service (issue 15): Diego asks in his words, sends the request from the card, Alex
    approves, the bot applies it and tells Diego his new caller ID."""
    require_tools()
    out = shots(tmp_path)
    offer = {
        "EMULATED_SEED": str(_self_service_tenant(tmp_path)),
        "SELF_SERVICE_RESOURCE_ACCOUNT": "ra-mainline@contoso.example",
        "SELF_SERVICE_POLICY": "Seattle",
        "SELF_SERVICE_GROUP_IDS": SELF_SERVICE_GROUP,
        "SELF_SERVICE_ACKNOWLEDGED": "SC-R07",
    }
    with (
        running_bot(tmp_path, **offer) as bot,
        running_playground(bot, "AlexW", tmp_path) as alex,
        running_playground(bot, "DiegoS", tmp_path) as diego,
    ):
        alex_at_work = start_drive(
            alex,
            [
                {"waitCard": "for themselves", "anywhere": True, "timeout": 150_000},
                {"shootCard": str(out / "e2e-4-alex-self-service-approval.png")},
                {"press": "Approve"},
                {"waitCard": "is applied", "anywhere": True, "timeout": 90_000},
            ],
            tmp_path,
        )
        try:
            asked = drive(
                diego,
                [
                    {"say": "can I get a phone number?"},
                    {"waitCard": "Send request"},
                    {"fill": {"label": "Why do you need to call out", "value": "Customer calls"}},
                    {"shootCard": str(out / "e2e-4-diego-self-service.png")},
                    {"press": "Send request"},
                    {"waitLast": "Waiting for approval"},
                    {"waitCard": "your caller ID changed", "anywhere": True, "timeout": 150_000},
                    {"shootCard": str(out / "e2e-4-diego-told.png")},
                ],
                tmp_path,
            )
            approval = alex_at_work.finish()
        finally:
            if alex_at_work.process.poll() is None:
                alex_at_work.process.kill()
    assert asked.failure is None, asked.failure
    assert approval.failure is None, approval.failure
    offered, filed, told = (plain(text) for text in asked.cards())
    assert "Seattle" in offered
    assert "+1 425-555-0100" in offered
    request_id = _request_id(filed)
    assert request_id in plain(approval.cards()[0])
    assert "Diego Siciliani" in plain(approval.cards()[0])
    assert "Diego Siciliani, your caller ID changed" in told
    assert "+1 425-555-0100" in told
