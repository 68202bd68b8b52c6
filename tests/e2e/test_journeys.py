"""The product's journeys as people click them: real bot, real Playground, headless Chromium.

Screenshots go to the test's temporary folder; `E2E_SCREENSHOTS=docs/screenshots` writes the
key ones into the documentation instead (how the committed pictures were made).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.harness import drive, require_tools, running_bot, running_playground

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
