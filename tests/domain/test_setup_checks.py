"""The set-up steps' verdicts: resource account readiness, emergency numbers, policy names."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.setup import (
    Readiness,
    assess_emergency_numbers,
    assess_resource_account,
    policy_name_problem,
)
from sharedcalling.domain.tenant import NumberType, TenantSnapshot, VoiceRoutingPolicy
from sharedcalling.services.numbering import derived_countries
from sharedcalling.services.ports import SnapshotScope
from tests.demo_ids import RA_BERLIN, RA_HELPDESK, RA_MAINLINE, RA_SPARE, RA_SYDNEY

MAIN_NUMBER = "+14255550100"
BERLIN_NUMBER = "+493023125100"


@pytest.fixture(scope="module")
def snapshot() -> TenantSnapshot:
    return asyncio.run(EmulatedTenantGateway.seeded().snapshot(SnapshotScope()))


def _without(snapshot: TenantSnapshot, number: str, **changes: object) -> TenantSnapshot:
    found = snapshot.numbers[number]
    return replace(snapshot, numbers={**snapshot.numbers, number: replace(found, **changes)})


def test_the_demo_accounts_get_the_verdicts_of_the_resource_account_rules(
    snapshot: TenantSnapshot,
) -> None:
    verdicts = {ra: assess_resource_account(snapshot, ra).readiness for ra in (
        RA_MAINLINE, RA_HELPDESK, RA_BERLIN, RA_SYDNEY, RA_SPARE)}  # fmt: skip
    assert verdicts == {
        RA_MAINLINE: Readiness.WARNINGS,
        RA_HELPDESK: Readiness.WARNINGS,
        RA_BERLIN: Readiness.WARNINGS,
        RA_SYDNEY: Readiness.BLOCKED,
        RA_SPARE: Readiness.BLOCKED,
    }


def test_a_blocked_account_names_every_reason_with_its_code(snapshot: TenantSnapshot) -> None:
    sydney = assess_resource_account(snapshot, RA_SYDNEY)
    assert [f.code for f in sydney.blocking] == ["SC-R04", "SC-R05", "SC-R06"]
    assert not sydney.pickable
    assert "TNS service desk" in sydney.blocking[0].message
    spare = assess_resource_account(snapshot, RA_SPARE)
    assert [f.code for f in spare.blocking] == ["SC-R03"]


def test_a_missing_location_that_the_plan_can_set_asks_for_one(snapshot: TenantSnapshot) -> None:
    unlocated = _without(snapshot, MAIN_NUMBER, location_id=None)
    asked = assess_resource_account(unlocated, RA_MAINLINE)
    assert (asked.readiness, asked.needs_location, asked.needs_vrp) == (
        Readiness.NEEDS_CHOICE, True, False)  # fmt: skip
    assert asked.pickable
    chosen = assess_resource_account(
        unlocated, RA_MAINLINE, location_id="00000000-0000-4000-c000-000000000002"
    )
    assert chosen.readiness is Readiness.WARNINGS
    assert [f.code for f in chosen.fixes] == ["SC-R04"]


def test_a_location_only_the_tns_desk_can_set_blocks(snapshot: TenantSnapshot) -> None:
    unlocated = _without(snapshot, MAIN_NUMBER, location_id=None, location_update_supported=False)
    verdict = assess_resource_account(unlocated, RA_MAINLINE)
    assert verdict.readiness is Readiness.BLOCKED
    assert not verdict.needs_location


def test_a_direct_routing_account_without_usages_asks_for_a_voice_routing_policy(
    snapshot: TenantSnapshot,
) -> None:
    berlin = snapshot.users[RA_BERLIN]
    bare = replace(
        snapshot, users={**snapshot.users, RA_BERLIN: replace(berlin, direct_policies=())}
    )
    bare = replace(
        bare,
        voice_routing_policies={
            **bare.voice_routing_policies, "Global": VoiceRoutingPolicy("Global")},
    )  # fmt: skip
    asked = assess_resource_account(bare, RA_BERLIN)
    assert (asked.readiness, asked.needs_vrp) == (Readiness.NEEDS_CHOICE, True)
    granted = assess_resource_account(bare, RA_BERLIN, voice_routing_policy="DE-Berlin-PSTN")
    assert granted.pickable
    assert not granted.needs_vrp
    assert [f.code for f in granted.fixes] == ["SC-R08"]
    empty = assess_resource_account(bare, RA_BERLIN, voice_routing_policy="NoPSTN")
    assert empty.readiness is Readiness.BLOCKED
    assert "NoPSTN has no PSTN usages" in empty.blocking[0].message


def test_eligible_emergency_numbers_are_the_spare_subscriber_numbers(
    snapshot: TenantSnapshot,
) -> None:
    candidates = sorted(n for n in snapshot.numbers if n != MAIN_NUMBER)
    assessed = assess_emergency_numbers(
        snapshot, RA_MAINLINE, "Redmond", candidates, derived_countries(snapshot)
    )
    eligible = [a.number for a in assessed if a.eligible]
    assert eligible == ["+14255550193", "+14255550194", "+14255550195"]
    reasons = {a.number: [f.code for f in a.blocking] for a in assessed}
    assert reasons["+14255550191"] == ["SC-E05"]
    assert reasons["+14255550196"] == ["SC-E04"]
    kinds = {a.number: a.same_kind for a in assessed}
    assert kinds["+14255550191"]
    assert not kinds[BERLIN_NUMBER]


def test_numbers_already_in_the_reused_policy_are_eligible(snapshot: TenantSnapshot) -> None:
    assessed = assess_emergency_numbers(
        snapshot, RA_MAINLINE, "Seattle", ["+14255550191", "+14255550193"]
    )
    assert [a.eligible for a in assessed] == [True, True]


def test_an_unlisted_direct_routing_number_needs_an_attestation(
    snapshot: TenantSnapshot,
) -> None:
    typed = "+493023125199"
    [assessed] = assess_emergency_numbers(
        snapshot, RA_BERLIN, "Berlin", [typed], derived_countries(snapshot, [typed])
    )
    assert assessed.eligible
    assert [f.code for f in assessed.attestations] == ["SC-E01"]
    assert snapshot.number(BERLIN_NUMBER) is not None
    assert snapshot.numbers[BERLIN_NUMBER].number_type is NumberType.DIRECT_ROUTING


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "Give the new policy a name."),
        ("   ", "Give the new policy a name."),
        ("x" * 65, "at most 64 characters"),
        ("Tag:Redmond", "may hold letters"),
        ("Red|mond", "may hold letters"),
        ("-Redmond", "must start with a letter or digit"),
        ("Zürich", "may hold letters"),
        ("global", "tenant-wide default"),
        ("seattle", "named Seattle already exists"),
        ("HELPDESK", "named HelpDesk already exists"),
    ],
)
def test_bad_new_policy_names_are_refused_with_the_reason(name: str, problem: str) -> None:
    found = policy_name_problem(name, ["Global", "Seattle", "HelpDesk"])
    assert found is not None
    assert problem in found


@pytest.mark.parametrize("name", ["Redmond", "SC Redmond 2", "sc_redmond.v2", "R", "x" * 64])
def test_good_new_policy_names_pass(name: str) -> None:
    assert policy_name_problem(name, ["Global", "Seattle", "HelpDesk"]) is None
