"""The packager fills the template into a schema-valid manifest and a Teams-ready zip, from
required settings only: no demo tenant's names or URLs reach a package."""

from __future__ import annotations

import copy
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from manifest.package import (
    REQUIRED,
    TEMPLATE,
    ManifestValues,
    PackagingError,
    build_manifest,
    main,
    manifest_problems,
    schema_errors,
    write_package,
)
from manifest.png import decode_png
from sharedcalling.config import Settings
from tests.manifest.conftest import APP_ID, BOT_DOMAIN, PACKAGE_ENV

OTHER_APP_ID = "00000000-0000-4000-8000-0000000000b0"


def _values(**overrides: str) -> ManifestValues:
    return ManifestValues.from_environ({**PACKAGE_ENV, **overrides})


def _manifest(**overrides: str) -> dict[str, Any]:
    return build_manifest(_values(**overrides))


def test_the_filled_manifest_validates_against_the_vendored_teams_schema(
    manifest_schema: dict[str, Any],
) -> None:
    manifest = _manifest()

    assert schema_errors(manifest) == []
    assert manifest_problems(manifest) == []
    version = manifest_schema["properties"]["manifestVersion"]["const"]
    assert manifest["manifestVersion"] == version == "1.29"
    assert f"/v{version}/" in manifest["$schema"]


def test_the_schema_rejects_the_template_with_its_placeholders_unfilled() -> None:
    raw = json.loads(TEMPLATE.read_text(encoding="utf-8"))

    assert schema_errors(raw) != []


def _without_bot_id(m: dict[str, Any]) -> None:
    del m["bots"][0]["botId"]


def _bad_bot_id(m: dict[str, Any]) -> None:
    m["bots"][0]["botId"] = "not-a-guid"


def _bad_version(m: dict[str, Any]) -> None:
    m["version"] = "1.0"


def _bad_manifest_version(m: dict[str, Any]) -> None:
    m["manifestVersion"] = "1.2x"


def _too_many_commands(m: dict[str, Any]) -> None:
    commands = m["bots"][0]["commandLists"][0]["commands"]
    commands.extend({"title": f"extra {i}", "description": "x"} for i in range(13 - len(commands)))


def _bad_url(m: dict[str, Any]) -> None:
    m["developer"]["privacyUrl"] = "it.fabrikam-telecom.net/privacy"


def _two_lists_for_one_scope(m: dict[str, Any]) -> None:
    m["bots"][0]["commandLists"][1]["scopes"].append("personal")


@pytest.mark.parametrize(
    ("break_it", "where"),
    [
        (_without_bot_id, "bots/0: 'botId' is a required property"),
        (_bad_bot_id, "bots/0/botId"),
        (_bad_version, "version: '1.0' is not MAJOR.MINOR.PATCH"),
        (_bad_manifest_version, "manifestVersion"),
        (_too_many_commands, "bots/0/commandLists/0/commands: "),
        (_bad_url, "developer/privacyUrl"),
        (_two_lists_for_one_scope, "more than one list for personal"),
    ],
)
def test_a_broken_manifest_fails_validation(break_it: Any, where: str) -> None:
    broken = copy.deepcopy(_manifest())
    break_it(broken)

    problems = manifest_problems(broken)

    assert any(where in problem for problem in problems), problems


def test_the_bot_serves_personal_team_and_group_chat_scopes() -> None:
    bot = _manifest()["bots"][0]

    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "groupChat", "team"}
    assert bot["isNotificationOnly"] is False


def test_web_application_info_names_the_bot_app_and_the_domain_is_valid() -> None:
    manifest = _manifest()

    assert manifest["webApplicationInfo"] == {"id": APP_ID, "resource": f"api://botid-{APP_ID}"}
    assert manifest["validDomains"] == [BOT_DOMAIN]


def test_the_app_id_defaults_to_the_bot_id_and_can_be_set_apart() -> None:
    same = _manifest()
    apart = _manifest(TEAMS_APP_ID=OTHER_APP_ID)

    assert same["id"] == APP_ID
    assert apart["id"] == OTHER_APP_ID
    assert apart["bots"][0]["botId"] == APP_ID


