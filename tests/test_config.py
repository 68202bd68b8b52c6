from __future__ import annotations

from pathlib import Path

import pytest

from sharedcalling.config import (
    DEFAULT_DATABASE_URL,
    DEMO_TENANT_ID,
    ConfigError,
    Settings,
    TenantBackend,
    load_settings,
)


def _problems(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ)
    return str(caught.value)


def test_an_empty_environment_runs_the_embedded_demo() -> None:
    settings = load_settings({})
    assert settings.tenant_backend is TenantBackend.EMULATED
    assert settings.tenant_id == DEMO_TENANT_ID
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.host, settings.port) == ("127.0.0.1", 3978)
    assert settings.app_id == ""


def test_every_bad_value_is_named_at_once() -> None:
    bad = {"PORT": "eighty", "DATABASE_URL": "mysql://db", "TENANT_ID": "x", "LOG_LEVEL": "LOUD"}
    message = _problems(bad)
    for key in ("PORT", "DATABASE_URL", "TENANT_ID", "LOG_LEVEL"):
        assert key in message


def test_a_problem_says_what_is_accepted() -> None:
    message = _problems({"DATABASE_URL": "mysql://db"})
    assert "sqlite+aiosqlite://" in message
    assert "postgresql+asyncpg://" in message


def test_an_app_id_needs_a_password() -> None:
    assert "MicrosoftAppPassword" in _problems({"MicrosoftAppId": "1234"})


def test_a_single_tenant_bot_needs_its_tenant_id() -> None:
    message = _problems(
        {"MicrosoftAppType": "SingleTenant", "MicrosoftAppId": "1234", "MicrosoftAppPassword": "x"}
    )
    assert "MicrosoftAppTenantId" in message


def test_combination_problems_are_reported_with_single_key_problems() -> None:
    message = _problems({"MicrosoftAppId": "1234", "PORT": "0"})
    assert "MicrosoftAppPassword" in message
    assert "PORT" in message


def test_the_real_tenant_backend_needs_graph_credentials() -> None:
    message = _problems({"TENANT_BACKEND": "graph+powershell"})
    assert "GRAPH_CLIENT_ID" in message
    assert "GRAPH_CERTIFICATE_PATH: required" in message
    assert "GRAPH_CERTIFICATE_THUMBPRINT: required" in message


def test_a_client_secret_alone_is_not_enough_for_the_powershell_worker() -> None:
    message = _problems(
        {"TENANT_BACKEND": "graph+powershell", "GRAPH_CLIENT_ID": "x", "GRAPH_CLIENT_SECRET": "s"}
    )
    assert "certificate" in message
    assert "GRAPH_CLIENT_ID" not in message


def test_secrets_never_show_in_the_settings_repr() -> None:
    settings = load_settings({"MicrosoftAppId": "1234", "MicrosoftAppPassword": "hunter2-secret"})
    assert "hunter2-secret" not in repr(settings)
    assert settings.app_password.get_secret_value() == "hunter2-secret"


def test_empty_variables_mean_the_default() -> None:
    assert load_settings({"PORT": "", "TENANT_ID": ""}).port == 3978


def test_env_example_documents_every_setting_and_parses() -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    values = dict(
        line.split("=", 1)
        for line in example.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert set(values) == aliases
    assert load_settings(values) == load_settings({})


SELF_SERVICE_ON = {
    "SELF_SERVICE_RESOURCE_ACCOUNT": "ra-mainline@contoso.example",
    "SELF_SERVICE_POLICY": "Seattle",
    "SELF_SERVICE_GROUP_IDS": (
        "00000000-0000-4000-A000-000000000003, 00000000-0000-4000-a000-000000000004"
    ),
    "SELF_SERVICE_ACKNOWLEDGED": "sc-r07,SC-R09",
}


def test_self_service_is_off_unless_an_account_and_a_policy_are_set() -> None:
    settings = load_settings({})
    assert not settings.self_service_enabled
    assert settings.self_service_groups == ()
    on = load_settings({**SELF_SERVICE_ON, "SELF_SERVICE_MAX_REQUESTS": "5"})
    assert on.self_service_enabled
    assert on.self_service_groups == (
        "00000000-0000-4000-a000-000000000003",
        "00000000-0000-4000-a000-000000000004",
    )
    assert on.self_service_codes == ("SC-R07", "SC-R09")
    assert (on.self_service_max_requests, on.self_service_window_hours) == (5, 24.0)


def test_every_self_service_problem_is_named_at_once() -> None:
    message = _problems(
        {
            "SELF_SERVICE_RESOURCE_ACCOUNT": "ra-mainline@contoso.example",
            "SELF_SERVICE_GROUP_IDS": "not-a-guid",
            "SELF_SERVICE_ACKNOWLEDGED": "R07",
            "SELF_SERVICE_MAX_REQUESTS": "0",
        }
    )
    assert "SELF_SERVICE_POLICY: required when the other of" in message
    assert "SELF_SERVICE_GROUP_IDS, SELF_SERVICE_ACKNOWLEDGED: only with" in message
    assert "SELF_SERVICE_GROUP_IDS: 'not-a-guid' is not a GUID" in message
    assert "SELF_SERVICE_ACKNOWLEDGED: 'R07' is not a rule code like SC-R07" in message
    assert "SELF_SERVICE_MAX_REQUESTS" in message


def test_self_service_needs_groups_and_a_named_policy() -> None:
    message = _problems(
        {**SELF_SERVICE_ON, "SELF_SERVICE_GROUP_IDS": "", "SELF_SERVICE_POLICY": "Tag:Global"}
    )
    assert "SELF_SERVICE_GROUP_IDS: required when self-service is on" in message
    assert "SELF_SERVICE_POLICY: name a Shared Calling policy other than Global" in message
