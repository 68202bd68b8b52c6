"""Hypothesis strategies: small generated tenants and desired states for the planning invariants."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.tenant import (
    PLAN_PAYG_PREFIX,
    PLAN_RESOURCE_ACCOUNT,
    PLAN_TEAMS_PHONE,
    AccountType,
    ActivationState,
    AppAssociation,
    AppConfigurationType,
    AssignmentStatus,
    Capability,
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    Group,
    GroupPolicyAssignment,
    License,
    NumberType,
    PhoneNumber,
    PolicyRef,
    PolicyType,
    ProvisioningStatus,
    ServicePlan,
    SharedCallingPolicy,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
    shared_calling_target_id,
)

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
RA_ID = UserId("00000000-0000-4000-8000-000000000051")
GROUP_ID = GroupId("00000000-0000-4000-a000-000000000003")
SPARE = ("+14255550191", "+14255550192", "+14255550193", "+14255550194")
SUBSCRIBER = (Capability.USER_ASSIGNMENT,)


@dataclass(frozen=True)
class Scenario:
    snapshot: TenantSnapshot
    desired: DesiredState


def _user_id(n: int) -> UserId:
    return UserId(f"00000000-0000-4000-9000-{n:012d}")


def _ra() -> User:
    plans = (ServicePlan(PLAN_RESOURCE_ACCOUNT), ServicePlan(f"{PLAN_PAYG_PREFIX}_1"))
    return User(
        RA_ID,
        "ra-main@contoso.example",
        "Main Line",
        account_type=AccountType.RESOURCE_ACCOUNT,
        account_enabled=False,
        licenses=(License("PHONESYSTEM_VIRTUALUSER", plans),),
    )


@st.composite
def generated_user(draw: st.DrawFn, n: int) -> tuple[User, PhoneNumber | None]:
    uid = _user_id(n)
    licensed = draw(st.booleans() | st.just(True))
    policies = []
    for policy_type, names in (
        (PolicyType.VOICE_ROUTING, ("NoPSTN", "US-PSTN")),
        (PolicyType.EMERGENCY_CALL_ROUTING, ("US-Emergency", "Empty-Emergency")),
        (PolicyType.SHARED_CALLING, ("Seattle", "Other")),
    ):
        name = draw(st.none() | st.sampled_from(names))
        if name is not None:
            policies.append(PolicyRef(policy_type, name))
    user = User(
        uid,
        f"user{n}@contoso.example",
        f"User {n}",
        account_enabled=draw(st.booleans() | st.just(True)),
        usage_location=draw(st.sampled_from(["US", "DE"])),
        licenses=(License("MCOEV", (ServicePlan(PLAN_TEAMS_PHONE),)),) if licensed else (),
        enterprise_voice_enabled=draw(st.booleans()),
        direct_policies=tuple(policies),
    )
    number = None
    if draw(st.integers(0, 5)) == 0:
        number = PhoneNumber(
            f"+1425555{1000 + n:04d}",
            NumberType.CALLING_PLAN,
            "US",
            SUBSCRIBER,
            assignment_status=AssignmentStatus.USER_ASSIGNED,
            assigned_target_id=uid,
        )
    return user, number


def _policies() -> dict[str, object]:
    usage = ("US-Default",)
    return {
        "vrp": {
            "Global": VoiceRoutingPolicy("Global", usage),
            "NoPSTN": VoiceRoutingPolicy("NoPSTN"),
            "US-PSTN": VoiceRoutingPolicy("US-PSTN", usage),
        },
        "ecrp": {
            "US-Emergency": EmergencyCallRoutingPolicy("US-Emergency", (EmergencyNumber("911"),)),
            "Empty-Emergency": EmergencyCallRoutingPolicy("Empty-Emergency"),
        },
    }


def _numbers(held: tuple[str, ...]) -> dict[str, PhoneNumber]:
    numbers = {
        "+14255550100": PhoneNumber(
            "+14255550100",
            NumberType.CALLING_PLAN,
            "US",
            (Capability.VOICE_APPLICATION_ASSIGNMENT,),
            assignment_status=AssignmentStatus.VOICE_APPLICATION_ASSIGNED,
            assigned_target_id=RA_ID,
            location_id="00000000-0000-4000-c000-000000000001",
        )
    }
    for spare in SPARE:
        in_seattle = spare in held
        numbers[spare] = PhoneNumber(
            spare,
            NumberType.CALLING_PLAN,
            "US",
            SUBSCRIBER,
            assignment_status=(
                AssignmentStatus.POLICY_ASSIGNED if in_seattle else AssignmentStatus.UNASSIGNED
            ),
            assigned_target_id=shared_calling_target_id("Seattle") if in_seattle else None,
        )
    return numbers


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A Calling Plan resource account, a `Seattle` policy, and 1 to 6 users in any state."""
    count = draw(st.integers(1, 6))
    drawn = [draw(generated_user(n)) for n in range(1, count + 1)]
    users = {RA_ID: _ra(), **{u.id: u for u, _ in drawn}}
    held = tuple(draw(st.sets(st.sampled_from(SPARE[:2]))))
    numbers = _numbers(held)
    numbers.update({n.telephone_number: n for _, n in drawn if n is not None})
    members = tuple(u.id for u, _ in drawn if draw(st.booleans()))
    policies = _policies()
    snapshot = TenantSnapshot(
        tenant_id=TENANT,
        users=users,
        numbers=numbers,
        groups={GROUP_ID: Group(GROUP_ID, "Seattle Floor 2", members)},
        group_assignments=(
            GroupPolicyAssignment(GROUP_ID, PolicyType.SHARED_CALLING, "Seattle", 1),
            GroupPolicyAssignment(GROUP_ID, PolicyType.EMERGENCY_CALL_ROUTING, "US-Emergency", 1),
        ),
        shared_calling_policies={
            "Seattle": SharedCallingPolicy("Seattle", RA_ID, tuple(sorted(held))),
            "Other": SharedCallingPolicy("Other", RA_ID),
        },
        voice_routing_policies=policies["vrp"],  # type: ignore[arg-type]
        emergency_call_routing_policies=policies["ecrp"],  # type: ignore[arg-type]
        associations=(
            AppAssociation(RA_ID, AppConfigurationType.AUTO_ATTENDANT, "aa-1", "Contoso Main AA"),
        ),
    )
    policy = draw(st.sampled_from(["Seattle", "Redmond"]))
    wanted = draw(st.none() | st.sets(st.sampled_from(SPARE[2:])).map(lambda s: tuple(sorted(s))))
    if policy == "Seattle" and wanted is not None:
        wanted = tuple(sorted({*wanted, *held}))
    chosen = draw(st.permutations([u.id for u, _ in drawn]))
    desired = DesiredState(RA_ID, policy, tuple(chosen), emergency_numbers=wanted)
    return Scenario(snapshot, desired)


