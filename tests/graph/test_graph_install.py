"""Installing the bot's app for a person through Graph (Install app for user, v1.0)."""

from __future__ import annotations

import pytest

from sharedcalling.adapters.tenant.graph_install import PERMISSION, GraphAppInstaller
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.services.approvals.runtime import InstallUnsupported
from sharedcalling.services.ports import TenantNotFound
from tests.demo_ids import MIRIAM
from tests.fakes.fake_graph import Fault, graph_stack

CATALOG_ID = "6a6f7c3a-6f2e-4b7a-9d55-0c6a7b1e2f90"
TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")


async def test_the_app_is_installed_once_and_a_second_install_is_a_no_op() -> None:
    async with graph_stack() as stack:
        installer = GraphAppInstaller(stack.gateway.client, CATALOG_ID)
        await installer.install_for(TENANT, MIRIAM)
        await installer.install_for(TENANT, MIRIAM)  # 409 Conflict: already there
        assert stack.fake.installed_apps == [(MIRIAM, CATALOG_ID)]
        assert stack.fake.calls["/users/{id}/teamwork/installedApps"] == 2


async def test_a_missing_permission_says_which_one() -> None:
    async with graph_stack() as stack:
        stack.fake.inject(Fault("/teamwork/installedApps", status=403, times=1))
        installer = GraphAppInstaller(stack.gateway.client, CATALOG_ID)
        with pytest.raises(InstallUnsupported, match=PERMISSION):
            await installer.install_for(TENANT, MIRIAM)
        assert stack.fake.installed_apps == []


async def test_an_unknown_person_is_not_found() -> None:
    async with graph_stack() as stack:
        installer = GraphAppInstaller(stack.gateway.client, CATALOG_ID)
        with pytest.raises(TenantNotFound):
            await installer.install_for(TENANT, UserId("00000000-0000-4000-8000-000000000099"))
