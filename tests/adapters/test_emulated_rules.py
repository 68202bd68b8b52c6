"""Service rules the emulated tenant enforces beyond the shared contract, with their messages."""

from __future__ import annotations

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_codec import to_stored
from sharedcalling.adapters.tenant.emulated_memory import InMemoryTenantStateStore
from sharedcalling.domain.ids import GroupId
from sharedcalling.domain.tenant import (
    ActivationState,
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    Capability,
    Group,
    GroupPolicyAssignment,
    NumberType,
    PhoneNumber,
    PolicyType,
    SharedCallingPolicy,
    VoiceRoutingPolicy,
)
from sharedcalling.services.ports import (
    SnapshotScope,
    TenantNotFound,
    TenantValidationError,
)
from tests.contract.tenant_contract import LOCATION_HQ
from tests.demo_ids import (
    DIEGO,
    MEGAN,
    RA_BERLIN,
    RA_HELPDESK,
    RA_MAINLINE,
    RA_SYDNEY,
    SEATTLE_FLOOR_2,
    VOICE_ADMINS,
)


@pytest.fixture
def gateway() -> EmulatedTenantGateway:
    return EmulatedTenantGateway.seeded()


async def test_unknown_users_are_reported_in_the_cmdlet_words(
    gateway: EmulatedTenantGateway,
) -> None:
    with pytest.raises(TenantNotFound, match='Management object not found for identity "x@y"'):
        await gateway.get_user("x@y")


async def test_policies_are_found_by_name_in_any_case_and_with_a_tag_prefix(
    gateway: EmulatedTenantGateway,
) -> None:
    await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "Tag:nopstn")
    assert (await gateway.get_user(DIEGO)).direct_policy(PolicyType.VOICE_ROUTING) == "NoPSTN"


async def test_the_global_instance_cannot_be_granted_by_name(
    gateway: EmulatedTenantGateway,
) -> None:
    with pytest.raises(TenantValidationError, match=r"grant \$null"):
        await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "Global")


async def test_a_calling_plan_service_number_in_australia_cannot_back_shared_calling(
    gateway: EmulatedTenantGateway,
) -> None:
    with pytest.raises(TenantValidationError, match="AU are not supported"):
        await gateway.create_shared_calling_policy(SharedCallingPolicy("Sydney", RA_SYDNEY))


async def test_a_shared_calling_policy_needs_a_resource_account(
    gateway: EmulatedTenantGateway,
) -> None:
    with pytest.raises(TenantValidationError, match="-ResourceAccount is required"):
        await gateway.create_shared_calling_policy(SharedCallingPolicy("Nobody", None))
    with pytest.raises(TenantValidationError, match="is not a resource account"):
        await gateway.create_shared_calling_policy(SharedCallingPolicy("Megan", MEGAN))


async def test_a_policy_name_with_a_tag_prefix_is_refused(gateway: EmulatedTenantGateway) -> None:
    with pytest.raises(TenantValidationError, match="Tag: prefix"):
        await gateway.create_voice_routing_policy(VoiceRoutingPolicy("Tag:Empty"))


async def gateway_with(*extra: object) -> EmulatedTenantGateway:
    """The demo tenant plus extra objects, loaded the way a restart loads them."""
    store = InMemoryTenantStateStore()
    seeded = await EmulatedTenantGateway.open(store)
    await store.upsert(seeded.tenant_id, [to_stored(o) for o in extra])
    return await EmulatedTenantGateway.open(store)


async def test_emergency_numbers_must_be_in_the_country_of_the_resource_account() -> None:
    # Both numbers are Direct Routing with a blank country, so countries come from +1 and +49.
    us_number = PhoneNumber("+14255550180", NumberType.DIRECT_ROUTING, None)
    gateway = await gateway_with(us_number)
    with pytest.raises(TenantValidationError, match="the resource account's number is in DE"):
        await gateway.create_shared_calling_policy(
            SharedCallingPolicy("Berlin", RA_BERLIN, ("+14255550180",))
        )


async def test_a_calling_plan_service_number_cannot_be_an_emergency_number() -> None:
    service = PhoneNumber(
        "+14255550181", NumberType.CALLING_PLAN, "US", (Capability.VOICE_APPLICATION_ASSIGNMENT,)
    )
    gateway = await gateway_with(service)
    with pytest.raises(TenantValidationError, match="subscriber numbers"):
        await gateway.update_shared_calling_numbers("Seattle", add=["+14255550181"])


