import asyncio
from collections.abc import Sequence

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import ChangeKind, GrantPolicy, Plan, plan
from sharedcalling.domain.rules import Severity
from sharedcalling.domain.tenant import TenantSnapshot
from sharedcalling.services.planning import with_derived_countries
from sharedcalling.services.ports import SnapshotScope
from tests.demo_ids import (
    ADELE,
    DIEGO,
    GRADY,
    HENRIETTA,
    ISAIAH,
    JOHANNA,
    JONI,
    LEE,
    PRADEEP,
    RA_BERLIN,
    RA_MAINLINE,
    RA_SPARE,
    RA_SYDNEY,
)


@pytest.fixture(scope="module")
def snapshot() -> TenantSnapshot:
    # Snapshots are frozen, so one read serves every test of the module.
    gateway = EmulatedTenantGateway.seeded()
    ids = [ADELE, DIEGO, GRADY, HENRIETTA, ISAIAH, JOHANNA, JONI, LEE, PRADEEP]
    return asyncio.run(gateway.snapshot(SnapshotScope(user_ids=ids)))


def planned(
    snapshot: TenantSnapshot,
    users: Sequence[UserId],
    *,
    ra: UserId = RA_MAINLINE,
    policy: str = "Seattle",
    numbers: tuple[str, ...] | None = None,
) -> Plan:
    desired = DesiredState(ra, policy, tuple(users), emergency_numbers=numbers)
    return plan(with_derived_countries(desired, snapshot), snapshot)


def codes(result: Plan, subject_id: str, severity: Severity) -> set[str]:
    return {
        f.code for f in result.findings if f.subject.id == subject_id and f.severity is severity
    }


def change_kinds(result: Plan, subject_id: str) -> list[ChangeKind]:
    return [c.kind for c in result.changes if c.subject.id == subject_id]


def test_diego_gets_voice_routing_emergency_routing_and_the_policy(snapshot: TenantSnapshot):
    result = planned(snapshot, [DIEGO])
    assert codes(result, DIEGO, Severity.FIX) == {"SC-U04", "SC-U07", "SC-U08", "SC-P02"}
    assert change_kinds(result, DIEGO) == [
        ChangeKind.ENABLE_VOICE,
        ChangeKind.USER_GRANT_VRP,
        ChangeKind.USER_GRANT_ECRP,
        ChangeKind.SCP_GRANT_USER,
    ]
    grants = {c.kind: c for c in result.changes if isinstance(c, GrantPolicy)}
    assert grants[ChangeKind.USER_GRANT_VRP].policy_name == "NoPSTN"
    assert grants[ChangeKind.USER_GRANT_ECRP].policy_name == "US-Emergency"
    assert grants[ChangeKind.SCP_GRANT_USER].before == "Global"
    assert grants[ChangeKind.SCP_GRANT_USER].policy_name == "Seattle"
    assert result.changing_user_ids == (DIEGO,)


@pytest.mark.parametrize(
    ("user", "code"),
    [
        (ISAIAH, "SC-U03"),
        (LEE, "SC-U05"),
        (JONI, "SC-U05"),
        (HENRIETTA, "SC-U02"),
        (JOHANNA, "SC-U05"),
    ],
)
def test_blocked_users_are_left_out_with_their_reason(
    snapshot: TenantSnapshot, user: UserId, code: str
):
    result = planned(snapshot, [DIEGO, user])
    assert code in codes(result, user, Severity.BLOCK)
    assert result.blocked_user_ids == (user,)
    assert change_kinds(result, user) == []
    assert not result.blocked
    assert change_kinds(result, DIEGO)


def test_johanna_is_blocked_for_her_own_direct_routing_number(snapshot: TenantSnapshot):
    result = planned(snapshot, [JOHANNA])
    message = next(f.message for f in result.findings if f.code == "SC-U05")
    assert "+493023125142 (DirectRouting)" in message
    assert result.blocked
    assert result.changes == ()


def test_ra_sydney_is_blocked_by_its_country(snapshot: TenantSnapshot):
    result = planned(snapshot, [DIEGO], ra=RA_SYDNEY, policy="Sydney")
    assert "SC-R05" in codes(result, RA_SYDNEY, Severity.BLOCK)
    assert "AU" in next(f.message for f in result.findings if f.code == "SC-R05")
    assert result.blocked
    assert result.changes == ()


