"""Which snapshot a check reads: scoped while few accounts are involved, every account once the
tenant's listing costs no more Graph requests."""

from __future__ import annotations

from typing import Any

import pytest

from sharedcalling.domain.ids import UserId
from sharedcalling.services.hazards.check import run_check
from sharedcalling.services.hazards.presenter import HazardSettings
from sharedcalling.services.hazards.reads import choose_scope, listing_requests, scoped_requests
from sharedcalling.services.ports import SnapshotScope
from tests.hazards.conftest import USERS, World
from tests.hazards.support import generated, make_ports

IDS = [generated(n) for n in range(1, 12_001)]


def test_the_costs_are_those_the_graph_benchmarks_measured() -> None:
    # docs/benchmarks.md: 1,004 requests scoped to 10,001 accounts, 116 listing 10,020; both
    # with the one numbers page, which either read makes and these leave out.
    assert scoped_requests(10_001) + 1 == 1_004
    assert listing_requests(10_020) + 1 == 116


@pytest.mark.parametrize(
    ("watched", "tenant", "all_users"),
    [
        (999, None, False),  # under the threshold: a hundred requests at most, never a listing
        (1_000, None, True),  # the size is not known yet: the listing tells it
        (10_001, 10_020, True),  # 116 requests against 1,004
        (1_000, 100_000, False),  # 103 scoped against 1,104 listed
        (12_000, 100_000, True),  # 1,203 scoped against 1,104 listed
    ],
)
def test_every_account_is_read_when_the_listing_costs_no_more(
    watched: int, tenant: int | None, all_users: bool
) -> None:
    scope = choose_scope(IDS[:watched], tenant_accounts=tenant, full_read_from=1_000)
    assert scope.all_users is all_users
    assert list(scope.user_ids) == ([] if all_users else IDS[:watched])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_check_learns_the_tenant_size_from_a_listing_and_reads_scoped_after(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    scopes: list[SnapshotScope] = []
    read = world.tenant.snapshot

    async def recorded(scope: SnapshotScope) -> Any:
        scopes.append(scope)
        return await read(scope)

    monkeypatch.setattr(world.tenant, "snapshot", recorded)
    ports = make_ports(world.tenant, world.uow, world.clock, world.notifier,
                       HazardSettings(full_read_from=len(USERS)),
                       apply_store=world.ports.apply_store)  # fmt: skip
    accounts = len((await read(SnapshotScope(all_users=True))).users)

    first = await run_check(ports, trigger="command")
    world.clock.advance(3600)
    second = await run_check(ports, trigger="command")

    assert [s.all_users for s in scopes] == [True, False]
    assert first.open_hazards == second.open_hazards == ()
    assert first.record is not None
    assert second.record is not None
    assert first.record.summary["read"] == "all users"
    assert first.record.summary["tenant_accounts"] == accounts
    # A few accounts of a thousand: the scoped read is the cheaper one; the size is carried.
    assert second.record.summary["read"] == "scoped"
    assert second.record.summary["tenant_accounts"] == accounts
    assert {UserId(u.lower()) for u in USERS} <= set(scopes[1].user_ids)
