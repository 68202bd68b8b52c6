import io
import json
from pathlib import Path

import pytest

from sharedcalling.cli import EXIT_BAD_INPUT, EXIT_BLOCKED, EXIT_OK, main


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}


def run(environ: dict[str, str], *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["plan", *argv], environ=environ, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_plan_prints_json_with_codes_and_change_ids(environ, tmp_path: Path):
    users = tmp_path / "users.txt"
    users.write_text("# pilot\nDiegoS@contoso.example\n\nIsaiahL@contoso.example\n", "utf-8")
    code, out, _ = run(
        environ, "--resource-account", "ra-mainline@contoso.example", "--policy", "Seattle",
        "--users-file", str(users), "--format", "json",
    )  # fmt: skip
    assert code == EXIT_OK
    exported = json.loads(out)
    assert {c["change"] for c in exported["changes"]} >= {"user.enable_voice", "scp.grant_user"}
    assert {"code": "SC-U03", "severity": "BLOCK"}.items() <= next(
        f for f in exported["findings"] if f["code"] == "SC-U03"
    ).items()


def test_blocked_resource_account_exits_2(environ):
    code, out, _ = run(
        environ, "--resource-account", "ra-sydney@contoso.example", "--policy", "Sydney",
        "--user", "DiegoS@contoso.example",
    )  # fmt: skip
    assert code == EXIT_BLOCKED
    assert "SC-R05" in out


def test_every_user_blocked_exits_2(environ):
    code, _, _ = run(
        environ, "--resource-account", "ra-mainline@contoso.example", "--policy", "Seattle",
        "--user", "LeeG@contoso.example",
    )  # fmt: skip
    assert code == EXIT_BLOCKED


@pytest.mark.parametrize(
    "argv",
    [
        ["--resource-account", "ra-nobody@contoso.example", "--policy", "Seattle"],
        ["--resource-account", "ra-mainline@contoso.example", "--policy", "Seattle",
         "--user", "ghost@contoso.example"],
        ["--resource-account", "ra-mainline@contoso.example", "--policy", "Seattle",
         "--emergency-number", "not-a-number"],
    ],
)  # fmt: skip
def test_bad_input_exits_1_with_a_message(environ, argv):
    code, out, err = run(environ, *argv)
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert err.startswith("error: ")


def test_powershell_format_prints_a_script(environ):
    code, out, _ = run(
        environ, "--resource-account", "ra-mainline@contoso.example", "--policy", "Seattle",
        "--user", "DiegoS@contoso.example", "--format", "powershell",
    )  # fmt: skip
    assert code == EXIT_OK
    assert (
        "Grant-CsTeamsSharedCallingRoutingPolicy -Identity '00000000-0000-4000-8000-000000000005'"
        in out
    )
