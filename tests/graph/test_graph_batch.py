"""`$batch` under throttling: item 429s inside an outer 200 or an outer 424, and outer 429s."""

from __future__ import annotations

import pytest

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.tenant import PLAN_TEAMS_PHONE, ProvisioningStatus
from sharedcalling.services.ports import SnapshotScope, TenantThrottled
from tests.demo_ids import ADELE, MEGAN
from tests.fakes.fake_graph import Fault, graph_stack

SCOPE = SnapshotScope(user_ids=[ADELE, MEGAN])


@pytest.mark.parametrize("outer", [200, 424])
async def test_throttled_items_are_retried_after_the_longest_retry_after(outer: int) -> None:
    async with graph_stack() as stack:
        # JSON batching: the outer status stays 200; throttling: the batch fails with 424.
        stack.fake.throttled_batch_status = outer
        stack.fake.inject(Fault("/users/", 429, times=2, retry_after=3, where="batch"))
        stack.fake.inject(Fault("/subscribedSkus", 429, times=1, retry_after=7, where="batch"))
        snapshot = await stack.gateway.snapshot(SCOPE)
        assert snapshot.users[UserId(MEGAN)].plan_status(PLAN_TEAMS_PHONE) is (
            ProvisioningStatus.SUCCESS
        )
        assert stack.sleeps == [7.0]
        # Only the three throttled items went again, in one second $batch.
        assert stack.fake.batch_sizes[1] == 3
        assert stack.fake.batch_items["/users/{id}"] == 7 + 2


async def test_an_outer_424_that_outlasts_the_attempts_is_throttled_with_its_retry_after() -> None:
    async with graph_stack(attempts=2) as stack:
        stack.fake.throttled_batch_status = 424
        stack.fake.inject(Fault("/subscribedSkus", 429, times=9, retry_after=11, where="batch"))
        with pytest.raises(TenantThrottled) as raised:
            await stack.gateway.snapshot(SCOPE)
        assert raised.value.retry_after == 11.0
        assert raised.value.request_id


async def test_a_throttled_batch_request_is_sent_again_after_its_retry_after() -> None:
    async with graph_stack() as stack:
        stack.fake.inject(Fault("/$batch", 429, times=1, retry_after=4, where="outer"))
        snapshot = await stack.gateway.snapshot(SCOPE)
        assert UserId(ADELE) in snapshot.users
        assert stack.sleeps == [4.0]
        assert stack.fake.calls["/$batch"] == 3  # refused, then the accounts, then the groups


async def test_an_unavailable_batch_request_is_retried_with_backoff() -> None:
    async with graph_stack() as stack:
        stack.fake.inject(Fault("/$batch", 503, times=1, retry_after=None, where="outer"))
        snapshot = await stack.gateway.snapshot(SCOPE)
        assert UserId(ADELE) in snapshot.users
        assert stack.sleeps == [0.25]  # no Retry-After: base 0.5 s times jitter 0.5
