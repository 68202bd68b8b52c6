from __future__ import annotations

import logging
import math

import pytest

from sharedcalling.adapters.tenant.graph_auth import MsalTokenProvider
from sharedcalling.bootstrap import graph_gateway_from_settings
from sharedcalling.config import load_settings
from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.services.ports import (
    SnapshotScope,
    TenantNotFound,
    TenantPermissionDenied,
    TenantReader,
    TenantThrottled,
    TenantUnavailable,
    TenantValidationError,
    TenantWriter,
)
from tests.fakes.fake_graph import CLIENT_ID, CLIENT_SECRET, Fault, graph_stack
from tests.fakes.fake_login import make_app_certificate

MEGAN = "00000000-0000-4000-8000-000000000001"
ADELE = "00000000-0000-4000-8000-000000000003"
MAINLINE_NUMBER = "+14255550100"
NUMBERS = "/admin/teams/telephoneNumberManagement/numberAssignments"
LOCATION_SEATTLE = "00000000-0000-4000-c000-000000000002"


async def test_snapshot_of_all_users_follows_next_links_past_the_first_page() -> None:
    async with graph_stack() as stack:
        snapshot = await stack.gateway.snapshot(SnapshotScope(all_users=True))
        assert len(snapshot.users) == 1020
        assert stack.fake.calls["/users"] == 2  # 999 + 21, the second page via @odata.nextLink
        assert snapshot.users[UserId(MEGAN)].directory_roles == (
            "Teams Communications Administrator",
        )


async def test_snapshot_of_all_users_reads_list_endpoints_only() -> None:
    async with graph_stack() as stack:
        snapshot = await stack.gateway.snapshot(SnapshotScope(all_users=True))
        users, numbers = len(snapshot.users), len(snapshot.numbers)
        assert dict(stack.fake.calls) == {
            "/users": math.ceil(users / 999),
            "/admin/teams/userConfigurations": math.ceil(users / 100),
            NUMBERS: math.ceil((numbers + 1) / 1000),
            "/subscribedSkus": 1,
            "/$batch": 2,  # the role members, then the groups the configurations name
        }
        assert sum(stack.fake.batch_items.values()) == 2 + 2 * 3  # roles; 3 groups, members


async def test_a_scoped_snapshot_batches_its_per_user_reads() -> None:
    async with graph_stack() as stack:
        snapshot = await stack.gateway.snapshot(SnapshotScope(user_ids=[ADELE, MEGAN]))
        assert set(snapshot.users) == {ADELE, MEGAN} | {
            f"00000000-0000-4000-8000-0000000000{n}" for n in range(51, 56)
        }
        # Resource account configurations, one $batch of accounts, numbers, one of groups.
        assert stack.fake.requests == 4
        assert stack.fake.batch_items["/users/{id}"] == 7
        assert stack.fake.batch_items["/subscribedSkus"] == 1
        assert not [k for k in stack.fake.batch_items if "licenseDetails" in k]


async def test_throttled_batch_items_alone_are_retried_after_their_retry_after() -> None:
    async with graph_stack() as stack:
        stack.fake.inject(Fault("/users/", 429, times=3, retry_after=7, where="batch"))
        snapshot = await stack.gateway.snapshot(SnapshotScope(user_ids=[ADELE, MEGAN]))
        assert snapshot.users[UserId(ADELE)].licenses
        assert stack.sleeps == [7.0]
        # Seven accounts read once each, plus only the three throttled ones again.
        assert stack.fake.batch_items["/users/{id}"] == 7 + 3
        assert stack.fake.batch_items["/subscribedSkus"] == 1


async def test_a_failed_dependency_inside_a_batch_is_retried() -> None:
    async with graph_stack() as stack:
        stack.fake.inject(Fault("/groups/", 424, times=1, retry_after=None, where="batch"))
        group = await stack.gateway.get_group(GroupId("00000000-0000-4000-a000-000000000003"))
        assert len(group.member_ids) == 2
        assert stack.sleeps == [0.25]  # no Retry-After: base 0.5 s times jitter 0.5


async def test_a_throttled_request_honours_retry_after() -> None:
    async with graph_stack() as stack:
        stack.fake.inject(Fault("numberAssignments", 429, times=2, retry_after=3, where="outer"))
        numbers = await stack.gateway.list_numbers()
        assert MAINLINE_NUMBER in {n.telephone_number for n in numbers}
        assert stack.sleeps == [3.0, 3.0]


async def test_throttling_that_outlasts_the_attempts_is_reported_with_retry_after() -> None:
    async with graph_stack(attempts=2) as stack:
        stack.fake.inject(Fault("numberAssignments", 429, times=5, retry_after=9, where="outer"))
        with pytest.raises(TenantThrottled) as raised:
            await stack.gateway.list_numbers()
        assert raised.value.retry_after == 9.0
        assert raised.value.request_id


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, TenantValidationError),
        (403, TenantPermissionDenied),
        (404, TenantNotFound),
        (503, TenantUnavailable),
    ],
)
async def test_graph_errors_become_port_errors_keeping_the_request_id(
    status: int, error: type[Exception]
) -> None:
    async with graph_stack(attempts=2) as stack:
        stack.fake.inject(Fault("subscribedSkus", status, times=5, retry_after=None))
        with pytest.raises(error) as raised:
            await stack.gateway.snapshot(SnapshotScope())
        assert getattr(raised.value, "request_id", None)


