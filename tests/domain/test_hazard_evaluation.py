"""The hazard watch's pure part: which findings are hazards, how records open and close."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.callerid import caller_id_answer
from sharedcalling.domain.hazards import (
    CheckResult,
    HazardClass,
    HazardState,
    PolicyWatch,
    UserWatch,
    Watchlist,
    evaluate,
)
from sharedcalling.domain.hazards.record import READ_KEY, read_failed, reconcile
from sharedcalling.domain.hazards.user_watch import AnswerCache, _shared_answer, observe_user
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.tenant import TenantSnapshot
from sharedcalling.services.numbering import derived_countries
from sharedcalling.services.ports import SnapshotScope
from tests.demo_ids import ADELE, HENRIETTA, LEE, LYNNE, NESTOR, PATTI, RA_HELPDESK, RA_MAINLINE
from tests.strategies import agreement_tenants

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
REQUEST = RequestId("SC-TESTTEST")
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def seed_snapshot(*users: UserId) -> TenantSnapshot:
    tenant = EmulatedTenantGateway.seeded()
    return asyncio.run(tenant.snapshot(SnapshotScope(user_ids=users)))


def watching(
    policy: str, ra: UserId, *users: UserId, accepted: frozenset[str] = frozenset()
) -> Watchlist:
    return Watchlist(
        (PolicyWatch(policy, ra, None, REQUEST, tuple(users), accepted),),
        tuple(UserWatch(u, policy, REQUEST) for u in users),
    )


def run(watchlist: Watchlist, snapshot: TenantSnapshot) -> CheckResult:
    return evaluate(watchlist, snapshot, number_countries=derived_countries(snapshot))


def test_users_as_set_up_give_nothing() -> None:
    snapshot = seed_snapshot(ADELE, NESTOR)
    result = run(watching("Seattle", RA_MAINLINE, ADELE, NESTOR), snapshot)
    assert result.observations == ()
    assert result.facts[f"user:{ADELE}"]["Shared Calling policy"] == "Seattle"
    assert "resource_account:" + RA_MAINLINE in result.facts


def test_a_user_whose_voice_routing_policy_routes_is_one_hazard_of_that_policy() -> None:
    snapshot = seed_snapshot(LYNNE)
    [found] = run(watching("Seattle", RA_MAINLINE, LYNNE), snapshot).observations
    assert (found.code, found.subject.id, found.state) == (
        "SC-U07",
        "vrp:Global",
        HazardState.DRIFTED,
    )
    assert found.hazard_class is HazardClass.OUTBOUND_BROKEN
    assert found.affected_user_ids == (LYNNE,)


def test_a_user_left_for_another_policy_shows_another_number() -> None:
    snapshot = seed_snapshot(PATTI)  # direct HelpDesk beats her group's Seattle
    [found] = run(watching("Seattle", RA_MAINLINE, PATTI), snapshot).observations
    assert (found.code, found.hazard_class) == ("SC-P02", HazardClass.CALLER_ID)
    assert "+14255550150" in found.observed


def test_a_user_with_a_number_or_a_disabled_account() -> None:
    snapshot = seed_snapshot(LEE, HENRIETTA)
    found = {
        o.code: o
        for o in run(watching("Seattle", RA_MAINLINE, LEE, HENRIETTA), snapshot).observations
    }
    assert found["SC-U05"].hazard_class is HazardClass.CALLER_ID
    assert found["SC-U02"].hazard_class is HazardClass.OUTBOUND_BROKEN


def test_warnings_the_approvers_saw_are_not_drift_attestations_never_are() -> None:
    snapshot = seed_snapshot(ADELE)
    plain = run(watching("HelpDesk", RA_HELPDESK, ADELE), snapshot)
    assert "SC-R10" in {o.code for o in plain.observations}
    assert "SC-R09" not in {o.code for o in plain.observations}, "an attestation"
    accepted = frozenset({f"SC-R10|{RA_HELPDESK}", "SC-E08|helpdesk"})
    known = run(watching("HelpDesk", RA_HELPDESK, ADELE, accepted=accepted), snapshot)
    assert not {"SC-R10", "SC-E08"} & {o.code for o in known.observations}


def test_a_policy_pointing_elsewhere_is_wrong_caller_id_and_a_missing_policy_breaks_calls() -> None:
    snapshot = seed_snapshot(ADELE)
    moved = run(watching("Seattle", RA_HELPDESK, ADELE), snapshot)
    p01 = next(o for o in moved.observations if o.code == "SC-P01")
    assert p01.hazard_class is HazardClass.CALLER_ID
    assert "Contoso Main Line" in p01.observed
    gone = run(watching("Gone", RA_MAINLINE, ADELE), snapshot)
    codes = {o.code: o for o in gone.observations}
    assert codes["SC-P01"].hazard_class is HazardClass.OUTBOUND_BROKEN
    assert "SC-P02" not in codes, "the policy's own hazard names the user; not once more"


@settings(max_examples=150, deadline=None)
@given(agreement_tenants())
def test_users_sharing_a_setup_share_the_answer_exactly_where_it_matters(
    snapshot: TenantSnapshot,
) -> None:
    countries = derived_countries(snapshot)
    cache: AnswerCache = {}
    for user in snapshot.users.values():
        shared = _shared_answer(user, snapshot, countries, cache)
        own = caller_id_answer(user, snapshot, number_countries=countries)
        assert (shared.outcome, shared.outbound_number, shared.rule_codes) == (
            own.outcome, own.outbound_number, own.rule_codes)  # fmt: skip
        assert shared.emergency.kind is own.emergency.kind
        assert [r.code for r in shared.unknowns] == [r.code for r in own.unknowns]
        watch = UserWatch(UserId(user.id), "Seattle", REQUEST)
        with_cache = observe_user(watch, snapshot, countries, policy_exists=True, answers=cache)
        alone = observe_user(watch, snapshot, countries, policy_exists=True)
        assert with_cache == alone


def test_records_open_refresh_and_close_without_being_deleted() -> None:
    snapshot = seed_snapshot(LYNNE)
    result = run(watching("Seattle", RA_MAINLINE, LYNNE), snapshot)
    ids = iter(f"HZ-{n:08d}" for n in range(10))
    first = reconcile(TENANT, [], result, {}, at=AT, new_id=lambda: next(ids))
    [opened] = first.opened
    assert (opened.first_seen, opened.last_seen, opened.changes) == (AT, AT, ())
    later = AT + timedelta(hours=1)
    again = reconcile(TENANT, [opened], result, {}, at=later, new_id=lambda: next(ids))
    assert again.seen == (opened.id,)
    assert again.opened == again.changed == again.closed == ()
    fixed = reconcile(
        TENANT, [opened], CheckResult((), result.facts), {}, at=later, new_id=lambda: next(ids)
    )
    [closed] = fixed.closed
    assert (closed.state, closed.closed_at, closed.id) == (HazardState.OK, later, opened.id)
    assert closed.resolution == "the check found it as set up again"


def test_a_drift_says_what_changed_from_the_previous_checks_facts() -> None:
    snapshot = seed_snapshot(LYNNE)
    result = run(watching("Seattle", RA_MAINLINE, LYNNE), snapshot)
    before = {"policy:vrp:global": {"PSTN usages": "none"}}
    [opened] = reconcile(TENANT, [], result, before, at=AT, new_id=lambda: "HZ-1").opened
    assert opened.changes == (("PSTN usages", "none", "US-Default"),)


def test_a_failed_read_opens_one_unknown_record_and_leaves_drift_alone() -> None:
    snapshot = seed_snapshot(LYNNE)
    result = run(watching("Seattle", RA_MAINLINE, LYNNE), snapshot)
    [drift] = reconcile(TENANT, [], result, {}, at=AT, new_id=lambda: "HZ-1").opened
    failed = read_failed(TENANT, [drift], operation="snapshot", error="TenantThrottled: slow down",
                         at=AT, new_id=lambda: "HZ-2")  # fmt: skip
    [unknown] = failed.opened
    assert (unknown.key, unknown.state) == (READ_KEY, HazardState.UNKNOWN)
    assert unknown.message == "Could not read the tenant (snapshot): TenantThrottled: slow down"
    assert failed.changed == failed.closed == ()
    repeated = read_failed(TENANT, [drift, unknown], operation="snapshot", error="again",
                           at=AT + timedelta(hours=1), new_id=lambda: "HZ-3")  # fmt: skip
    assert [h.id for h in repeated.changed] == [unknown.id]
    assert repeated.opened == ()
    healed = reconcile(TENANT, [drift, unknown], result, {}, at=AT, new_id=lambda: "HZ-4")
    assert [h.resolution for h in healed.closed] == ["the tenant could be read again"]
    assert healed.seen == (drift.id,)
