import io
import json
import sqlite3
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


# --------------------------------------------------------------------------- callerid


def cli(environ: dict[str, str], *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), environ=environ, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_callerid_prints_the_answer_as_json(environ):
    code, out, err = cli(
        environ, "callerid", "--user", "AdeleV@contoso.example", "--format", "json"
    )
    assert (code, err) == (EXIT_OK, "")
    answer = json.loads(out)
    assert answer["outcome"] == "SHARED"
    assert answer["outbound_number"] == "+14255550100"
    assert answer["callbacks"] == "auto_attendant"
    assert answer["emergency"]["kind"] == "callback_pool"
    assert answer["emergency"]["numbers"] == ["+14255550191", "+14255550192"]
    assert answer["rule_codes"] == []
    assert answer["text"].startswith("Adele Vance calls out as +1 425-555-0100")


def test_callerid_prints_text_by_default_for_an_object_id(environ):
    code, out, _ = cli(environ, "callerid", "--user", "00000000-0000-4000-8000-000000000010")
    assert code == EXIT_OK
    assert out.splitlines()[0] == "Lynne Robbins (LynneR@contoso.example)"
    assert "Outcome: INCONSISTENT" in out
    assert "Rule codes: SC-U07" in out
    assert "**" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--user", "ghost@contoso.example"], "No user ghost@contoso.example in this tenant."),
        (["--user", "Contoso Employee"], "matches several people"),
        (["--user", " "], "Tell me who"),
    ],
)
def test_callerid_refuses_unknown_ambiguous_and_empty_users(environ, argv, message):
    code, out, err = cli(environ, "callerid", *argv)
    assert (code, out) == (EXIT_BAD_INPUT, "")
    assert err.startswith("error: ")
    assert message in err


# --------------------------------------------------------------------------- tenant files


def export(environ: dict[str, str], path: Path) -> str:
    code, out, err = cli(environ, "export-tenant", "--out", str(path))
    assert (code, err) == (EXIT_OK, ""), err
    assert str(path) in out
    return path.read_text(encoding="utf-8")


def test_export_then_seed_then_export_gives_the_same_file(environ, tmp_path: Path):
    first = export(environ, tmp_path / "tenant.json")
    seeded = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'whatif.db'}",
        "EMULATED_SEED": str(tmp_path / "tenant.json"),
    }
    second = export(seeded, tmp_path / "again.json")
    assert second == first
    assert json.loads(first)["format"] == 1


def whatif_file(environ: dict[str, str], tmp_path: Path, edit) -> dict[str, str]:
    """Export the demo tenant, edit it, and point a fresh database at the edited copy."""
    path = tmp_path / "tenant.json"
    document = json.loads(export(environ, path))
    edit(document["objects"])
    path.write_text(json.dumps(document), encoding="utf-8")
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'whatif.db'}",
        "EMULATED_SEED": str(path),
    }


def give_pradeep_an_extension(objects) -> None:
    number = next(n for n in objects["number"] if n["telephone_number"] == "+493023125190")
    number.update(
        telephone_number="+493023125190;ext=190",
        assignment_status="UserAssigned",
        assigned_target_id="00000000-0000-4000-8000-000000000012",
    )


def test_plan_marks_extension_dialing_users(environ, tmp_path: Path):
    """Issue 7, fix 8: `--extension-dialing-user` reaches the desired state."""
    whatif = whatif_file(environ, tmp_path, give_pradeep_an_extension)
    code, out, err = cli(
        whatif, "plan", "--resource-account", "ra-berlin@contoso.example", "--policy", "Berlin",
        "--extension-dialing-user", "PradeepG@contoso.example", "--format", "json",
    )  # fmt: skip
    assert code == EXIT_OK, err
    exported = json.loads(out)
    assert exported["desired"]["extension_dialing_user_ids"] == [
        "00000000-0000-4000-8000-000000000012"
    ]
    codes = {(f["code"], f["severity"]) for f in exported["findings"]}
    assert ("SC-U06", "WARN") in codes
    assert "SC-U05" not in {code for code, _ in codes}


