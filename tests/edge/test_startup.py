from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.routing import ACTION_HANDLERS, DIALOG_ACTIONS
from cards.actions import ACTION_IDS
from sharedcalling.bootstrap import TENANT_BACKENDS, build_services, reset_emulated_tenant
from sharedcalling.config import ConfigError, Settings, TenantBackend
from sharedcalling.domain.ids import UserId
from tests.conftest import NetworkGuard, NonLoopbackConnection
from tests.edge.conftest import edge_settings

REPO = Path(__file__).resolve().parents[2]


def _environment_without_settings(**extra: str) -> dict[str, str]:
    aliases = {field.alias for field in Settings.model_fields.values()}
    clean = {k: v for k, v in os.environ.items() if k not in aliases}
    return {**clean, **extra}


@pytest.mark.slow
def test_python_app_py_with_a_bad_environment_names_every_problem_and_exits_2() -> None:
    env = _environment_without_settings(PORT="http", DATABASE_URL="mysql://db", TENANT_ID="x")
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    for key in ("PORT", "DATABASE_URL", "TENANT_ID"):
        assert key in result.stderr


def test_every_card_action_id_has_a_handler() -> None:
    assert set(ACTION_HANDLERS) | DIALOG_ACTIONS == set(ACTION_IDS)
    assert not set(ACTION_HANDLERS) & DIALOG_ACTIONS


async def test_an_unavailable_tenant_backend_is_a_config_error(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(TENANT_BACKENDS, TenantBackend.EMULATED)
    with pytest.raises(ConfigError, match="TENANT_BACKEND"):
        async with build_services(edge_settings(database_url)):
            pass


async def test_a_malformed_fault_spec_is_a_config_error(database_url: str) -> None:
    settings = edge_settings(database_url, EMULATED_FAULTS="get_user=explode")
    with pytest.raises(ConfigError, match="EMULATED_FAULTS"):
        async with build_services(settings):
            pass


async def test_resetting_the_emulated_tenant_discards_changes(database_url: str) -> None:
    settings = edge_settings(database_url)
    lee = UserId("00000000-0000-4000-8000-000000000004")
    async with build_services(settings) as services:
        await services.tenant.set_enterprise_voice(lee, False)
    await reset_emulated_tenant(settings)
    async with build_services(settings) as services:
        assert (await services.tenant.get_user(lee)).enterprise_voice_enabled


async def test_tenant_changes_survive_a_restart(database_url: str) -> None:
    settings = edge_settings(database_url)
    lee = UserId("00000000-0000-4000-8000-000000000004")
    async with build_services(settings) as services:
        await services.tenant.set_enterprise_voice(lee, False)
    async with build_services(settings) as services:
        assert not (await services.tenant.get_user(lee)).enterprise_voice_enabled


def test_the_network_guard_refuses_public_hosts(network_guard: NetworkGuard) -> None:
    import socket

    with pytest.raises(NonLoopbackConnection):
        socket.create_connection(("203.0.113.7", 443), timeout=1)
    with pytest.raises(NonLoopbackConnection):
        socket.getaddrinfo("login.botframework.com", 443)
    assert len(network_guard.attempts) == 2
    network_guard.attempts.clear()
