"""Scoped snapshots of the emulated tenant: the same answer as a full scan, without the scan."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.tenant import PolicyType
from sharedcalling.services.ports import SnapshotScope

LEE = UserId("00000000-0000-4000-8000-000000000004")
ADELE = UserId("00000000-0000-4000-8000-000000000003")
SOME_IDS = [
    *(f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 20)),
    *(f"00000000-0000-4000-9000-{n:012d}" for n in (1, 500, 1000, 1001)),
    "00000000-0000-4000-8000-000000000051", "not-an-id", "00000000-0000-4000-8000-00000000000A",
]  # fmt: skip


class _NoScan(dict[str, Any]):
    """A users table that fails any test which walks every account."""

    def __iter__(self) -> Any:
        raise AssertionError("scanned every user")

    def values(self) -> Any:
        raise AssertionError("scanned every user")

    def items(self) -> Any:
        raise AssertionError("scanned every user")


def _full_scan(gateway: EmulatedTenantGateway, ids: list[str]) -> Any:
    return gateway._state.snapshot(gateway.tenant_id, ids, all_users=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(SOME_IDS), max_size=6).map(
        lambda ids: [i.upper() if len(i) % 2 else i for i in ids]
    )
)
async def test_a_scoped_snapshot_equals_a_full_scan_in_content_and_order(ids: list[str]) -> None:
    gateway = EmulatedTenantGateway.seeded()
    for _ in range(2):  # the second comes from the cache
        scoped = await gateway.snapshot(SnapshotScope(user_ids=ids))
        expected = _full_scan(gateway, ids)
        assert scoped == expected
        assert list(scoped.users) == list(expected.users)


async def test_answering_for_one_user_does_not_walk_every_account() -> None:
    gateway = EmulatedTenantGateway.seeded()
    await gateway.snapshot(SnapshotScope(user_ids=[LEE]))
    gateway._state.users = _NoScan(gateway._state.users)
    snapshot = await gateway.snapshot(SnapshotScope(user_ids=[ADELE]))
    assert ADELE in snapshot.users
    assert LEE not in snapshot.users


@pytest.mark.parametrize("write", ["enterprise_voice", "policy", "reset"])
async def test_a_write_is_seen_by_the_next_scoped_snapshot(write: str) -> None:
    gateway = EmulatedTenantGateway.seeded()
    before = await gateway.snapshot(SnapshotScope(user_ids=[LEE]))
    assert before.users[LEE].enterprise_voice_enabled
    if write == "enterprise_voice":
        await gateway.set_enterprise_voice(LEE, False)
    elif write == "policy":
        await gateway.grant_policy(PolicyType.SHARED_CALLING, LEE, "Seattle")
    else:
        await gateway.set_enterprise_voice(LEE, False)
        await gateway.snapshot(SnapshotScope(user_ids=[LEE]))
        await gateway.reset()
    after = await gateway.snapshot(SnapshotScope(user_ids=[LEE]))
    assert after == _full_scan(gateway, [LEE])
    assert after != before or write == "reset"
