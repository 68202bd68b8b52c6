"""Fault injection on the emulated tenant: throttling, delays, failures and the env-string form."""

from __future__ import annotations

import time

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_faults import Faults, FaultSpecError, parse_faults
from sharedcalling.domain.tenant import PolicyType
from sharedcalling.services.ports import (
    SnapshotScope,
    TenantConflict,
    TenantThrottled,
    TenantUnavailable,
    TenantValidationError,
)
from tests.demo_ids import DIEGO, MEGAN


class RecordingSleep:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


async def test_throttling_fires_the_given_number_of_times_with_retry_after() -> None:
    gateway = EmulatedTenantGateway.seeded()
    gateway.faults.throttle("grant_policy", times=2, retry_after=1.5)
    for _ in range(2):
        with pytest.raises(TenantThrottled) as caught:
            await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
        assert caught.value.retry_after == 1.5
        assert caught.value.operation == "grant_policy"
    await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
    assert (await gateway.get_user(DIEGO)).direct_policy(PolicyType.VOICE_ROUTING) == "NoPSTN"


async def test_a_throttled_write_changes_nothing() -> None:
    gateway = EmulatedTenantGateway.seeded()
    gateway.faults.throttle("set_enterprise_voice")
    with pytest.raises(TenantThrottled):
        await gateway.set_enterprise_voice(DIEGO, True)
    assert not (await gateway.get_user(DIEGO)).enterprise_voice_enabled


async def test_faults_only_hit_their_own_operation() -> None:
    gateway = EmulatedTenantGateway.seeded()
    gateway.faults.fail("create_shared_calling_policy", TenantUnavailable("down"), times=1)
    assert (await gateway.get_user(MEGAN)).display_name == "Megan Bowen"
    await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
    assert gateway.faults.fired == []


async def test_a_failure_is_raised_as_given_then_disarmed() -> None:
    gateway = EmulatedTenantGateway.seeded()
    gateway.faults.fail("snapshot", TenantUnavailable("backend down", operation="snapshot"))
    with pytest.raises(TenantUnavailable, match="backend down"):
        await gateway.snapshot(SnapshotScope())
    assert (await gateway.snapshot(SnapshotScope())).users
    assert gateway.faults.fired == ["snapshot"]


async def test_a_delay_sleeps_before_every_call_until_cleared() -> None:
    sleep = RecordingSleep()
    gateway = EmulatedTenantGateway.seeded(faults=Faults(sleep=sleep))
    gateway.faults.delay("snapshot", 0.2)
    await gateway.snapshot(SnapshotScope())
    await gateway.snapshot(SnapshotScope())
    gateway.faults.clear()
    await gateway.snapshot(SnapshotScope())
    assert sleep.slept == [0.2, 0.2]


async def test_a_real_delay_waits() -> None:
    gateway = EmulatedTenantGateway.seeded()
    gateway.faults.delay("list_numbers", 0.05, times=1)
    started = time.perf_counter()
    await gateway.list_numbers()
    assert time.perf_counter() - started >= 0.05


async def test_the_wildcard_operation_matches_every_call() -> None:
    gateway = EmulatedTenantGateway.seeded()
    gateway.faults.throttle("*", times=1, retry_after=None)
    with pytest.raises(TenantThrottled) as caught:
        await gateway.list_resource_accounts()
    assert caught.value.retry_after is None
    assert await gateway.list_resource_accounts()


async def test_the_env_string_arms_each_kind_of_fault() -> None:
    sleep = RecordingSleep()
    faults = parse_faults(
        "grant_policy=throttle:2:1.5, snapshot=delay:0.2:1,"
        "create_shared_calling_policy=fail:1:conflict",
        Faults(sleep=sleep),
    )
    for _ in range(2):
        with pytest.raises(TenantThrottled):
            await faults.before("grant_policy")
    await faults.before("grant_policy")
    await faults.before("snapshot")
    await faults.before("snapshot")
    assert sleep.slept == [0.2]
    with pytest.raises(TenantConflict):
        await faults.before("create_shared_calling_policy")
    await faults.before("create_shared_calling_policy")


async def test_fail_defaults_to_unavailable() -> None:
    faults = parse_faults("get_user=fail:1")
    with pytest.raises(TenantUnavailable):
        await faults.before("get_user")


async def test_an_empty_env_string_arms_nothing() -> None:
    faults = parse_faults("")
    await faults.before("grant_policy")
    assert faults.fired == []


@pytest.mark.parametrize(
    "spec",
    [
        "grant_policy",
        "=throttle:1",
        "grant_policy=explode:1",
        "grant_policy=throttle:0",
        "grant_policy=throttle:x",
        "snapshot=delay",
        "snapshot=delay:999",
        "get_user=fail:1:kaboom",
    ],
)
def test_a_malformed_env_string_is_refused_naming_the_item(spec: str) -> None:
    with pytest.raises(FaultSpecError, match="Bad fault"):
        parse_faults(spec)


async def test_a_fault_aimed_at_one_subject_spares_the_others() -> None:
    gateway = EmulatedTenantGateway.seeded(
        faults=parse_faults(f"grant_policy@{DIEGO}=fail:*:validation")
    )
    with pytest.raises(TenantValidationError):
        await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")
    with pytest.raises(TenantValidationError):
        await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO.upper(), "NoPSTN")
    await gateway.grant_policy(PolicyType.VOICE_ROUTING, MEGAN, "NoPSTN")
    gateway.faults.clear_subject(DIEGO)
    await gateway.grant_policy(PolicyType.VOICE_ROUTING, DIEGO, "NoPSTN")


async def test_a_share_of_calls_is_throttled_reproducibly() -> None:
    async def throttled(faults: Faults) -> list[bool]:
        hits = []
        for _ in range(1000):
            try:
                await faults.before("get_user")
                hits.append(False)
            except TenantThrottled:
                hits.append(True)
        return hits

    first = await throttled(parse_faults("*=throttle:30%:0.05"))
    assert 250 < sum(first) < 350
    assert await throttled(parse_faults("*=throttle:30%:0.05")) == first


async def test_a_rate_limit_throttles_beyond_its_rate_with_the_wait_until_the_next_call() -> None:
    clock = [0.0]
    faults = Faults(monotonic=lambda: clock[0])
    parse_faults("*=limit:10", faults)
    await faults.before("grant_policy")
    with pytest.raises(TenantThrottled) as caught:
        await faults.before("snapshot")
    assert caught.value.retry_after == 0.1
    clock[0] = 0.1
    await faults.before("snapshot")
    assert faults.calls == 2


def test_new_env_forms_are_read_and_bad_ones_refused() -> None:
    parse_faults("*=throttle:*,*@x=fail:50%:denied,*=limit:200:5")
    for spec in ("*=limit:0", "*=throttle:0%", "*=throttle:101%", "*=limit:x"):
        with pytest.raises(FaultSpecError, match="Bad fault"):
            parse_faults(spec)
