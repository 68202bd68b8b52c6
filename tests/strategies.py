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
