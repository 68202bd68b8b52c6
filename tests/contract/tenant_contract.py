"""Tenant gateway contract: behaviour every TenantGateway shows on the demo Contoso tenant.

`DirectoryContract` covers reads (a Graph-only adapter can run it); `VoicePolicyContract` covers
policy contents and every write. Subclass with a `Test` prefix and provide an async `gateway`
fixture that yields a gateway over a freshly seeded demo tenant, and a `faults` fixture giving
that gateway's `TenantFaults`. The tests only use the port and the demo tenant's documented facts
(docs/demo-tenant.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

import pytest

from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.policy import AssignmentSource, effective_policy
from sharedcalling.domain.tenant import (
    PLAN_RESOURCE_ACCOUNT,
    PLAN_TEAMS_PHONE,
    AccountType,
    AppConfigurationType,
    AssignmentStatus,
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    NumberType,
    PhoneNumber,
    PolicyType,
    ProvisioningStatus,
    SharedCallingPolicy,
    VoiceRoutingPolicy,
    shared_calling_target_id,
)
from sharedcalling.services.ports import (
    SnapshotScope,
    TenantConflict,
    TenantGateway,
    TenantNotFound,
    TenantPermissionDenied,
    TenantThrottled,
    TenantValidationError,
)
from tests.demo_ids import (
    ADELE,
    ALEX,
    DIEGO,
    HENRIETTA,
    ISAIAH,
    JONI,
    LEE,
    MEGAN,
    MIRIAM,
    NESTOR,
    PATTI,
    PRADEEP,
    RA_BERLIN,
    RA_HELPDESK,
    RA_MAINLINE,
    RA_SPARE,
    RA_SYDNEY,
    SEATTLE_FLOOR_2,
    VOICE_ADMINS,
    VOICE_APPROVERS,
)

UNKNOWN_ID = UserId("00000000-0000-4000-8000-000000000099")
LOCATION_HQ = "00000000-0000-4000-c000-000000000001"
LOCATION_SEATTLE = "00000000-0000-4000-c000-000000000002"
SEATTLE_NUMBERS = {"+14255550191", "+14255550192"}
FREE_CP_NUMBERS = ("+14255550193", "+14255550194", "+14255550195")
FREE_DR_NUMBER = "+493023125190"
ALL_NUMBERS = {
    "+14255550100", "+14255550150", "+493023125100", "+61255501234",
    "+14255550110", "+14255550142", "+14255550196", "+493023125142",
    "+14255550191", "+14255550192", "+14255550193", "+14255550194", "+14255550195",
    "+493023125190", "+493023125191", "+493023125192",
}  # fmt: skip


class TenantFaults(Protocol):
    """Faults the service behind a gateway shows on the next `times` calls of one operation.

    `operation` is a TenantGateway method name; the contract faults `get_user`, `list_numbers`
    and `snapshot` (reads) and `grant_policy` (a write). An implementation injects the fault where
    the adapter meets its service (an HTTP status, a worker error), never by wrapping the gateway,
    so the adapter's own error mapping and retries are what the contract tests. A fault lasts for
    whole calls: an adapter that retries within a call sees it on every attempt. `retry_after` is
    in whole seconds, as Graph sends it.
    """

    def throttle(self, operation: str, *, retry_after: float, times: int = 1) -> None: ...

    def deny(self, operation: str, *, times: int = 1) -> None: ...


class _GatewayFixture:
    @pytest.fixture
    async def gateway(self) -> TenantGateway:
        raise NotImplementedError("a contract subclass provides a freshly seeded gateway")

    @pytest.fixture
    def faults(self, gateway: TenantGateway) -> TenantFaults:
        raise NotImplementedError("a contract subclass injects faults into its gateway's service")


Read = Callable[[TenantGateway], Awaitable[object]]
READS: dict[str, Read] = {
    "get_user": lambda gateway: gateway.get_user(MEGAN),
    "list_numbers": lambda gateway: gateway.list_numbers(),
    "snapshot": lambda gateway: gateway.snapshot(SnapshotScope(user_ids=[ADELE])),
}


async def number_of(gateway: TenantGateway, telephone_number: str) -> PhoneNumber:
    numbers = {n.telephone_number: n for n in await gateway.list_numbers()}
    return numbers[telephone_number]


class DirectoryContract(_GatewayFixture):
    """Reads: accounts, search, groups, the number inventory and snapshots."""

    async def test_get_user_finds_an_account_by_object_id(self, gateway: TenantGateway) -> None:
        megan = await gateway.get_user(MEGAN)
        assert (megan.id.lower(), megan.display_name) == (MEGAN, "Megan Bowen")
        assert megan.user_principal_name.lower() == "meganb@contoso.example"

    async def test_get_user_finds_an_account_by_upn_in_any_case(
        self, gateway: TenantGateway
    ) -> None:
        assert (await gateway.get_user("ADELEV@Contoso.Example")).id.lower() == ADELE

    async def test_get_user_finds_an_object_id_in_upper_case(self, gateway: TenantGateway) -> None:
        assert (await gateway.get_user(LEE.upper())).display_name == "Lee Gu"

    async def test_get_user_reports_an_unknown_id_or_upn_as_not_found(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantNotFound):
            await gateway.get_user(UNKNOWN_ID)
        with pytest.raises(TenantNotFound):
            await gateway.get_user("nobody@contoso.example")

    async def test_resource_accounts_are_users_of_their_own_type(
        self, gateway: TenantGateway
    ) -> None:
        mainline = await gateway.get_user("ra-mainline@contoso.example")
        assert mainline.account_type is AccountType.RESOURCE_ACCOUNT
        assert (await gateway.get_user(MEGAN)).account_type is AccountType.USER

    async def test_search_matches_the_start_of_any_word_of_the_display_name(
        self, gateway: TenantGateway
    ) -> None:
        assert [u.id.lower() for u in await gateway.search_users("vanc")] == [ADELE]

    async def test_search_matches_upn_and_mail_nickname_case_insensitively(
        self, gateway: TenantGateway
    ) -> None:
        assert [u.id.lower() for u in await gateway.search_users("PATTIF")] == [PATTI]
        assert [u.id.lower() for u in await gateway.search_users("pattif@contoso")] == [PATTI]

    async def test_search_does_not_match_inside_a_word(self, gateway: TenantGateway) -> None:
        assert await gateway.search_users("egan") == []

    async def test_search_orders_by_display_name_and_honours_the_limit(
        self, gateway: TenantGateway
    ) -> None:
        found = await gateway.search_users("contoso", limit=3)
        assert [u.display_name for u in found] == [
            "Contoso Berlin",
            "Contoso Employee 0001",
            "Contoso Employee 0002",
        ]

    async def test_search_finds_generated_employees_by_number(self, gateway: TenantGateway) -> None:
        found = await gateway.search_users("user0042")
        assert [u.display_name for u in found] == ["Contoso Employee 0042"]

    async def test_find_users_reads_many_by_upn_or_id_in_any_case(
        self, gateway: TenantGateway
    ) -> None:
        found = await gateway.find_users(
            ["AdeleV@Contoso.Example", MEGAN.upper(), "ghost@contoso.example",
             "00000000-0000-4000-8000-0000000009ff", "adelev@contoso.example", " "]
        )  # fmt: skip
        assert set(found) == {
            "adelev@contoso.example",
            MEGAN.lower(),
            "ghost@contoso.example",
            "00000000-0000-4000-8000-0000000009ff",
        }  # fmt: skip  (folded keys; the repeat and the blank entry gone)
        adele, megan = found["adelev@contoso.example"], found[MEGAN.lower()]
        assert adele is not None
        assert adele.id == ADELE
        assert megan is not None
        assert megan.display_name == "Megan Bowen"
        assert found["ghost@contoso.example"] is None
        assert found["00000000-0000-4000-8000-0000000009ff"] is None

    async def test_teams_admin_role_holders_are_listed(self, gateway: TenantGateway) -> None:
        """The demo's one Teams Communications Administrator, whatever else she is."""
        assert await gateway.list_teams_admins() == [UserId(MEGAN.lower())]

    async def test_list_resource_accounts_gives_every_one_ordered_by_upn(
        self, gateway: TenantGateway
    ) -> None:
        accounts = await gateway.list_resource_accounts()
        assert [a.user_principal_name.lower().split("@")[0] for a in accounts] == [
            "ra-berlin",
            "ra-helpdesk",
            "ra-mainline",
            "ra-spare",
            "ra-sydney",
        ]

    async def test_get_group_lists_direct_members(self, gateway: TenantGateway) -> None:
        floor = await gateway.get_group(SEATTLE_FLOOR_2)
        assert floor.display_name == "Seattle Floor 2"
        assert {m.lower() for m in floor.member_ids} == {NESTOR, PATTI}
        approvers = await gateway.get_group(VOICE_APPROVERS)
        assert {m.lower() for m in approvers.member_ids} == {ALEX, MIRIAM}

    async def test_get_group_reports_an_unknown_group_as_not_found(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantNotFound):
            await gateway.get_group(GroupId("00000000-0000-4000-a000-000000000099"))

    async def test_list_numbers_is_the_whole_inventory_in_order(
        self, gateway: TenantGateway
    ) -> None:
        numbers = [n.telephone_number for n in await gateway.list_numbers()]
        assert numbers == sorted(numbers)
        assert set(numbers) == ALL_NUMBERS

    async def test_numbers_show_their_assignment(self, gateway: TenantGateway) -> None:
        mainline = await number_of(gateway, "+14255550100")
        assert mainline.number_type is NumberType.CALLING_PLAN
        assert mainline.assignment_status is AssignmentStatus.VOICE_APPLICATION_ASSIGNED
        assert (mainline.assigned_target_id or "").lower() == RA_MAINLINE
        assert mainline.location_id
        joni = await number_of(gateway, "+14255550196")
        assert joni.assignment_status is AssignmentStatus.USER_ASSIGNED
        assert (joni.assigned_target_id or "").lower() == JONI
        held = await number_of(gateway, "+14255550191")
        assert held.assignment_status is AssignmentStatus.POLICY_ASSIGNED
        assert held.assigned_target_id == shared_calling_target_id("Seattle")
        assert (await number_of(gateway, "+493023125100")).number_type is NumberType.DIRECT_ROUTING

    async def test_an_operator_connect_number_identifies_its_operator(
        self, gateway: TenantGateway
    ) -> None:
        # By name where the backend has it (PowerShell's PstnPartnerName), else by the id
        # Graph's numberAssignment carries (operatorId).
        helpdesk = await number_of(gateway, "+14255550150")
        assert helpdesk.number_type is NumberType.OPERATOR_CONNECT
        assert helpdesk.operator_name in ("Fabrikam Telecom", None)
        assert helpdesk.operator_name or helpdesk.operator_id

    async def test_snapshot_holds_the_scope_and_every_resource_account_only(
        self, gateway: TenantGateway
    ) -> None:
        snapshot = await gateway.snapshot(SnapshotScope(user_ids=[ADELE, UNKNOWN_ID]))
        ids = {u.lower() for u in snapshot.users}
        assert ids == {ADELE, RA_MAINLINE, RA_HELPDESK, RA_BERLIN, RA_SYDNEY, RA_SPARE}
        assert {n for n in snapshot.numbers} == ALL_NUMBERS

    async def test_snapshot_of_all_users_includes_the_generated_employees(
        self, gateway: TenantGateway
    ) -> None:
        snapshot = await gateway.snapshot(SnapshotScope(all_users=True))
        assert len(snapshot.users) == 1020
        employee = snapshot.users[UserId("00000000-0000-4000-9000-000000000500")]
        assert employee.display_name == "Contoso Employee 0500"
        assert employee.plan_status(PLAN_TEAMS_PHONE) is ProvisioningStatus.SUCCESS
        assert not employee.enterprise_voice_enabled

    async def test_snapshot_carries_licenses_and_account_state(
        self, gateway: TenantGateway
    ) -> None:
        scope = SnapshotScope(user_ids=[MEGAN, ISAIAH, HENRIETTA, PRADEEP])
        users = (await gateway.snapshot(scope)).users
        assert users[MEGAN].plan_status(PLAN_TEAMS_PHONE) is ProvisioningStatus.SUCCESS
        assert users[ISAIAH].plan_status(PLAN_TEAMS_PHONE) is None
        assert not users[HENRIETTA].account_enabled
        assert users[PRADEEP].usage_location == "DE"
        mainline = users[RA_MAINLINE]
        assert mainline.plan_status(PLAN_RESOURCE_ACCOUNT) is ProvisioningStatus.SUCCESS
        assert mainline.has_plan_prefix("MCOPSTN_PAYG")
        assert mainline.plan_status(PLAN_TEAMS_PHONE) is None

    async def test_snapshot_has_groups_and_free_resource_account_seats(
        self, gateway: TenantGateway
    ) -> None:
        snapshot = await gateway.snapshot(SnapshotScope())
        assert {g.lower() for g in snapshot.groups} == {
            VOICE_ADMINS,
            VOICE_APPROVERS,
            SEATTLE_FLOOR_2,
        }
        seats = [s for s in snapshot.subscribed_skus if "MCOEV_VIRTUALUSER" in s.service_plan_names]
        assert seats
        assert seats[0].available_units > 0

    async def test_snapshot_gives_the_inputs_of_effective_policy(
        self, gateway: TenantGateway
    ) -> None:
        snapshot = await gateway.snapshot(SnapshotScope(user_ids=[ADELE, NESTOR, PATTI, DIEGO]))
        adele = effective_policy(ADELE, PolicyType.SHARED_CALLING, snapshot)
        assert (adele.name, adele.source) == ("Seattle", AssignmentSource.DIRECT)
        nestor = effective_policy(NESTOR, PolicyType.SHARED_CALLING, snapshot)
        assert (nestor.name, nestor.source) == ("Seattle", AssignmentSource.GROUP)
        assert (nestor.group_id or "").lower() == SEATTLE_FLOOR_2
        patti = effective_policy(PATTI, PolicyType.SHARED_CALLING, snapshot)
        assert (patti.name, patti.source) == ("HelpDesk", AssignmentSource.DIRECT)
        assert effective_policy(DIEGO, PolicyType.VOICE_ROUTING, snapshot).is_global
        assert snapshot.users[NESTOR].direct_policy(PolicyType.VOICE_ROUTING) == "NoPSTN"

    # ---- completeness and service errors
    async def test_reading_everything_returns_every_account_and_number_exactly_once(
        self, gateway: TenantGateway
    ) -> None:
        users = (await gateway.snapshot(SnapshotScope(all_users=True))).users
        ids = [user.id.lower() for user in users.values()]
        assert len(ids) == len(set(ids)) == 1020
        generated = {f"00000000-0000-4000-9000-{n:012d}" for n in range(1, 1001)}
        assert generated <= set(ids)
        numbers = [n.telephone_number for n in await gateway.list_numbers()]
        assert len(numbers) == len(set(numbers)) == len(ALL_NUMBERS)

    @pytest.mark.parametrize("operation", sorted(READS))
    async def test_a_throttled_read_gives_the_services_retry_after_and_then_recovers(
        self, gateway: TenantGateway, faults: TenantFaults, operation: str
    ) -> None:
        read = READS[operation]
        expected = await read(gateway)
        faults.throttle(operation, retry_after=7, times=1)
        with pytest.raises(TenantThrottled) as throttled:
            await read(gateway)
        assert throttled.value.retry_after == pytest.approx(7.0)
        assert await read(gateway) == expected

    @pytest.mark.parametrize("operation", sorted(READS))
    async def test_a_denied_read_is_permission_denied_and_then_recovers(
        self, gateway: TenantGateway, faults: TenantFaults, operation: str
    ) -> None:
        read = READS[operation]
        expected = await read(gateway)
        faults.deny(operation, times=1)
        with pytest.raises(TenantPermissionDenied):
            await read(gateway)
        assert await read(gateway) == expected


