"""Hand-built snapshots for rule tests: one healthy Calling Plan tenant, varied a fact at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.rules import Finding, build_context
from sharedcalling.domain.rules.registry import RULES
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
    License,
    NumberType,
    PhoneNumber,
    PolicyRef,
    PolicyType,
    ServicePlan,
    SharedCallingPolicy,
    SubscribedSku,
    TenantSnapshot,
    User,
    VoiceRoutingPolicy,
    shared_calling_target_id,
)

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
RA_ID = UserId("00000000-0000-4000-8000-000000000051")
OTHER_RA_ID = UserId("00000000-0000-4000-8000-000000000052")
ANN = UserId("00000000-0000-4000-9000-000000000001")
BOB = UserId("00000000-0000-4000-9000-000000000002")
RA_NUMBER = "+14255550100"
HELD = "+14255550191"
"""A subscriber number already in the `Seattle` policy."""
SPARE = "+14255550192"
"""An unassigned subscriber number."""
LOCATION = "00000000-0000-4000-c000-000000000001"
POLICY = "Seattle"
ANN_DISPLAY = "Ann Example (ann@contoso.example)"
RA_DISPLAY = "Main Line (ra-main@contoso.example)"

SUBSCRIBER = (Capability.USER_ASSIGNMENT,)
SERVICE = (Capability.VOICE_APPLICATION_ASSIGNMENT,)
TEAMS_PHONE = (License("MCOEV", (ServicePlan(PLAN_TEAMS_PHONE),)),)
RA_LICENSES = (
    License(
        "PHONESYSTEM_VIRTUALUSER",
        (ServicePlan(PLAN_RESOURCE_ACCOUNT), ServicePlan(f"{PLAN_PAYG_PREFIX}_1")),
    ),
)


def ra(**changes: Any) -> User:
    """The licensed Calling Plan resource account `Main Line`."""
    account = User(
        RA_ID,
        "ra-main@contoso.example",
        "Main Line",
        account_type=AccountType.RESOURCE_ACCOUNT,
        account_enabled=False,
        licenses=RA_LICENSES,
    )
    return replace(account, **changes)


def person(user_id: UserId = ANN, **changes: Any) -> User:
    """A user ready for Shared Calling: licensed, voice on, empty VRP and a suitable ECRP."""
    name = "Ann Example" if user_id == ANN else f"User {user_id[-4:]}"
    upn = "ann@contoso.example" if user_id == ANN else f"user{user_id[-4:]}@contoso.example"
    account = User(
        user_id,
        upn,
        name,
        usage_location="US",
        licenses=TEAMS_PHONE,
        enterprise_voice_enabled=True,
        direct_policies=(
            PolicyRef(PolicyType.VOICE_ROUTING, "NoPSTN"),
            PolicyRef(PolicyType.EMERGENCY_CALL_ROUTING, "US-Emergency"),
            PolicyRef(PolicyType.SHARED_CALLING, POLICY),
        ),
    )
    return replace(account, **changes)


def number(telephone_number: str, **changes: Any) -> PhoneNumber:
    """An unassigned, activated US Calling Plan subscriber number."""
    return replace(
        PhoneNumber(telephone_number, NumberType.CALLING_PLAN, "US", SUBSCRIBER), **changes
    )


def ra_number(**changes: Any) -> PhoneNumber:
    """The resource account's US Calling Plan service number, with an emergency location."""
    base = number(
        RA_NUMBER,
        capabilities=SERVICE,
        assignment_status=AssignmentStatus.VOICE_APPLICATION_ASSIGNED,
        assigned_target_id=RA_ID,
        location_id=LOCATION,
    )
    return replace(base, **changes)


def in_policy(telephone_number: str, policy: str = POLICY, **changes: Any) -> PhoneNumber:
    """A subscriber number held as an emergency number of `policy`."""
    return number(
        telephone_number,
        assignment_status=AssignmentStatus.POLICY_ASSIGNED,
        assigned_target_id=shared_calling_target_id(policy),
        **changes,
    )


def healthy() -> TenantSnapshot:
    """A tenant in which `desired()` raises only the always-on Calling Plan warnings."""
    return TenantSnapshot(
        tenant_id=TENANT,
        users={RA_ID: ra(), ANN: person()},
        numbers={RA_NUMBER: ra_number(), HELD: in_policy(HELD), SPARE: number(SPARE)},
        shared_calling_policies={POLICY: SharedCallingPolicy(POLICY, RA_ID, (HELD,))},
        voice_routing_policies={
            "Global": VoiceRoutingPolicy("Global", ("US-Default",)),
            "NoPSTN": VoiceRoutingPolicy("NoPSTN"),
            "US-PSTN": VoiceRoutingPolicy("US-PSTN", ("US-Default",)),
        },
        emergency_call_routing_policies={
            "US-Emergency": EmergencyCallRoutingPolicy("US-Emergency", (EmergencyNumber("911"),)),
        },
        associations=(
            AppAssociation(RA_ID, AppConfigurationType.AUTO_ATTENDANT, "aa-1", "Contoso Main AA"),
        ),
        subscribed_skus=(SubscribedSku("PHONESYSTEM_VIRTUALUSER", (PLAN_RESOURCE_ACCOUNT,), 5, 1),),
    )


def desired(**changes: Any) -> DesiredState:
    """Put Ann into `Seattle` with the main line; the policy keeps its numbers."""
    return replace(DesiredState(RA_ID, POLICY, (ANN,)), **changes)


def with_users(snapshot: TenantSnapshot, *users: User) -> TenantSnapshot:
    return replace(snapshot, users={**snapshot.users, **{u.id: u for u in users}})


def with_numbers(snapshot: TenantSnapshot, *numbers: PhoneNumber) -> TenantSnapshot:
    added = {n.telephone_number: n for n in numbers}
    return replace(snapshot, numbers={**snapshot.numbers, **added})


def with_ra_number(snapshot: TenantSnapshot, **changes: Any) -> TenantSnapshot:
    return with_numbers(snapshot, ra_number(**changes))


def findings(
    code: str, snapshot: TenantSnapshot | None = None, wanted: DesiredState | None = None
) -> list[Finding]:
    """What the one rule `code` reports, run on its own (not filtered by `run_rules`)."""
    ctx = build_context(wanted or desired(), snapshot or healthy())
    (rule,) = (r for r in RULES if r.code == code)
    return list(rule.check(ctx))


def only(
    code: str, snapshot: TenantSnapshot | None = None, wanted: DesiredState | None = None
) -> Finding:
    """The single finding `code` reports; fails the test when there is not exactly one."""
    found = findings(code, snapshot, wanted)
    assert len(found) == 1, found
    return found[0]