async def test_a_number_that_is_not_activated_cannot_be_an_emergency_number() -> None:
    pending = PhoneNumber(
        "+14255550182",
        NumberType.CALLING_PLAN,
        "US",
        (Capability.USER_ASSIGNMENT,),
        activation_state=ActivationState.ASSIGNMENT_PENDING,
    )
    gateway = await gateway_with(pending)
    with pytest.raises(TenantValidationError, match="not activated"):
        await gateway.update_shared_calling_numbers("Seattle", add=["+14255550182"])


async def test_direct_routing_emergency_numbers_join_a_direct_routing_policy(
    gateway: EmulatedTenantGateway,
) -> None:
    await gateway.create_shared_calling_policy(
        SharedCallingPolicy("Berlin", RA_BERLIN, ("+493023125190", "+493023125191"))
    )
    snapshot = await gateway.snapshot(SnapshotScope())
    assert snapshot.shared_calling_policies["Berlin"].emergency_numbers == (
        "+493023125190",
        "+493023125191",
    )


async def test_operator_connect_numbers_must_match_an_operator_connect_account(
    gateway: EmulatedTenantGateway,
) -> None:
    with pytest.raises(TenantValidationError, match="same type"):
        await gateway.update_shared_calling_numbers("HelpDesk", add=["+14255550193"])


async def test_a_number_cannot_be_added_and_removed_at_once(
    gateway: EmulatedTenantGateway,
) -> None:
    with pytest.raises(TenantValidationError, match="added and removed"):
        await gateway.update_shared_calling_numbers(
            "Seattle", add=["+14255550193"], remove=["+14255550193"]
        )


async def test_a_failed_update_changes_no_number(gateway: EmulatedTenantGateway) -> None:
    with pytest.raises(TenantValidationError):
        await gateway.update_shared_calling_numbers(
            "Seattle", add=["+14255550193", "+493023125190"]
        )
    numbers = {n.telephone_number: n for n in await gateway.list_numbers()}
    assert numbers["+14255550193"].assigned_target_id is None


async def test_an_unknown_location_is_refused(gateway: EmulatedTenantGateway) -> None:
    with pytest.raises(TenantValidationError, match="location"):
        await gateway.set_number_location("+14255550193", "00000000-0000-4000-c000-000000000099")
    await gateway.set_number_location("+14255550193", LOCATION_HQ.upper())


async def test_a_group_rank_must_be_positive(gateway: EmulatedTenantGateway) -> None:
    with pytest.raises(TenantValidationError, match="Rank"):
        await gateway.grant_group_policy(PolicyType.SHARED_CALLING, VOICE_ADMINS, "Seattle", 0)


async def test_a_group_grant_replaces_the_groups_earlier_grant_of_that_type(
    gateway: EmulatedTenantGateway,
) -> None:
    await gateway.grant_group_policy(PolicyType.SHARED_CALLING, SEATTLE_FLOOR_2, "HelpDesk", 2)
    snapshot = await gateway.snapshot(SnapshotScope())
    grants = [a for a in snapshot.group_assignments if a.policy_type is PolicyType.SHARED_CALLING]
    assert [(a.policy_name, a.rank) for a in grants] == [("HelpDesk", 2)]


async def test_a_policy_type_takes_at_most_64_groups() -> None:
    groups = [
        Group(GroupId(f"00000000-0000-4000-a000-0000000001{n:02d}"), f"G{n}") for n in range(65)
    ]
    grants = [
        GroupPolicyAssignment(g.id, PolicyType.VOICE_ROUTING, "NoPSTN", 1) for g in groups[:64]
    ]
    gateway = await gateway_with(*groups, *grants)
    await gateway.grant_group_policy(PolicyType.VOICE_ROUTING, groups[0].id, "NoPSTN", 1)
    with pytest.raises(TenantValidationError, match="limit 64"):
        await gateway.grant_group_policy(PolicyType.VOICE_ROUTING, groups[64].id, "NoPSTN", 1)


async def test_a_resource_caller_id_policy_needs_a_resource_account(
    gateway: EmulatedTenantGateway,
) -> None:
    with pytest.raises(TenantValidationError, match="ResourceAccount"):
        await gateway.create_calling_line_identity_policy(
            CallingLineIdentityPolicy("Shown as Megan", CallingIdSubstitute.RESOURCE, MEGAN)
        )
    await gateway.create_calling_line_identity_policy(
        CallingLineIdentityPolicy("Help desk", CallingIdSubstitute.RESOURCE, RA_HELPDESK)
    )


async def test_enabling_voice_on_a_resource_account_is_allowed(
    gateway: EmulatedTenantGateway,
) -> None:
    await gateway.set_enterprise_voice(RA_MAINLINE, True)
    assert (await gateway.get_user(RA_MAINLINE)).enterprise_voice_enabled
