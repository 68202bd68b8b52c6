"""Emergency callback number rules SC-E01..SC-E09, one fact varied at a time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.rules import Severity, SubjectKind
from sharedcalling.domain.tenant import (
    ActivationState,
    AssignmentStatus,
    Capability,
    NumberType,
    PhoneNumber,
    TenantSnapshot,
)
from tests.domain.rules.builders import (
    ANN,
    HELD,
    POLICY,
    RA_NUMBER,
    SERVICE,
    SPARE,
    desired,
    findings,
    healthy,
    in_policy,
    number,
    only,
    person,
    with_numbers,
    with_ra_number,
    with_users,
)

DR = NumberType.DIRECT_ROUTING
OC = NumberType.OPERATOR_CONNECT


def asking_for(spare: PhoneNumber, snapshot: TenantSnapshot | None = None) -> TenantSnapshot:
    return with_numbers(snapshot or healthy(), spare)


WANT_SPARE = desired(emergency_numbers=(HELD, SPARE))


def test_sc_e01_blocks_a_number_unknown_to_the_tenant() -> None:
    finding = only("SC-E01", wanted=desired(emergency_numbers=("+14255550199",)))
    assert finding.severity is Severity.BLOCK
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.NUMBER, "+14255550199")
    assert finding.message == "+14255550199 is not an active number in this tenant."


def test_sc_e01_blocks_a_calling_plan_number_that_is_not_activated() -> None:
    pending = number(SPARE, activation_state=ActivationState.ASSIGNMENT_PENDING)
    assert only("SC-E01", asking_for(pending), WANT_SPARE).subject.id == SPARE


def test_sc_e01_accepts_a_known_direct_routing_number_in_any_activation_state() -> None:
    pending = number(SPARE, number_type=DR, activation_state=ActivationState.ASSIGNMENT_PENDING)
    assert findings("SC-E01", asking_for(pending), WANT_SPARE) == []


def test_sc_e01_is_silent_for_active_numbers() -> None:
    assert findings("SC-E01", wanted=WANT_SPARE) == []


def test_sc_e02_blocks_a_number_of_another_type() -> None:
    finding = only("SC-E02", asking_for(number(SPARE, number_type=OC)), WANT_SPARE)
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, SPARE)
    assert finding.message == (
        f"{SPARE} is OperatorConnect, the resource account number is CallingPlan; all numbers "
        "in a policy share one type."
    )


def test_sc_e02_is_silent_for_numbers_of_the_ra_type() -> None:
    assert findings("SC-E02", wanted=WANT_SPARE) == []


def test_sc_e03_blocks_a_number_of_another_country() -> None:
    finding = only("SC-E03", asking_for(number(SPARE, iso_country_code="ca")), WANT_SPARE)
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, SPARE)
    assert finding.message == f"{SPARE} is CA, the resource account number is US."


def test_sc_e03_asks_for_attestation_when_a_country_is_unknown() -> None:
    finding = only("SC-E03", asking_for(number(SPARE, iso_country_code=None)), WANT_SPARE)
    assert (finding.severity, finding.attest, finding.subject.id) == (Severity.WARN, True, SPARE)
    assert f"The country of {SPARE} or of the resource account number" in finding.message


def test_sc_e03_uses_the_country_derived_from_the_prefix_when_blank() -> None:
    blank = asking_for(number(SPARE, iso_country_code=None))
    wanted = replace(WANT_SPARE, number_countries={SPARE: "US"})
    assert findings("SC-E03", blank, wanted) == []


def test_sc_e03_is_silent_for_numbers_of_the_ra_country() -> None:
    assert findings("SC-E03", wanted=WANT_SPARE) == []


def test_sc_e04_blocks_a_number_assigned_to_a_user_and_names_the_user() -> None:
    held = number(SPARE, assignment_status=AssignmentStatus.USER_ASSIGNED, assigned_target_id=ANN)
    finding = only("SC-E04", asking_for(held), WANT_SPARE)
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, SPARE)
    assert finding.message == f"{SPARE} is assigned to Ann Example (ann@contoso.example)."


def test_sc_e04_names_an_unknown_holder_by_id() -> None:
    stranger = UserId("00000000-0000-4000-9000-000000009999")
    held = number(
        SPARE, assignment_status=AssignmentStatus.USER_ASSIGNED, assigned_target_id=stranger
    )
    assert only("SC-E04", asking_for(held), WANT_SPARE).message == (
        f"{SPARE} is assigned to {stranger}."
    )


def test_sc_e04_is_silent_for_unassigned_and_policy_held_numbers() -> None:
    snapshot = asking_for(in_policy(SPARE, "Redmond"))
    assert findings("SC-E04", snapshot, WANT_SPARE) == []
    assert findings("SC-E04", wanted=WANT_SPARE) == []


def test_sc_e05_blocks_a_number_held_by_another_policy() -> None:
    finding = only("SC-E05", asking_for(in_policy(SPARE, "Redmond")), WANT_SPARE)
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, SPARE)
    assert finding.message == f"{SPARE} is already an emergency number in policy Redmond."


def test_sc_e05_is_silent_for_a_number_already_in_the_target_policy() -> None:
    # HELD is in `Seattle`; compared case-insensitively, as Teams does.
    assert findings("SC-E05", wanted=replace(WANT_SPARE, policy_name=POLICY.upper())) == []


@pytest.mark.parametrize(
    ("spare", "why"),
    [
        (number(SPARE, capabilities=SERVICE), "a service number"),
        (number(SPARE, number_type=OC), "another number type"),
    ],
)
def test_sc_e06_blocks_non_subscriber_numbers_with_a_calling_plan_service_ra(
    spare: PhoneNumber, why: str
) -> None:
    finding = only("SC-E06", asking_for(spare), WANT_SPARE)
    assert (finding.severity, finding.subject.id) == (Severity.BLOCK, SPARE), why
    assert finding.message.endswith(f"must be Calling Plan subscriber numbers; {SPARE} is not.")


def test_sc_e06_is_silent_for_subscriber_numbers() -> None:
    assert findings("SC-E06", wanted=WANT_SPARE) == []


def test_sc_e06_is_silent_when_the_ra_number_is_a_subscriber_number() -> None:
    snapshot = with_ra_number(
        asking_for(number(SPARE, capabilities=SERVICE)),
        capabilities=(Capability.USER_ASSIGNMENT,),
    )
    assert findings("SC-E06", snapshot, WANT_SPARE) == []


def toll_free() -> TenantSnapshot:
    return with_ra_number(healthy(), toll_free=True)


def test_sc_e07_blocks_a_toll_free_ra_without_emergency_numbers() -> None:
    finding = only("SC-E07", toll_free(), desired(emergency_numbers=()))
    assert finding.severity is Severity.BLOCK
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.POLICY, POLICY)
    assert f"Toll-free resource account number {RA_NUMBER} cannot act" in finding.message


def test_sc_e07_is_silent_for_a_toll_free_ra_with_emergency_numbers() -> None:
    assert findings("SC-E07", toll_free()) == []


@pytest.mark.parametrize("number_type", [OC, DR])
def test_sc_e07_is_silent_for_a_toll_free_number_that_is_not_calling_plan(
    number_type: NumberType,
) -> None:
    snapshot = with_ra_number(toll_free(), number_type=number_type)
    assert findings("SC-E07", snapshot, desired(emergency_numbers=())) == []


def test_sc_e07_is_silent_for_an_ordinary_ra_number_without_emergency_numbers() -> None:
    assert findings("SC-E07", wanted=desired(emergency_numbers=())) == []


def test_sc_e08_warns_when_the_callback_list_is_empty() -> None:
    finding = only("SC-E08", wanted=desired(emergency_numbers=()))
    assert (finding.severity, finding.subject.id) == (Severity.WARN, POLICY)
    assert finding.message.startswith(f"Policy {POLICY} has no emergency callback numbers;")


def crowd(count: int) -> tuple[TenantSnapshot, tuple[UserId, ...]]:
    ids = tuple(UserId(f"00000000-0000-4000-9000-{n:012d}") for n in range(1, count + 1))
    return with_users(healthy(), *(person(uid) for uid in ids)), ids


def test_sc_e08_warns_when_more_than_25_users_share_a_number() -> None:
    snapshot, ids = crowd(26)
    finding = only("SC-E08", snapshot, desired(user_ids=ids))
    assert finding.severity is Severity.WARN
    assert finding.message.startswith("Only 1 callback numbers for 26 users;")


def test_sc_e08_is_silent_for_25_users_per_number() -> None:
    snapshot, ids = crowd(25)
    assert findings("SC-E08", snapshot, desired(user_ids=ids)) == []


def test_sc_e09_asks_to_confirm_inbound_routing_of_direct_routing_numbers() -> None:
    snapshot = with_ra_number(asking_for(number(SPARE, number_type=DR)), number_type=DR)
    finding = only("SC-E09", snapshot, desired(emergency_numbers=(SPARE,)))
    assert (finding.severity, finding.attest) == (Severity.WARN, True)
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.NUMBER, SPARE)
    assert finding.message == f"Confirm the SBC routes inbound calls for {SPARE} to Teams."


def test_sc_e09_is_silent_for_calling_plan_numbers() -> None:
    assert findings("SC-E09", wanted=WANT_SPARE) == []
