"""The approval policy settings: defaults, bounds and how they reach Services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sharedcalling.bootstrap import approval_policy
from sharedcalling.config import ConfigError, load_settings


def test_defaults_are_one_approval_72_hours_and_a_reminder_24_hours_before() -> None:
    policy = approval_policy(load_settings({}))
    assert policy.required_approvals == 1
    assert policy.expiry == timedelta(hours=72)
    assert policy.effective_reminder_before == timedelta(hours=24)
    assert policy.channel_id == ""


def test_settings_shape_the_policy() -> None:
    settings = load_settings(
        {"APPROVALS_REQUIRED": "2", "APPROVAL_EXPIRY_HOURS": "8", "APPROVAL_REMINDER_HOURS": "6",
         "APPROVALS_CHANNEL_ID": " 19:voice@thread.tacv2 "}
    )  # fmt: skip
    policy = approval_policy(settings)
    assert policy.required_approvals == 2
    assert policy.effective_reminder_before == timedelta(hours=4)  # at most half the window
    assert policy.channel_id == "19:voice@thread.tacv2"
    assert "2 approvals from Voice Approvers" in policy.describe("Voice Approvers")


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        ({"APPROVALS_REQUIRED": "0"}, "APPROVALS_REQUIRED"),
        ({"APPROVAL_EXPIRY_HOURS": "-1"}, "APPROVAL_EXPIRY_HOURS"),
        (
            {"APPROVAL_EXPIRY_HOURS": "24", "APPROVAL_REMINDER_HOURS": "24"},
            "APPROVAL_REMINDER_HOURS",
        ),
        ({"PUBLIC_URL": "ftp://x"}, "PUBLIC_URL"),
    ],
)
def test_bad_values_are_named(environ: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(environ)
    assert any(p.startswith(key) for p in error.value.problems), error.value.problems


async def test_graph_backends_install_the_app_only_with_a_catalog_id() -> None:
    from sharedcalling.adapters.tenant.graph_install import GraphAppInstaller
    from sharedcalling.bootstrap import _approval_runtime
    from sharedcalling.services.approvals.runtime import NoAppInstaller
    from tests.fakes.fake_graph import graph_stack

    base = {
        "TENANT_BACKEND": "graph+powershell",
        "GRAPH_CLIENT_ID": "x",
        "GRAPH_CERTIFICATE_PATH": "/nonexistent.pem",
        "GRAPH_CERTIFICATE_THUMBPRINT": "AB",
    }
    async with graph_stack() as stack:

        class Composite:
            graph = stack.gateway

        plain = _approval_runtime(load_settings(base), Composite())  # type: ignore[arg-type]
        assert isinstance(plain.installer, NoAppInstaller)
        assert "TEAMS_APP_CATALOG_ID" in plain.installer.reason
        with_id = {**base, "TEAMS_APP_CATALOG_ID": "6a6f7c3a-6f2e-4b7a-9d55-0c6a7b1e2f90"}
        runtime = _approval_runtime(load_settings(with_id), Composite())  # type: ignore[arg-type]
        assert isinstance(runtime.installer, GraphAppInstaller)