def test_ra_spare_is_blocked_for_having_no_number(snapshot: TenantSnapshot):
    result = planned(snapshot, [DIEGO], ra=RA_SPARE, policy="Spare")
    assert "SC-R03" in codes(result, RA_SPARE, Severity.BLOCK)
    assert result.blocked


def test_a_number_assigned_to_joni_is_refused_as_emergency_number(snapshot: TenantSnapshot):
    result = planned(snapshot, [DIEGO], policy="Redmond", numbers=("+14255550196",))
    finding = next(f for f in result.findings if f.code == "SC-E04")
    assert finding.severity is Severity.BLOCK
    assert finding.subject.id == "+14255550196"
    assert "Joni Sherman" in finding.message
    assert result.blocked


def test_a_number_held_by_seattle_is_refused_for_a_new_policy(snapshot: TenantSnapshot):
    result = planned(snapshot, [DIEGO], policy="Redmond", numbers=("+14255550191",))
    finding = next(f for f in result.findings if f.code == "SC-E05")
    assert finding.severity is Severity.BLOCK
    assert "Seattle" in finding.message
    assert result.blocked


def test_seattle_keeps_its_own_emergency_numbers(snapshot: TenantSnapshot):
    result = planned(snapshot, [ADELE], numbers=("+14255550191", "+14255550192"))
    assert not [f for f in result.findings if f.severity is Severity.BLOCK]
    assert result.changes == ()


def test_direct_routing_numbers_are_refused_for_a_calling_plan_account(snapshot: TenantSnapshot):
    result = planned(snapshot, [DIEGO], policy="Redmond", numbers=("+493023125190",))
    number_blocks = {
        f.code
        for f in result.findings
        if f.subject.id == "+493023125190" and f.severity is Severity.BLOCK
    }
    assert {"SC-E02", "SC-E03"} <= number_blocks
    assert result.blocked


def test_pradeep_is_warned_about_his_usage_location(snapshot: TenantSnapshot):
    result = planned(snapshot, [PRADEEP])
    finding = next(f for f in result.findings if f.code == "SC-U09")
    assert finding.severity is Severity.WARN
    assert finding.attest
    assert "DE" in finding.message
    assert "US" in finding.message
    assert change_kinds(result, PRADEEP)


def test_grady_is_warned_about_his_calling_line_identity(snapshot: TenantSnapshot):
    result = planned(snapshot, [GRADY])
    assert "SC-P06" in codes(result, GRADY, Severity.WARN)
    assert "Anonymous" in next(f.message for f in result.findings if f.code == "SC-P06")


def test_adele_is_already_compliant_for_seattle(snapshot: TenantSnapshot):
    result = planned(snapshot, [ADELE])
    assert result.changes == ()
    assert result.compliant_user_ids == (ADELE,)
    assert not codes(result, ADELE, Severity.FIX)


def test_a_new_policy_is_created_before_users_are_granted_it(snapshot: TenantSnapshot):
    result = planned(snapshot, [DIEGO], policy="Redmond", numbers=("+14255550193",))
    kinds = [c.kind for c in result.changes]
    assert kinds.index(ChangeKind.SCP_CREATE) < kinds.index(ChangeKind.SCP_GRANT_USER)
    assert "SC-P01" in codes(result, "Redmond", Severity.FIX)


def test_changing_seattle_numbers_plans_remove_and_add_deltas(snapshot: TenantSnapshot):
    result = planned(snapshot, [ADELE], numbers=("+14255550191", "+14255550193"))
    deltas = {c.kind: c.as_fact()["after"] for c in result.changes}
    assert deltas == {
        ChangeKind.SCP_REMOVE_NUMBERS: ["+14255550191"],
        ChangeKind.SCP_ADD_NUMBERS: ["+14255550191", "+14255550193"],
    }


def test_berlin_gets_a_direct_routing_emergency_policy(snapshot: TenantSnapshot):
    result = planned(snapshot, [DIEGO], ra=RA_BERLIN, policy="Berlin")
    grant = next(c for c in result.changes if c.kind is ChangeKind.USER_GRANT_ECRP)
    assert isinstance(grant, GrantPolicy)
    assert grant.policy_name == "DE-Emergency-DR"
    assert not result.blocked
