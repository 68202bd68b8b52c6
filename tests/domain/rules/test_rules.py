from dataclasses import replace

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import ChangeKind, plan
from sharedcalling.domain.rules import Severity, check
from sharedcalling.domain.tenant import (
    PLAN_TEAMS_PHONE,
    AssignmentStatus,
    License,
    NumberSource,
    NumberType,
    PhoneNumber,
    ServicePlan,
    SubscribedSku,
    TenantSnapshot,
    User,
)
from tests.strategies import RA_ID, SPARE, base_snapshot

ANN = UserId("00000000-0000-4000-9000-000000000001")
PHONE = (License("MCOEV", (ServicePlan(PLAN_TEAMS_PHONE),)),)


def tenant(**numbers: PhoneNumber) -> TenantSnapshot:
    snapshot = base_snapshot({ANN: User(ANN, "ann@contoso.example", "Ann", licenses=PHONE)})
    return replace(snapshot, numbers={**snapshot.numbers, **numbers})


def found(snapshot: TenantSnapshot, desired: DesiredState) -> set[tuple[str, Severity]]:
    return {(f.code, f.severity) for f in check(desired, snapshot)}


def without_location(snapshot: TenantSnapshot) -> TenantSnapshot:
    ra_number = replace(snapshot.numbers["+14255550100"], location_id=None)
    return replace(snapshot, numbers={**snapshot.numbers, "+14255550100": ra_number})


def test_missing_location_is_fixed_when_the_admin_chose_one():
    snapshot = without_location(tenant())
    desired = DesiredState(RA_ID, "Seattle", (ANN,), emergency_location_id="loc-1")
    assert ("SC-R04", Severity.FIX) in found(snapshot, desired)
    assert plan(desired, snapshot).changes[1].kind is ChangeKind.RA_SET_LOCATION


def test_missing_location_blocks_without_a_chosen_one():
    snapshot = without_location(tenant())
    assert ("SC-R04", Severity.BLOCK) in found(snapshot, DesiredState(RA_ID, "Seattle", (ANN,)))


def test_a_government_service_plan_blocks_the_tenant():
    sku = SubscribedSku("MCOEV_GOV", ("MCOEV_GOV",), 10, 1)
    snapshot = replace(tenant(), subscribed_skus=(sku,))
    assert ("SC-T01", Severity.BLOCK) in found(snapshot, DesiredState(RA_ID, "Seattle"))


def test_an_on_premises_number_cannot_join_a_policy():
    number = replace(tenant().numbers[SPARE[2]], number_source=NumberSource.ON_PREMISES)
    snapshot = tenant(**{SPARE[2]: number})
    desired = DesiredState(RA_ID, "Redmond", emergency_numbers=(SPARE[2],))
    assert ("SC-T05", Severity.BLOCK) in found(snapshot, desired)


def test_a_deliberate_extension_number_is_a_warning_not_a_block():
    ext = PhoneNumber(
        "+14255550150;ext=42",
        NumberType.DIRECT_ROUTING,
        "US",
        assignment_status=AssignmentStatus.USER_ASSIGNED,
        assigned_target_id=ANN,
    )
    snapshot = tenant(**{ext.telephone_number: ext})
    marked = DesiredState(RA_ID, "Seattle", (ANN,), extension_dialing_user_ids=frozenset({ANN}))
    assert ("SC-U06", Severity.WARN) in found(snapshot, marked)
    assert ("SC-U05", Severity.BLOCK) in found(snapshot, DesiredState(RA_ID, "Seattle", (ANN,)))


def test_a_policy_pointing_to_another_account_blocks():
    snapshot = tenant()
    other = replace(snapshot.shared_calling_policies["Seattle"], resource_account_id=ANN)
    snapshot = replace(snapshot, shared_calling_policies={"Seattle": other})
    assert ("SC-P01", Severity.BLOCK) in found(snapshot, DesiredState(RA_ID, "Seattle", (ANN,)))


def test_fix_findings_of_blocked_users_are_dropped():
    snapshot = tenant()
    unlicensed = replace(snapshot.users[ANN], licenses=())
    snapshot = replace(snapshot, users={**snapshot.users, ANN: unlicensed})
    findings = check(DesiredState(RA_ID, "Seattle", (ANN,)), snapshot)
    severities = {f.severity for f in findings if f.subject.id == ANN}
    assert Severity.BLOCK in severities
    assert Severity.FIX not in severities
