from __future__ import annotations

from dataclasses import replace

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.access import Principal, Role
from sharedcalling.domain.callerid import EmergencyKind, Outcome
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.tenant import (
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    PolicyRef,
    PolicyType,
    SharedCallingPolicy,
)
from sharedcalling.services.callerid import (
    ONLY_YOURSELF,
    Ambiguous,
    Answered,
    NotFound,
    Refused,
    answer_caller_id,
    explain_caller_id,
)
from sharedcalling.services.ports import SnapshotScope

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")


def uid(nn: int) -> UserId:
    return UserId(f"00000000-0000-4000-8000-{nn:012d}")


MEGAN = Principal(TENANT, uid(1), "Megan Bowen", frozenset({Role.USER, Role.ADMIN}))
ADELE = Principal(TENANT, uid(3), "Adele Vance")
ALEX = Principal(TENANT, uid(2), "Alex Wilber", frozenset({Role.USER, Role.APPROVER}))


@pytest.fixture
def tenant() -> EmulatedTenantGateway:
    return EmulatedTenantGateway.seeded()


async def test_a_user_asking_about_herself_gets_her_shared_number(
    tenant: EmulatedTenantGateway,
) -> None:
    result = await explain_caller_id(ADELE, None, tenant=tenant)
    assert isinstance(result, Answered)
    assert result.about_self
    assert result.subject.display_name == "Adele Vance"
    assert result.answer.outcome is Outcome.SHARED
    assert result.answer.outbound_number == "+14255550100"
    assert result.answer.shared is not None
    assert result.answer.shared.resource_account_name == "Contoso Main Line"


async def test_a_user_may_name_herself(tenant: EmulatedTenantGateway) -> None:
    result = await explain_caller_id(ADELE, "AdeleV@contoso.example", tenant=tenant)
    assert isinstance(result, Answered)
    assert result.about_self


async def test_a_user_cannot_ask_about_someone_else(tenant: EmulatedTenantGateway) -> None:
    result = await explain_caller_id(ADELE, "Megan Bowen", tenant=tenant)
    assert result == Refused(ONLY_YOURSELF)


async def test_an_approver_is_not_an_admin_for_questions(tenant: EmulatedTenantGateway) -> None:
    result = await explain_caller_id(ALEX, str(uid(3)), tenant=tenant)
    assert isinstance(result, Refused)


async def test_a_user_learns_nothing_about_unknown_or_ambiguous_names(
    tenant: EmulatedTenantGateway,
) -> None:
    for query in ("Zebulon", "Contoso Employee", "00000000-0000-4000-8000-000000000999"):
        assert await explain_caller_id(ADELE, query, tenant=tenant) == Refused(ONLY_YOURSELF)


async def test_an_admin_asks_about_someone_by_name(tenant: EmulatedTenantGateway) -> None:
    result = await explain_caller_id(MEGAN, "grady", tenant=tenant)
    assert isinstance(result, Answered)
    assert not result.about_self
    assert result.subject.id == uid(11)
    assert result.answer.outcome is Outcome.SHARED
    assert result.answer.clid is not None


async def test_an_admin_asks_about_someone_by_object_id(tenant: EmulatedTenantGateway) -> None:
    result = await explain_caller_id(MEGAN, str(uid(13)), tenant=tenant)
    assert isinstance(result, Answered)
    assert result.answer.outcome is Outcome.NO_PSTN


async def test_an_admin_gets_candidates_for_an_ambiguous_name(
    tenant: EmulatedTenantGateway,
) -> None:
    result = await explain_caller_id(MEGAN, "Contoso Employee 000", tenant=tenant)
    assert isinstance(result, Ambiguous)
    assert len(result.candidates) == 9
    assert result.candidates[0].user_principal_name == "user0001@contoso.example"


async def test_an_admin_is_told_when_nobody_matches(tenant: EmulatedTenantGateway) -> None:
    assert await explain_caller_id(MEGAN, "Zebulon", tenant=tenant) == NotFound("Zebulon")