class VoicePolicyContract(_GatewayFixture):
    """Policy contents, and every write: its effect, its idempotence and its errors."""

    async def test_snapshot_holds_the_policies_of_the_demo_tenant(
        self, gateway: TenantGateway
    ) -> None:
        snapshot = await gateway.snapshot(SnapshotScope())
        seattle = snapshot.shared_calling_policies["Seattle"]
        assert (seattle.resource_account_id or "").lower() == RA_MAINLINE
        assert set(seattle.emergency_numbers) == SEATTLE_NUMBERS
        assert snapshot.shared_calling_policies["Global"].resource_account_id is None
        assert snapshot.voice_routing_policies["Global"].pstn_usages == ("US-Default",)
        assert snapshot.voice_routing_policies["NoPSTN"].pstn_usages == ()
        assert "US-Emergency" in snapshot.emergency_call_routing_policies
        anonymous = snapshot.calling_line_identity_policies["Anonymous"]
        assert anonymous.substitute is CallingIdSubstitute.ANONYMOUS
        mainline_apps = snapshot.associations_of(RA_MAINLINE)
        assert [a.configuration_type for a in mainline_apps] == [
            AppConfigurationType.AUTO_ATTENDANT
        ]

    # ---- enterprise voice
    async def test_enabling_voice_is_read_back_and_repeating_it_is_a_no_op(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.set_enterprise_voice(DIEGO, True)
        await gateway.set_enterprise_voice(DIEGO, True)
        assert (await gateway.get_user(DIEGO)).enterprise_voice_enabled

    async def test_disabling_voice_that_is_already_off_succeeds(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.set_enterprise_voice(ALEX, False)
        assert not (await gateway.get_user(ALEX)).enterprise_voice_enabled

    async def test_voice_cannot_be_enabled_without_teams_phone(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantValidationError):
            await gateway.set_enterprise_voice(ISAIAH, True)
        assert not (await gateway.get_user(ISAIAH)).enterprise_voice_enabled

    async def test_voice_cannot_be_enabled_for_a_disabled_account(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantValidationError):
            await gateway.set_enterprise_voice(HENRIETTA, True)

    async def test_enabling_voice_for_an_unknown_user_is_not_found(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantNotFound):
            await gateway.set_enterprise_voice(UNKNOWN_ID, True)

    # ---- number location
    async def test_setting_a_number_location_is_read_back_and_idempotent(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.set_number_location("+14255550193", LOCATION_SEATTLE)
        await gateway.set_number_location("+14255550193", LOCATION_SEATTLE)
        assert (await number_of(gateway, "+14255550193")).location_id == LOCATION_SEATTLE

    async def test_a_number_whose_location_the_desk_manages_is_refused(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantValidationError):
            await gateway.set_number_location("+61255501234", LOCATION_HQ)

    async def test_setting_the_location_of_an_unknown_number_is_not_found(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantNotFound):
            await gateway.set_number_location("+14255550999", LOCATION_HQ)

    # ---- direct grants
    async def test_granting_a_policy_is_read_back_and_repeating_it_is_a_no_op(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
        await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
        diego = await gateway.get_user(DIEGO)
        assert diego.direct_policy(PolicyType.VOICE_ROUTING) == "NoPSTN"

    async def test_granting_none_removes_the_direct_assignment(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.grant_policy(PolicyType.SHARED_CALLING, PATTI, None)
        await gateway.grant_policy(PolicyType.SHARED_CALLING, PATTI, None)
        snapshot = await gateway.snapshot(SnapshotScope(user_ids=[PATTI]))
        assert snapshot.users[PATTI].direct_policy(PolicyType.SHARED_CALLING) is None
        assert effective_policy(PATTI, PolicyType.SHARED_CALLING, snapshot).name == "Seattle"

    async def test_granting_replaces_only_the_same_policy_type(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.grant_policy(PolicyType.SHARED_CALLING, PRADEEP, "Seattle")
        await gateway.grant_policy(PolicyType.SHARED_CALLING, ADELE, "HelpDesk")
        adele = await gateway.get_user(ADELE)
        assert adele.direct_policy(PolicyType.SHARED_CALLING) == "HelpDesk"
        assert adele.direct_policy(PolicyType.VOICE_ROUTING) == "NoPSTN"
        assert (await gateway.get_user(PRADEEP)).direct_policy(
            PolicyType.SHARED_CALLING
        ) == "Seattle"

    async def test_granting_an_unknown_policy_is_not_found(self, gateway: TenantGateway) -> None:
        with pytest.raises(TenantNotFound):
            await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoSuchPolicy")
        assert (await gateway.get_user(DIEGO)).direct_policy(PolicyType.VOICE_ROUTING) is None

    async def test_granting_to_an_unknown_user_is_not_found(self, gateway: TenantGateway) -> None:
        with pytest.raises(TenantNotFound):
            await gateway.grant_policy(PolicyType.VOICE_ROUTING, UNKNOWN_ID, "NoPSTN")

    async def test_a_shared_calling_policy_cannot_be_granted_to_a_resource_account(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantValidationError):
            await gateway.grant_policy(PolicyType.SHARED_CALLING, RA_SPARE, "Seattle")

    async def test_a_voice_routing_policy_can_be_granted_to_a_resource_account(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.grant_policy(PolicyType.VOICE_ROUTING, RA_SPARE, "DE-Berlin-PSTN")
        spare = await gateway.get_user(RA_SPARE)
        assert spare.direct_policy(PolicyType.VOICE_ROUTING) == "DE-Berlin-PSTN"

    # ---- group grants
    async def test_a_group_grant_reaches_direct_members_and_is_idempotent(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.grant_group_policy(
            PolicyType.CALLING_LINE_IDENTITY, VOICE_APPROVERS, "Anonymous", 1
        )
        await gateway.grant_group_policy(
            PolicyType.CALLING_LINE_IDENTITY, VOICE_APPROVERS, "Anonymous", 1
        )
        snapshot = await gateway.snapshot(SnapshotScope(user_ids=[ALEX, MEGAN]))
        grants = [
            a
            for a in snapshot.group_assignments
            if a.policy_type is PolicyType.CALLING_LINE_IDENTITY
        ]
        assert [(a.group_id.lower(), a.policy_name, a.rank) for a in grants] == [
            (VOICE_APPROVERS, "Anonymous", 1)
        ]
        assert (
            effective_policy(ALEX, PolicyType.CALLING_LINE_IDENTITY, snapshot).name == "Anonymous"
        )
        assert effective_policy(MEGAN, PolicyType.CALLING_LINE_IDENTITY, snapshot).is_global

    async def test_a_group_grant_to_an_unknown_group_or_policy_is_not_found(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantNotFound):
            await gateway.grant_group_policy(
                PolicyType.SHARED_CALLING,
                GroupId("00000000-0000-4000-a000-000000000099"),
                "Seattle",
                2,
            )
        with pytest.raises(TenantNotFound):
            await gateway.grant_group_policy(PolicyType.SHARED_CALLING, VOICE_ADMINS, "Nowhere", 2)

    # ---- creating routing, emergency and caller-id policies
    async def test_creating_a_voice_routing_policy_twice_is_a_no_op(
        self, gateway: TenantGateway
    ) -> None:
        policy = VoiceRoutingPolicy("SC-NoPstn", (), "Shared Calling users")
        await gateway.create_voice_routing_policy(policy)
        await gateway.create_voice_routing_policy(policy)
        snapshot = await gateway.snapshot(SnapshotScope())
        assert snapshot.voice_routing_policies["SC-NoPstn"].pstn_usages == ()

    async def test_recreating_a_voice_routing_policy_with_other_usages_conflicts(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantConflict):
            await gateway.create_voice_routing_policy(VoiceRoutingPolicy("NoPSTN", ("US-Default",)))

    async def test_creating_an_emergency_routing_policy_is_idempotent_and_conflicts_on_change(
        self, gateway: TenantGateway
    ) -> None:
        policy = EmergencyCallRoutingPolicy("SC-US-911", (EmergencyNumber("911", "933"),))
        await gateway.create_emergency_call_routing_policy(policy)
        await gateway.create_emergency_call_routing_policy(policy)
        snapshot = await gateway.snapshot(SnapshotScope())
        assert snapshot.emergency_call_routing_policies["SC-US-911"].emergency_numbers == (
            EmergencyNumber("911", "933"),
        )
        with pytest.raises(TenantConflict):
            await gateway.create_emergency_call_routing_policy(
                EmergencyCallRoutingPolicy(
                    "SC-US-911", (EmergencyNumber("911", None, "US-Default"),)
                )
            )

    async def test_creating_a_caller_id_policy_is_idempotent_and_conflicts_on_change(
        self, gateway: TenantGateway
    ) -> None:
        policy = CallingLineIdentityPolicy("Main line", CallingIdSubstitute.RESOURCE, RA_MAINLINE)
        await gateway.create_calling_line_identity_policy(policy)
        await gateway.create_calling_line_identity_policy(policy)
        snapshot = await gateway.snapshot(SnapshotScope())
        assert snapshot.calling_line_identity_policies["Main line"].substitute is (
            CallingIdSubstitute.RESOURCE
        )
        with pytest.raises(TenantConflict):
            await gateway.create_calling_line_identity_policy(
                CallingLineIdentityPolicy("Anonymous")
            )

    # ---- Shared Calling policies
    async def test_creating_a_shared_calling_policy_holds_its_emergency_numbers(
        self, gateway: TenantGateway
    ) -> None:
        policy = SharedCallingPolicy("Redmond", RA_MAINLINE, ("+14255550193", "+14255550194"))
        await gateway.create_shared_calling_policy(policy)
        await gateway.create_shared_calling_policy(policy)
        snapshot = await gateway.snapshot(SnapshotScope())
        redmond = snapshot.shared_calling_policies["Redmond"]
        assert (redmond.resource_account_id or "").lower() == RA_MAINLINE
        assert set(redmond.emergency_numbers) == {"+14255550193", "+14255550194"}
        held = await number_of(gateway, "+14255550193")
        assert held.assignment_status is AssignmentStatus.POLICY_ASSIGNED
        assert held.assigned_target_id == shared_calling_target_id("Redmond")

    async def test_recreating_a_shared_calling_policy_differently_conflicts(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantConflict):
            await gateway.create_shared_calling_policy(SharedCallingPolicy("Seattle", RA_HELPDESK))
        with pytest.raises(TenantConflict):
            await gateway.create_shared_calling_policy(
                SharedCallingPolicy("Seattle", RA_MAINLINE, ("+14255550191",))
            )

    async def test_recreating_a_shared_calling_policy_identically_is_a_no_op(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.create_shared_calling_policy(
            SharedCallingPolicy("Seattle", RA_MAINLINE, ("+14255550192", "+14255550191"))
        )

    async def test_a_shared_calling_policy_without_a_resource_account_is_refused(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantValidationError):
            await gateway.create_shared_calling_policy(SharedCallingPolicy("NoAccount", None))
        assert "NoAccount" not in (await gateway.snapshot(SnapshotScope())).shared_calling_policies

    async def test_emergency_numbers_keep_the_order_they_were_given(
        self, gateway: TenantGateway
    ) -> None:
        # The first number is reused when none is free (New-CsTeamsSharedCallingRoutingPolicy).
        await gateway.create_shared_calling_policy(
            SharedCallingPolicy("Redmond", RA_MAINLINE, ("+14255550195", "+14255550193"))
        )
        await gateway.update_shared_calling_numbers("Redmond", remove=["+14255550193"])
        await gateway.update_shared_calling_numbers("Redmond", add=["+14255550194", "+14255550193"])
        snapshot = await gateway.snapshot(SnapshotScope())
        assert snapshot.shared_calling_policies["Redmond"].emergency_numbers == (
            "+14255550195",
            "+14255550194",
            "+14255550193",
        )

    async def test_a_shared_calling_policy_needs_a_resource_account_with_a_number(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantValidationError, match="no phone number"):
            await gateway.create_shared_calling_policy(SharedCallingPolicy("Spare", RA_SPARE))
        with pytest.raises(TenantValidationError):
            await gateway.create_shared_calling_policy(SharedCallingPolicy("Megan", MEGAN))
        names = (await gateway.snapshot(SnapshotScope())).shared_calling_policies
        assert "Spare" not in names
        assert "Megan" not in names

    async def test_an_emergency_number_outside_the_inventory_is_refused(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantValidationError):
            await gateway.create_shared_calling_policy(
                SharedCallingPolicy("Redmond", RA_MAINLINE, ("+14255550999",))
            )

    async def test_an_emergency_number_held_elsewhere_conflicts(
        self, gateway: TenantGateway
    ) -> None:
        for taken in ("+14255550191", "+14255550110"):
            with pytest.raises(TenantConflict):
                await gateway.create_shared_calling_policy(
                    SharedCallingPolicy("Redmond", RA_MAINLINE, (taken,))
                )
        assert "Redmond" not in (await gateway.snapshot(SnapshotScope())).shared_calling_policies

    async def test_an_emergency_number_of_another_type_is_refused(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantValidationError):
            await gateway.create_shared_calling_policy(
                SharedCallingPolicy("Redmond", RA_MAINLINE, (FREE_DR_NUMBER,))
            )
        assert (await number_of(gateway, FREE_DR_NUMBER)).assigned_target_id is None

    async def test_adding_and_removing_emergency_numbers_moves_their_assignment(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.update_shared_calling_numbers("Seattle", add=["+14255550193"])
        await gateway.update_shared_calling_numbers("Seattle", remove=["+14255550191"])
        snapshot = await gateway.snapshot(SnapshotScope())
        assert set(snapshot.shared_calling_policies["Seattle"].emergency_numbers) == {
            "+14255550192",
            "+14255550193",
        }
        added, removed = snapshot.numbers["+14255550193"], snapshot.numbers["+14255550191"]
        assert added.assigned_target_id == shared_calling_target_id("Seattle")
        assert added.assignment_status is AssignmentStatus.POLICY_ASSIGNED
        assert removed.assignment_status is AssignmentStatus.UNASSIGNED
        assert removed.assigned_target_id is None

    async def test_updating_emergency_numbers_is_idempotent(self, gateway: TenantGateway) -> None:
        await gateway.update_shared_calling_numbers("Seattle", add=SEATTLE_NUMBERS)
        await gateway.update_shared_calling_numbers("HelpDesk", remove=["+14255550193"])
        snapshot = await gateway.snapshot(SnapshotScope())
        assert set(snapshot.shared_calling_policies["Seattle"].emergency_numbers) == SEATTLE_NUMBERS
        assert snapshot.shared_calling_policies["HelpDesk"].emergency_numbers == ()

    async def test_a_released_emergency_number_can_join_another_policy(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.update_shared_calling_numbers("Seattle", remove=["+14255550192"])
        await gateway.create_shared_calling_policy(
            SharedCallingPolicy("Redmond", RA_MAINLINE, ("+14255550192",))
        )
        held = await number_of(gateway, "+14255550192")
        assert held.assigned_target_id == shared_calling_target_id("Redmond")

    async def test_adding_a_number_held_by_another_policy_conflicts(
        self, gateway: TenantGateway
    ) -> None:
        await gateway.create_shared_calling_policy(
            SharedCallingPolicy("Redmond", RA_MAINLINE, (FREE_CP_NUMBERS[0],))
        )
        with pytest.raises(TenantConflict):
            await gateway.update_shared_calling_numbers("Seattle", add=[FREE_CP_NUMBERS[0]])

    async def test_updating_an_unknown_shared_calling_policy_is_not_found(
        self, gateway: TenantGateway
    ) -> None:
        with pytest.raises(TenantNotFound):
            await gateway.update_shared_calling_numbers("Nowhere", add=[FREE_CP_NUMBERS[1]])

    # ---- service errors on writes
    async def test_a_throttled_grant_gives_the_retry_after_changes_nothing_and_then_succeeds(
        self, gateway: TenantGateway, faults: TenantFaults
    ) -> None:
        faults.throttle("grant_policy", retry_after=11, times=1)
        with pytest.raises(TenantThrottled) as throttled:
            await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
        assert throttled.value.retry_after == pytest.approx(11.0)
        assert (await gateway.get_user(DIEGO)).direct_policy(PolicyType.VOICE_ROUTING) is None
        await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
        diego = await gateway.get_user(DIEGO)
        assert diego.direct_policy(PolicyType.VOICE_ROUTING) == "NoPSTN"

    async def test_a_denied_grant_is_permission_denied_changes_nothing_and_then_succeeds(
        self, gateway: TenantGateway, faults: TenantFaults
    ) -> None:
        faults.deny("grant_policy", times=1)
        with pytest.raises(TenantPermissionDenied):
            await gateway.grant_policy(PolicyType.SHARED_CALLING, PATTI, None)
        patti = await gateway.get_user(PATTI)
        assert patti.direct_policy(PolicyType.SHARED_CALLING) == "HelpDesk"
        await gateway.grant_policy(PolicyType.SHARED_CALLING, PATTI, None)
        assert (await gateway.get_user(PATTI)).direct_policy(PolicyType.SHARED_CALLING) is None