def base_snapshot(users: dict[UserId, User]) -> TenantSnapshot:
    """The generated tenant without random users: the resource account, numbers and policies."""
    policies = _policies()
    return TenantSnapshot(
        tenant_id=TENANT,
        users={RA_ID: _ra(), **users},
        numbers=_numbers(()),
        shared_calling_policies={"Seattle": SharedCallingPolicy("Seattle", RA_ID)},
        voice_routing_policies=policies["vrp"],  # type: ignore[arg-type]
        emergency_call_routing_policies=policies["ecrp"],  # type: ignore[arg-type]
        associations=(
            AppAssociation(RA_ID, AppConfigurationType.AUTO_ATTENDANT, "aa-1", "Contoso Main AA"),
        ),
    )


# --------------------------------------------------------------------------- agreement tenants
# Tenants for the caller-ID/rules agreement property: one resource account whose number type,
# license, routing, location and emergency numbers vary, and users in any Shared Calling state.

POOL = ("+14255550191", "+14255550192")
UNLISTED = "+14255550177"
"""An emergency number absent from the inventory (normal for Direct Routing only)."""
DR_ROUTES = "DR-Routes"
ECRPS = {
    "US-Emergency": EmergencyCallRoutingPolicy("US-Emergency", (EmergencyNumber("911"),)),
    "US-DR": EmergencyCallRoutingPolicy("US-DR", (EmergencyNumber("911", pstn_usage="US-SBC"),)),
    "Other-DR": EmergencyCallRoutingPolicy(
        "Other-DR", (EmergencyNumber("911", pstn_usage="Elsewhere"),)
    ),
    "Empty-Emergency": EmergencyCallRoutingPolicy("Empty-Emergency"),
    "EU-112": EmergencyCallRoutingPolicy("EU-112", (EmergencyNumber("112"),)),
}


