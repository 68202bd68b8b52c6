"""Effective policy resolution: direct, then the lowest group rank, then Global."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given
from hypothesis import strategies as st

from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.policy import AssignmentSource, EffectivePolicy, effective_policy
from sharedcalling.domain.tenant import (
    Group,
    GroupPolicyAssignment,
    PolicyRef,
    PolicyType,
    TenantSnapshot,
    User,
)

SC, VRP = PolicyType.SHARED_CALLING, PolicyType.VOICE_ROUTING
TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
ANN = UserId("00000000-0000-4000-8000-0000000000a1")
BOB = UserId("00000000-0000-4000-8000-0000000000b2")
G1, G2, G3 = (GroupId(f"00000000-0000-4000-a000-00000000000{n}") for n in (1, 2, 3))


def user(uid: UserId, *direct: tuple[PolicyType, str]) -> User:
    return User(
        uid,
        f"{uid[-2:]}@contoso.example",
        uid,
        direct_policies=tuple(PolicyRef(*d) for d in direct),
    )


def snapshot(
    users: Sequence[User],
    groups: Sequence[Group] = (),
    grants: Sequence[GroupPolicyAssignment] = (),
) -> TenantSnapshot:
    return TenantSnapshot(
        TENANT,
        users={u.id: u for u in users},
        groups={g.id: g for g in groups},
        group_assignments=tuple(grants),
    )


def grant(
    group: GroupId, name: str, rank: int, policy_type: PolicyType = SC
) -> GroupPolicyAssignment:
    return GroupPolicyAssignment(group, policy_type, name, rank)


def test_a_direct_assignment_beats_every_group() -> None:
    tenant = snapshot(
        [user(ANN, (SC, "Direct"))], [Group(G1, "g1", (ANN,))], [grant(G1, "Group", 1)]
    )
    assert effective_policy(ANN, SC, tenant) == EffectivePolicy(
        SC, "Direct", AssignmentSource.DIRECT
    )


def test_the_lowest_group_rank_wins() -> None:
    groups = [Group(G1, "g1", (ANN,)), Group(G2, "g2", (ANN,))]
    tenant = snapshot([user(ANN)], groups, [grant(G1, "Second", 2), grant(G2, "First", 1)])
    found = effective_policy(ANN, SC, tenant)
    assert (found.name, found.source, found.group_id, found.rank) == (
        "First",
        AssignmentSource.GROUP,
        G2,
        1,
    )
    assert found.describe() == f"group {G2} (rank 1)"


def test_a_rank_tie_goes_to_the_lower_group_id_whatever_the_order() -> None:
    groups = [Group(G2, "g2", (ANN,)), Group(G1, "g1", (ANN,))]
    for grants in (
        [grant(G2, "Two", 3), grant(G1, "One", 3)],
        [grant(G1, "One", 3), grant(G2, "Two", 3)],
    ):
        assert effective_policy(ANN, SC, snapshot([user(ANN)], groups, grants)).name == "One"


def test_only_direct_members_inherit_a_group_grant() -> None:
    # G2 is nested in G1; Bob is a member of G2 only, so G1's grant does not reach him.
    groups = [Group(G1, "outer", (ANN,), nested_group_ids=(G2,)), Group(G2, "inner", (BOB,))]
    tenant = snapshot([user(ANN), user(BOB)], groups, [grant(G1, "Outer", 1)])
    assert effective_policy(ANN, SC, tenant).name == "Outer"
    assert effective_policy(BOB, SC, tenant).is_global


def test_without_direct_or_group_assignment_the_global_policy_applies() -> None:
    tenant = snapshot([user(ANN)], [Group(G1, "g1", (BOB,))], [grant(G1, "Other", 1)])
    found = effective_policy(ANN, SC, tenant)
    assert (found.name, found.source, found.group_id, found.rank) == (
        "Global",
        AssignmentSource.GLOBAL,
        None,
        None,
    )
    assert found.describe() == "the Global (tenant default) policy"


def test_each_policy_type_resolves_on_its_own() -> None:
    groups = [Group(G1, "g1", (ANN,))]
    tenant = snapshot([user(ANN, (VRP, "NoPSTN"))], groups, [grant(G1, "Seattle", 1)])
    assert effective_policy(ANN, VRP, tenant).source is AssignmentSource.DIRECT
    assert effective_policy(ANN, SC, tenant).source is AssignmentSource.GROUP
    assert effective_policy(ANN, PolicyType.CALLING_LINE_IDENTITY, tenant).is_global


def test_a_group_grant_of_another_type_is_ignored() -> None:
    groups = [Group(G1, "g1", (ANN,))]
    tenant = snapshot([user(ANN)], groups, [grant(G1, "NoPSTN", 1, VRP)])
    assert effective_policy(ANN, SC, tenant).is_global


def test_an_account_outside_the_snapshot_still_resolves_by_id() -> None:
    tenant = snapshot([], [Group(G1, "g1", (ANN,))], [grant(G1, "Seattle", 1)])
    assert effective_policy(ANN, SC, tenant).name == "Seattle"


def test_an_account_object_is_used_as_given() -> None:
    tenant = snapshot([user(ANN)])
    assert effective_policy(user(ANN, (SC, "Given")), SC, tenant).name == "Given"


names = st.text(alphabet="abcdefghij-", min_size=1, max_size=8)
group_grants = st.lists(
    st.tuples(st.sampled_from([G1, G2, G3]), names, st.integers(min_value=1, max_value=5)),
    max_size=6,
)


@given(
    direct=st.none() | names,
    grants=group_grants,
    member_of=st.sets(st.sampled_from([G1, G2, G3])),
)
def test_direct_always_wins_and_otherwise_the_best_member_group(
    direct: str | None, grants: list[tuple[GroupId, str, int]], member_of: set[GroupId]
) -> None:
    # Teams keeps one grant per group and policy type, so a later grant replaces an earlier one.
    per_group = {g: (n, r) for g, n, r in grants}
    account = user(ANN, (SC, direct)) if direct else user(ANN)
    groups = [Group(g, g, (ANN,) if g in member_of else (BOB,)) for g in (G1, G2, G3)]
    tenant = snapshot([account], groups, [grant(g, n, r) for g, (n, r) in per_group.items()])
    found = effective_policy(ANN, SC, tenant)
    reaching = sorted((r, g, n) for g, (n, r) in per_group.items() if g in member_of)
    if direct:
        assert (found.name, found.source) == (direct, AssignmentSource.DIRECT)
    elif reaching:
        assert (found.rank, found.group_id, found.name) == reaching[0]
        assert found.source is AssignmentSource.GROUP
    else:
        assert found.is_global
