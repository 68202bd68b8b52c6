"""The set-up flow without Teams: its state as JSON, who may continue it, and for how long."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cards import actions
from cards.setup.views import Step
from dialogs.setup_flow import NOT_YOURS_TEXT, SetupFlow, SetupTurn, ended_card
from dialogs.setup_state import FlowState
from sharedcalling.bootstrap import build_services
from sharedcalling.domain.access import Principal, Role
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.services import Services
from tests.cards.setup_views import DRAFT, EXPIRED_TEXT
from tests.edge.conftest import edge_settings

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
MEGAN = Principal(
    TENANT, UserId("00000000-0000-4000-8000-000000000001"), "Megan Bowen", frozenset({Role.ADMIN})
)
OTHER_ADMIN = replace(MEGAN, user_id=UserId("00000000-0000-4000-8000-000000000004"))
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with build_services(edge_settings(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")) as built:
        yield built


def turn(principal: Principal, verb: str, now: datetime = NOW, **data: object) -> SetupTurn:
    return SetupTurn(principal, verb, data, now)


def test_the_state_round_trips_and_a_tampered_one_is_refused() -> None:
    state = replace(
        FlowState.new(MEGAN.user_id.upper(), NOW),
        step=Step.USERS, revision=5, draft=DRAFT, labels={"account": "Main"}, pages={"users": 3},
    )  # fmt: skip
    assert FlowState.from_json(state.to_json()) == state
    assert state.owned_by(MEGAN.user_id)
    for broken in (
        {**state.to_json(), "v": 9},
        {**state.to_json(), "step": "somewhere"},
        {**state.to_json(), "touched_at": "2026-11-27T09:00:00"},  # no time zone
        {**state.to_json(), "draft": {"v": 1}},
        "not even a mapping",
    ):
        with pytest.raises(ValueError):  # noqa: PT011  (each with its own message)
            FlowState.from_json(broken)  # type: ignore[arg-type]


async def test_another_admin_cannot_continue_megans_set_up(services: Services) -> None:
    flow = SetupFlow(services, "http://127.0.0.1:3978")
    state = FlowState.new(MEGAN.user_id, NOW)
    outcome = await flow.handle(state, turn(OTHER_ADMIN, actions.SETUP_NEXT, step="account", rev=0))
    assert outcome.answer.text == NOT_YOURS_TEXT
    assert outcome.state == state  # kept for Megan, unchanged


async def test_the_expiry_counts_from_the_last_touch(services: Services) -> None:
    flow = SetupFlow(services, "http://127.0.0.1:3978")
    state = FlowState.new(MEGAN.user_id, NOW)
    limit = services.setup_expiry
    assert limit == timedelta(hours=72)
    kept = await flow.handle(state, turn(MEGAN, actions.SETUP_REFRESH, NOW + limit))
    assert kept.state is not None
    gone = await flow.handle(
        state, turn(MEGAN, actions.SETUP_REFRESH, NOW + limit + timedelta(seconds=1))
    )
    assert gone.state is None
    assert gone.answer.text == EXPIRED_TEXT
    assert gone.answer.card == ended_card(EXPIRED_TEXT)  # the card tests' snapshot of it


async def test_an_accepted_action_touches_the_state_and_a_refused_one_keeps_its_revision(
    services: Services,
) -> None:
    flow = SetupFlow(services, "http://127.0.0.1:3978")
    state = FlowState.new(MEGAN.user_id, NOW)
    later = NOW + timedelta(hours=1)
    refused = await flow.handle(
        state, turn(MEGAN, actions.SETUP_NEXT, later, step="account", rev=0)
    )
    assert refused.state is not None
    assert refused.state.revision == 0
    moved = await flow.handle(
        state,
        turn(MEGAN, actions.SETUP_NEXT, later, step="account", rev=0,
             **{"setup.account": "00000000-0000-4000-8000-000000000051"}),
    )  # fmt: skip
    assert moved.state is not None
    assert (moved.state.step, moved.state.revision, moved.state.touched_at) == (
        Step.POLICY, 1, later)  # fmt: skip