@st.composite
def _resource_account(draw: st.DrawFn) -> tuple[User, PhoneNumber | None]:
    number_type = draw(st.sampled_from(NumberType))
    # Graph cannot always tell a plan's provisioning state (issue 9): some plans are Unknown.
    known_or_not = st.sampled_from([ProvisioningStatus.SUCCESS] * 8 + [ProvisioningStatus.UNKNOWN])
    plans = [ServicePlan(PLAN_RESOURCE_ACCOUNT, draw(known_or_not))]
    if draw(_mostly(True)):
        plans.append(ServicePlan(f"{PLAN_PAYG_PREFIX}_1", draw(known_or_not)))
    if draw(st.integers(0, 5)) == 0:
        plans.append(ServicePlan(PLAN_TEAMS_PHONE))
    policies = (PolicyRef(PolicyType.VOICE_ROUTING, DR_ROUTES),) if draw(_mostly(True)) else ()
    account = User(
        RA_ID,
        "ra-main@contoso.example",
        "Main Line",
        account_type=draw(st.sampled_from([AccountType.RESOURCE_ACCOUNT] * 5 + [AccountType.USER])),
        account_enabled=False,
        usage_location="US",
        licenses=(License("PHONESYSTEM_VIRTUALUSER", tuple(plans)),),
        direct_policies=policies,
    )
    if draw(st.integers(0, 6)) == 0:
        return account, None
    number = PhoneNumber(
        "+14255550100",
        number_type,
        draw(st.sampled_from(["US", None])) if number_type is NumberType.DIRECT_ROUTING else "US",
        (Capability.VOICE_APPLICATION_ASSIGNMENT,),
        activation_state=draw(
            st.sampled_from([ActivationState.ACTIVATED] * 4 + [ActivationState.ASSIGNMENT_FAILED])
        ),
        assignment_status=AssignmentStatus.VOICE_APPLICATION_ASSIGNED,
        assigned_target_id=RA_ID,
        location_id="00000000-0000-4000-c000-000000000001" if draw(_mostly(True)) else None,
        location_update_supported=draw(_mostly(True)),
        operator_name="Operator" if number_type is NumberType.OPERATOR_CONNECT else None,
        toll_free=number_type is NumberType.CALLING_PLAN and draw(st.integers(0, 4)) == 0,
    )
    return account, number


def _mostly(value: bool) -> st.SearchStrategy[bool]:
    """`value` four times in five: healthy setups must be common for the property to bite."""
    return st.sampled_from([value] * 4 + [not value])