def test_the_developer_block_is_what_the_operator_set() -> None:
    developer = _manifest()["developer"]

    assert developer == {
        "name": PACKAGE_ENV["DEVELOPER_NAME"],
        "websiteUrl": PACKAGE_ENV["DEVELOPER_WEBSITE_URL"],
        "privacyUrl": PACKAGE_ENV["DEVELOPER_PRIVACY_URL"],
        "termsOfUseUrl": PACKAGE_ENV["DEVELOPER_TERMS_URL"],
    }


def test_the_template_holds_no_demo_value_no_secret_and_only_known_placeholders() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")

    assert set(re.findall(r"\{\{(\w+)\}\}", text)) <= set(_values().values)
    assert not re.search(r"password|secret|contoso|\.example\b", text, re.IGNORECASE)


def test_packaging_without_settings_names_every_missing_one_at_once() -> None:
    with pytest.raises(PackagingError) as caught:
        ManifestValues.from_environ({})

    assert [p.split(":")[0] for p in caught.value.problems] == list(REQUIRED)
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "DEVELOPER_NAME",
        "DEVELOPER_WEBSITE_URL",
        "DEVELOPER_PRIVACY_URL",
        "DEVELOPER_TERMS_URL",
        "MicrosoftAppId",
        "BOT_DOMAIN",
    ]
    assert all(": required; " in p for p in caught.value.problems)


def test_every_invalid_value_is_reported_at_once() -> None:
    with pytest.raises(PackagingError) as caught:
        ManifestValues.from_environ(
            {
                **PACKAGE_ENV,
                "DEVELOPER_NAME": "x" * 33,
                "DEVELOPER_TERMS_URL": "http://it.fabrikam-telecom.net/terms",
                "MicrosoftAppId": "not-a-guid",
                "APP_VERSION": "1.0",
                "BOT_DOMAIN": "https://bot.fabrikam-telecom.net/api",
            }
        )

    assert [p.split(":")[0] for p in caught.value.problems] == [
        "DEVELOPER_NAME",
        "DEVELOPER_TERMS_URL",
        "MicrosoftAppId",
        "APP_VERSION",
        "BOT_DOMAIN",
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DEVELOPER_NAME", "Contoso IT"),
        ("DEVELOPER_WEBSITE_URL", "https://contoso.example/shared-calling"),
        ("DEVELOPER_PRIVACY_URL", "https://www.example.com/privacy"),
        ("DEVELOPER_TERMS_URL", "https://it.contoso.com/terms"),
        ("BOT_DOMAIN", "bot.contoso.example"),
        ("BOT_DOMAIN", "localhost"),
    ],
)
def test_the_demo_tenant_s_names_and_example_addresses_are_refused(key: str, value: str) -> None:
    with pytest.raises(PackagingError) as caught:
        _values(**{key: value})

    assert [p.split(":")[0] for p in caught.value.problems] == [key]


def test_the_app_id_variable_is_the_one_settings_reads() -> None:
    assert Settings.model_fields["app_id"].alias == "MicrosoftAppId"


def test_the_package_holds_exactly_the_manifest_and_both_icons_at_the_right_sizes(
    tmp_path: Path,
) -> None:
    path = write_package(_values(), tmp_path / "a.zip")

    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        color = decode_png(archive.read("color.png"))
        outline = decode_png(archive.read("outline.png"))

    assert names == ["color.png", "manifest.json", "outline.png"]
    assert manifest == _manifest()
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert (color.width, color.height) == (192, 192)
    assert (outline.width, outline.height) == (32, 32)
    assert outline.rows[0][0][3] == 0  # transparent background


def test_packaging_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first = write_package(_values(), tmp_path / "first.zip").read_bytes()
    second = write_package(_values(), tmp_path / "second.zip").read_bytes()

    assert first == second


def test_the_command_line_writes_the_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out" / "appPackage.zip"

    code = main(["--output", str(output)], PACKAGE_ENV)

    assert code == 0
    assert zipfile.is_zipfile(output)
    assert sorted(p.name for p in output.parent.iterdir()) == ["appPackage.zip"]
    assert str(output) in capsys.readouterr().out


def test_the_command_line_fails_with_one_clear_message_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "appPackage.zip"

    code = main(["--output", str(output)], {"MicrosoftAppId": APP_ID})

    err = capsys.readouterr().err
    assert code == 2
    assert list(tmp_path.iterdir()) == []
    assert err.startswith("Cannot package the Teams app (nothing was written):")
    for name in REQUIRED:
        assert (f"{name}: required" in err) is (name != "MicrosoftAppId")