def test_callerid_answers_from_a_what_if_copy(environ, tmp_path: Path):
    def drop_the_main_line_location(objects) -> None:
        number = next(n for n in objects["number"] if n["telephone_number"] == "+14255550100")
        del number["location_id"]

    whatif = whatif_file(environ, tmp_path, drop_the_main_line_location)
    code, out, _ = cli(whatif, "callerid", "--user", "AdeleV@contoso.example", "--format", "json")
    assert code == EXIT_OK
    answer = json.loads(out)
    assert answer["emergency"] == {
        "kind": "not_set_up", "numbers": [], "hold_minutes": None, "rule_codes": ["SC-R04"],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot be read"),
        ("{not json", "is not JSON"),
        ('{"format": 1, "tenant_id": "8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b", "objects": {"user": ['
         '{"id": "00000000-0000-4000-8000-000000000001", "user_principal_name": "a@b.test", '
         '"display_name": "A", "favourite_colour": "red"}]}}',
         'user #1 (00000000-0000-4000-8000-000000000001): unknown field "favourite_colour"'),
    ],
)  # fmt: skip
def test_a_bad_tenant_file_is_refused_naming_the_file_and_nothing_is_written(
    tmp_path: Path, content, problem
):
    path = tmp_path / "tenant.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    database = tmp_path / "whatif.db"
    environ = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "EMULATED_SEED": str(path)}
    code, out, err = cli(environ, "callerid", "--user", "a@b.test")
    assert (code, out) == (EXIT_BAD_INPUT, "")
    assert f"tenant file {path}" in err
    assert problem in err
    assert len(err.strip().splitlines()) == 1
    assert not database.exists()  # refused before the database is even created


def tenant_rows(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM emulated_tenant_objects").fetchone()
        return int(count)


def test_a_bad_tenant_file_leaves_an_existing_tenant_untouched(environ, tmp_path: Path):
    whatif = whatif_file(environ, tmp_path, give_pradeep_an_extension)
    assert cli(whatif, "callerid", "--user", "PradeepG@contoso.example")[0] == EXIT_OK
    database = Path(whatif["DATABASE_URL"].removeprefix("sqlite+aiosqlite:///"))
    before = tenant_rows(database)
    path = Path(whatif["EMULATED_SEED"])
    document = json.loads(path.read_text(encoding="utf-8"))
    document["objects"]["number"][0]["telephone_number"] = "425 555 0100"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = cli(whatif, "reset-tenant")
    assert code == EXIT_BAD_INPUT
    assert "number #1 (425 555 0100): '425 555 0100' is not an E.164 number" in err
    assert tenant_rows(database) == before


def test_export_refuses_a_missing_folder_and_writes_nothing(environ, tmp_path: Path):
    target = tmp_path / "missing" / "tenant.json"
    code, out, err = cli(environ, "export-tenant", "--out", str(target))
    assert (code, out) == (EXIT_BAD_INPUT, "")
    assert str(target) in err
    assert not target.exists()


def test_reset_tenant_reloads_the_tenant_file(environ, tmp_path: Path):
    whatif = whatif_file(environ, tmp_path, give_pradeep_an_extension)
    code, _, err = cli(whatif, "reset-tenant")
    assert code == EXIT_OK, err
    code, out, _ = cli(whatif, "callerid", "--user", "PradeepG@contoso.example", "--format", "json")
    answer = json.loads(out)
    assert (answer["outcome"], answer["outbound_number"]) == ("PERSONAL_DR", "+493023125190")


def test_callerid_presents_the_resource_account_a_caller_id_policy_substitutes(
    environ, tmp_path: Path
):
    """A calling line identity policy with substitute Resource: people see the resource
    account's number, not the user's own, in the data as in the card."""
    owner = "00000000-0000-4000-8000-000000000004"  # has +1 425-555-0142 of their own

    def present_the_main_line(objects) -> None:
        objects["calling_line_identity_policy"].append(
            {
                "name": "MainLine",
                "substitute": "Resource",
                "resource_account_id": "00000000-0000-4000-8000-000000000051",
            }
        )
        user = next(u for u in objects["user"] if u["id"] == owner)
        user.setdefault("direct_policies", []).append(
            {"policy_type": "CallingLineIdentity", "name": "MainLine"}
        )

    whatif = whatif_file(environ, tmp_path, present_the_main_line)
    code, out, err = cli(whatif, "callerid", "--user", owner, "--format", "json")
    assert (code, err) == (EXIT_OK, ""), err
    answer = json.loads(out)
    assert answer["outbound_number"] == "+14255550100"  # ra-mainline's number
    assert answer["emergency"]["numbers"] == ["+14255550142"]  # PSAPs still call the person back
    assert "+1 425-555-0100" in answer["text"]