@st.composite
def _shared_user(draw: st.DrawFn, n: int, ra_type: NumberType) -> tuple[User, PhoneNumber | None]:
    uid = _user_id(n)
    policies = []
    suitable = ("US-DR", "Other-DR") if ra_type is NumberType.DIRECT_ROUTING else ("US-Emergency",)
    for policy_type, choices in (
        (PolicyType.SHARED_CALLING, ("Seattle", "Seattle", "seattle", "NoRA")),
        (PolicyType.VOICE_ROUTING, ("NoPSTN", "NoPSTN", "NoPSTN", "US-PSTN")),
        (PolicyType.EMERGENCY_CALL_ROUTING, suitable * 6 + tuple(ECRPS)),
    ):
        name = draw(st.sampled_from((*choices, None)))
        if name is not None:
            policies.append(PolicyRef(policy_type, name))
    status = draw(st.sampled_from([ProvisioningStatus.SUCCESS] * 6 + list(ProvisioningStatus)))
    user = User(
        uid,
        f"user{n}@contoso.example",
        f"User {n}",
        usage_location="US",
        licenses=(License("MCOEV", (ServicePlan(PLAN_TEAMS_PHONE, status),)),),
        enterprise_voice_enabled=draw(_mostly(True)),
        direct_policies=tuple(policies),
    )
    kind = draw(st.sampled_from(["none", "none", "none", "own", "ext", "inactive"]))
    if kind == "none":
        return user, None
    number_type = NumberType.CALLING_PLAN if kind == "own" else NumberType.DIRECT_ROUTING
    return user, PhoneNumber(
        f"+1425555{1000 + n:04d}" + (f";ext={n}" if kind == "ext" else ""),
        number_type,
        "US",
        SUBSCRIBER,
        activation_state=(
            ActivationState.ASSIGNMENT_PENDING if kind == "inactive" else ActivationState.ACTIVATED
        ),
        assignment_status=AssignmentStatus.USER_ASSIGNED,
        assigned_target_id=uid,
    )


def _pool_numbers(number_type: NumberType) -> dict[str, PhoneNumber]:
    target = shared_calling_target_id("Seattle")
    return {
        n: PhoneNumber(
            n,
            number_type,
            "US",
            SUBSCRIBER,
            assignment_status=AssignmentStatus.POLICY_ASSIGNED,
            assigned_target_id=target,
        )
        for n in POOL
    }


@st.composite
def agreement_tenants(draw: st.DrawFn) -> TenantSnapshot:
    """A Shared Calling tenant where anything the answer and the rules judge may be wrong."""
    ra, ra_number = draw(_resource_account())
    ra_type = ra_number.number_type if ra_number is not None else NumberType.CALLING_PLAN
    drawn = [draw(_shared_user(n, ra_type)) for n in range(1, draw(st.integers(1, 4)) + 1)]
    pool_type = ra_type if draw(_mostly(True)) else draw(st.sampled_from(NumberType))
    numbers = _pool_numbers(pool_type) if draw(st.booleans()) else {}
    emergency = tuple(numbers)
    if draw(st.integers(0, 4)) == 0:
        emergency = (*emergency, UNLISTED)
    if ra_number is not None:
        numbers[ra_number.telephone_number] = ra_number
    numbers.update({n.telephone_number: n for _, n in drawn if n is not None})
    app = draw(
        st.sampled_from(
            [AppConfigurationType.AUTO_ATTENDANT, AppConfigurationType.CALL_QUEUE, None]
        )
    )
    global_ra = RA_ID if draw(st.integers(0, 5)) == 0 else None
    return TenantSnapshot(
        tenant_id=TENANT,
        users={RA_ID: ra, **{u.id: u for u, _ in drawn}},
        numbers=numbers,
        shared_calling_policies={
            "Global": SharedCallingPolicy("Global", global_ra),
            # Stored in lower case although users name it `Seattle` (issue 7, fix 9).
            "seattle" if draw(st.booleans()) else "Seattle": SharedCallingPolicy(
                "Seattle", RA_ID, emergency
            ),
            "NoRA": SharedCallingPolicy("NoRA", None),
        },
        voice_routing_policies={
            "Global": VoiceRoutingPolicy("Global", draw(st.sampled_from([(), ("US-Default",)]))),
            "NoPSTN": VoiceRoutingPolicy("NoPSTN"),
            "US-PSTN": VoiceRoutingPolicy("US-PSTN", ("US-Default",)),
            DR_ROUTES: VoiceRoutingPolicy(DR_ROUTES, ("US-SBC",)),
        },
        emergency_call_routing_policies=ECRPS,
        associations=(AppAssociation(RA_ID, app, "app-1", "Main App"),) if app else (),
    )