async def test_a_principal_of_another_tenant_is_refused(tenant: EmulatedTenantGateway) -> None:
    stranger = Principal(TenantId("11111111-1111-4111-8111-111111111111"), uid(1), "M")
    assert isinstance(await explain_caller_id(stranger, None, tenant=tenant), Refused)


async def test_a_malformed_query_is_invalid_input(tenant: EmulatedTenantGateway) -> None:
    with pytest.raises(InvalidInput):
        await explain_caller_id(MEGAN, "x" * 300, tenant=tenant)


async def test_the_answer_follows_a_change_in_the_tenant(tenant: EmulatedTenantGateway) -> None:
    await tenant.set_enterprise_voice(uid(14), True)
    result = await explain_caller_id(MEGAN, "Miriam Graham", tenant=tenant)
    assert isinstance(result, Answered)
    assert result.answer.outcome is Outcome.NO_NUMBER


async def test_explaining_writes_nothing(tenant: EmulatedTenantGateway) -> None:
    everything = SnapshotScope(all_users=True)
    before = await tenant.snapshot(everything)
    await explain_caller_id(MEGAN, "Adele Vance", tenant=tenant)
    assert await tenant.snapshot(everything) == before


async def test_an_operator_asks_about_anyone_by_upn(tenant: EmulatedTenantGateway) -> None:
    result = await answer_caller_id("adelev@CONTOSO.example", tenant=tenant)
    assert isinstance(result, Answered)
    assert not result.about_self
    assert result.subject.id == uid(3)
    assert result.answer.outbound_number == "+14255550100"


async def test_an_operator_asks_about_a_resource_account(tenant: EmulatedTenantGateway) -> None:
    result = await answer_caller_id(str(uid(51)).upper(), tenant=tenant)
    assert isinstance(result, Answered)
    assert result.answer.rule_codes == ("SC-U01",)


async def test_an_operator_is_told_about_unknown_and_ambiguous_people(
    tenant: EmulatedTenantGateway,
) -> None:
    assert await answer_caller_id("ghost@contoso.example", tenant=tenant) == NotFound(
        "ghost@contoso.example"
    )
    assert isinstance(await answer_caller_id("Contoso Employee", tenant=tenant), Ambiguous)
    with pytest.raises(InvalidInput):
        await answer_caller_id("  ", tenant=tenant)


async def test_the_answer_uses_countries_derived_from_the_number() -> None:
    """A Direct Routing number often has a blank country: the rules get it from the E.164 prefix
    (+1: US, so 911 is the dial string to cover), as the plan does."""
    seeded = EmulatedTenantGateway.seeded()
    snapshot = await seeded.snapshot(SnapshotScope(all_users=True))
    us_dr_number = replace(snapshot.numbers["+493023125100"], telephone_number="+14255550177")
    numbers = {k: v for k, v in snapshot.numbers.items() if k != "+493023125100"}
    policy = SharedCallingPolicy("Berlin", uid(53))
    us_dr = EmergencyCallRoutingPolicy("US-DR", (EmergencyNumber("911", pstn_usage="DE-Berlin"),))
    refs = (
        PolicyRef(PolicyType.SHARED_CALLING, "Berlin"),
        PolicyRef(PolicyType.VOICE_ROUTING, "NoPSTN"),
        PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-DR"),
    )
    diego = replace(snapshot.users[uid(5)], enterprise_voice_enabled=True, direct_policies=refs)
    snapshot = replace(
        snapshot,
        users={**snapshot.users, diego.id: diego},
        numbers={**numbers, us_dr_number.telephone_number: us_dr_number},
        shared_calling_policies={**snapshot.shared_calling_policies, "Berlin": policy},
        emergency_call_routing_policies={
            **snapshot.emergency_call_routing_policies,
            us_dr.name: us_dr,
        },
    )
    tenant = EmulatedTenantGateway.from_snapshot(snapshot)
    result = await answer_caller_id(str(uid(5)), tenant=tenant)
    assert isinstance(result, Answered)
    assert (result.answer.outcome, result.answer.outbound_number) == (
        Outcome.SHARED,
        "+14255550177",
    )
    assert result.answer.emergency.kind is EmergencyKind.MAIN_NUMBER