async def test_an_unknown_user_is_not_found_by_id_or_upn() -> None:
    async with graph_stack() as stack:
        with pytest.raises(TenantNotFound):
            await stack.gateway.get_user("00000000-0000-4000-8000-000000000099")
        with pytest.raises(TenantNotFound):
            await stack.gateway.get_user("nobody@contoso.example")


async def test_the_token_is_acquired_once_and_reused() -> None:
    async with graph_stack() as stack:
        await stack.gateway.get_user(MEGAN)
        await stack.gateway.list_numbers()
        await stack.gateway.snapshot(SnapshotScope(user_ids=[ADELE]))
        assert stack.login.calls == {"discovery": 1, "token": 1}


async def test_a_certificate_credential_signs_in() -> None:
    async with graph_stack(certificate=make_app_certificate()) as stack:
        user = await stack.gateway.get_user("meganb@contoso.example")
        assert user.id == MEGAN
        assert stack.login.calls["token"] == 1


async def test_a_wrong_secret_is_permission_denied() -> None:
    async with graph_stack() as stack:
        wrong = MsalTokenProvider(
            authority_host=stack.login.base_url,
            tenant_id=stack.gateway.tenant_id,
            client_id=CLIENT_ID,
            scope=f"{stack.fake.base_url}/.default",
            client_secret="not-the-secret",
            verify=str(stack.login.ca_path),
        )
        try:
            with pytest.raises(TenantPermissionDenied):
                await wrong.token()
        finally:
            await wrong.close()


async def test_neither_secret_nor_token_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with graph_stack() as stack:
        stack.fake.inject(Fault("subscribedSkus", 429, times=1, retry_after=1, where="outer"))
        await stack.gateway.snapshot(SnapshotScope(user_ids=[ADELE]))
        tokens = set(stack.login.issued)
    assert tokens
    assert CLIENT_SECRET not in caplog.text
    assert not any(token in caplog.text for token in tokens)
    assert CLIENT_SECRET not in repr(stack.tokens)


async def test_client_request_id_comes_from_the_correlation_id() -> None:
    async with graph_stack() as stack:
        stack.gateway.client._correlation_id = lambda: "turn-42"
        await stack.gateway.list_numbers()
        assert stack.fake.client_request_ids == ["turn-42"]


async def test_setting_the_location_of_an_unknown_number_is_not_found() -> None:
    async with graph_stack() as stack:
        with pytest.raises(TenantNotFound):
            await stack.gateway.set_number_location("+14255550999", "loc")


async def test_the_graph_gateway_is_a_reader_that_offers_only_the_number_location_write() -> None:
    async with graph_stack() as stack:
        assert isinstance(stack.gateway, TenantReader)
        assert not isinstance(stack.gateway, TenantWriter)
        for write in ("set_enterprise_voice", "grant_policy", "create_voice_routing_policy"):
            assert not hasattr(stack.gateway, write)
        await stack.gateway.set_number_location("+14255550193", LOCATION_SEATTLE)
        numbers = {n.telephone_number: n for n in await stack.fake.tenant.list_numbers()}
        assert numbers["+14255550193"].location_id == LOCATION_SEATTLE


async def test_the_gateway_is_built_from_settings_and_signs_in() -> None:
    async with graph_stack() as stack:
        settings = load_settings(
            {
                "TENANT_BACKEND": "graph+powershell",
                "TENANT_ID": stack.gateway.tenant_id,
                "GRAPH_BASE_URL": stack.fake.base_url,
                "AUTHORITY_HOST": stack.login.base_url,
                "GRAPH_CLIENT_ID": CLIENT_ID,
                "GRAPH_CLIENT_SECRET": CLIENT_SECRET,
                # PowerShell's certificate; Graph prefers the secret and never reads this file.
                "GRAPH_CERTIFICATE_PATH": "/nonexistent/app.pem",
                "GRAPH_CERTIFICATE_THUMBPRINT": "00" * 20,
            }
        )
        gateway = graph_gateway_from_settings(settings, correlation_id=lambda: "c-1")
        # The fake login's certificate is throw-away: trust it the way an operator would.
        gateway.client._tokens._verify = str(stack.login.ca_path)  # type: ignore[attr-defined]
        async with gateway:
            assert (await gateway.get_user(MEGAN)).user_principal_name == "MeganB@contoso.example"
        assert "c-1" in stack.fake.client_request_ids


async def test_a_pasted_list_is_read_in_batches_not_one_lookup_per_entry() -> None:
    """100 UPNs (and an unknown one): their user objects in `$batch`es of 20, then one accounts
    read, whose role lists and SKUs come once; per-entry lookups took two requests each."""
    async with graph_stack() as stack:
        upns = [f"user{n:04d}@contoso.example" for n in range(1, 101)]
        found = await stack.gateway.find_users([*upns, "ghost@contoso.example", upns[0].upper()])
        assert len(found) == 101  # the upper-case repeat folds into the first
        assert found["ghost@contoso.example"] is None
        users = [found[upn] for upn in upns]
        assert all(user is not None and user.licenses for user in users)
        assert stack.fake.requests == math.ceil(101 / 20) + math.ceil((100 + 3) / 20)  # 6 + 6
        assert stack.fake.batch_items["/subscribedSkus"] == 1
