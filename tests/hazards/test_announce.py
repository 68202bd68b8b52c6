"""Announcements: severity first, once, a reminder after the set time, the channel, the limit."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sharedcalling.bootstrap import hazard_settings
from sharedcalling.config import load_settings
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.services.hazards.check import run_check
from sharedcalling.services.hazards.presenter import HazardSettings
from sharedcalling.services.unit_of_work import ConversationRef
from tests.demo_ids import MEGAN, RA_HELPDESK
from tests.hazards import edits
from tests.hazards.conftest import World
from tests.hazards.support import TENANT

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CHANNEL = "19:voice@thread.tacv2"


def with_settings(world: World, **values: object) -> World:
    settings = replace(world.ports.watch.settings, **values)  # type: ignore[arg-type]
    world.ports.watch.settings = settings
    return world


async def check(world: World, after: float = 3600) -> tuple[Hazard, ...]:
    world.clock.advance(after)
    return (await run_check(world.ports, trigger="schedule")).open_hazards


@SQLITE
async def test_emergency_goes_out_before_caller_id_before_warnings(world: World) -> None:
    edits.point_policy_at(world.tenant, "Seattle", RA_HELPDESK)
    hazards = await check(world)
    order = [h.hazard_class.value for h in hazards]
    sent = [m.text for m in world.notifier.to(MEGAN)]
    announced = [next(h.hazard_class.value for h in hazards if h.id in text) for text in sent]
    assert announced == sorted(
        announced, key=["emergency", "outbound_broken", "caller_id", "warning"].index
    )
    assert announced[0] == "emergency"
    assert set(announced) == set(order)


@SQLITE
async def test_a_hazard_still_open_is_announced_again_after_the_reminder_time(world: World) -> None:
    with_settings(world, remind_after=3 * 3600.0)
    edits.remove_ra_number(world.tenant)
    [hazard] = await check(world)
    assert len(world.notifier.to(MEGAN)) == 1
    await check(world)  # one hour later
    await check(world)  # two hours later
    assert len(world.notifier.to(MEGAN)) == 1
    await check(world, after=2 * 3600)  # four hours after the first announcement
    reminders = world.notifier.to(MEGAN)[1:]
    assert len(reminders) == 1
    assert reminders[0].text.startswith("Reminder: still open.")
    assert hazard.id in reminders[0].text
    assert len(world.notifier.to("00000000-0000-4000-8000-000000000005")) == 1, "users once"


@SQLITE
async def test_no_reminder_when_switched_off(world: World) -> None:
    with_settings(world, remind_after=None)
    edits.remove_ra_number(world.tenant)
    await check(world)
    await check(world, after=30 * 24 * 3600)
    assert len(world.notifier.to(MEGAN)) == 1


@SQLITE
async def test_the_configured_channel_gets_every_card_as_a_new_post(world: World) -> None:
    with_settings(world, channel_id=CHANNEL)
    thread = f"{CHANNEL};messageid=1700000000000"  # what channel activities carry
    reference = {"conversation": {"id": thread, "conversationType": "channel"}}
    ref = ConversationRef(TENANT, thread, "channel", None, reference, world.clock.now())
    async with world.uow() as work:
        await work.conversations.remember(ref)
        await work.commit()
    edits.remove_ra_number(world.tenant)
    [hazard] = await check(world)
    [posted] = world.notifier.to(CHANNEL)
    assert hazard.id in posted.text
    [used] = world.notifier.conversations
    assert used.reference["conversation"] == {"id": CHANNEL, "conversationType": "channel"}
    async with world.uow() as work:
        stored = await work.hazards.get(TENANT, hazard.id)
    assert {c for c, _ in stored.deliveries} == {CHANNEL, f"a:{MEGAN}"}


@SQLITE
async def test_a_channel_the_bot_never_saw_is_skipped_and_the_admins_still_told(
    world: World,
) -> None:
    with_settings(world, channel_id="19:unknown@thread.tacv2")
    edits.remove_ra_number(world.tenant)
    [hazard] = await check(world)
    told = [s.to for s in world.notifier.sent if hazard.id in s.message.text]
    assert MEGAN in told
    assert not [to for to in told if to.startswith("19:")]
    assert world.notifier.conversations == []


@SQLITE
async def test_beyond_the_card_limit_the_rest_come_in_one_summary(world: World) -> None:
    with_settings(world, max_cards=1)
    edits.point_policy_at(world.tenant, "Seattle", RA_HELPDESK)
    hazards = await check(world)
    assert len(hazards) > 2
    first, summary = world.notifier.to(MEGAN)
    assert first.text.startswith("Emergency calling"), "the most urgent gets its own card"
    assert hazards[0].id in first.text
    assert summary.text.startswith(f"{len(hazards) - 1} more hazards")
    await check(world)
    assert len(world.notifier.to(MEGAN)) == 2, "the summary counts as their announcement"


def test_settings_default_to_an_hourly_check_and_a_daily_reminder() -> None:
    settings = hazard_settings(load_settings({}))
    assert settings == HazardSettings(interval=3600.0, remind_after=86400.0)
    custom = hazard_settings(load_settings({"HAZARD_CHECK_INTERVAL": "600",
        "HAZARD_REMINDER_AFTER": "0", "HAZARD_CHANNEL_ID": " 19:x@thread.tacv2 ",
        "HAZARD_NOTIFY_USERS": "false"}))  # fmt: skip
    assert custom == HazardSettings(600.0, None, "19:x@thread.tacv2", notify_users=False)
