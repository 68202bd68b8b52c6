"""The packager fills the template into a schema-valid manifest and a Teams-ready zip."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from manifest.package import (
    TEMPLATE,
    ManifestValues,
    PackagingError,
    build_manifest,
    main,
    write_package,
)
from sharedcalling.config import Settings
from tests.manifest.conftest import APP_ID

OTHER_APP_ID = "00000000-0000-4000-8000-0000000000b0"


def _errors(schema: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    validator = Draft4Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]


def test_the_filled_manifest_validates_against_the_teams_schema(
    manifest_schema: dict[str, Any],
) -> None:
    values = ManifestValues.from_environ(
        {"MicrosoftAppId": APP_ID, "BOT_DOMAIN": "bot.contoso.example"}
    )

    manifest = build_manifest(values)

    assert _errors(manifest_schema, manifest) == []
    assert manifest["manifestVersion"] == "1.29"


def test_a_manifest_without_a_bot_domain_still_validates(manifest_schema: dict[str, Any]) -> None:
    manifest = build_manifest(ManifestValues.from_environ({"MicrosoftAppId": APP_ID}))

    assert _errors(manifest_schema, manifest) == []
    assert manifest["validDomains"] == []


def test_the_schema_rejects_a_manifest_with_an_unfilled_placeholder(
    manifest_schema: dict[str, Any],
) -> None:
    raw = json.loads(TEMPLATE.read_text(encoding="utf-8"))

    assert _errors(manifest_schema, raw) != []


def test_the_bot_serves_personal_group_chat_and_team_scopes() -> None:
    bot = build_manifest(ManifestValues.from_environ({"MicrosoftAppId": APP_ID}))["bots"][0]

    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "groupChat", "team"}


def test_the_command_list_offers_the_caller_id_question_and_help() -> None:
    bot = build_manifest(ManifestValues.from_environ({"MicrosoftAppId": APP_ID}))["bots"][0]

    titles = [c["title"] for entry in bot["commandLists"] for c in entry["commands"]]

    assert "which number do I call out as?" in titles
    assert "help" in titles


def test_the_app_id_defaults_to_the_bot_id_and_can_be_set_apart() -> None:
    same = build_manifest(ManifestValues.from_environ({"MicrosoftAppId": APP_ID}))
    apart = build_manifest(
        ManifestValues.from_environ({"MicrosoftAppId": APP_ID, "TEAMS_APP_ID": OTHER_APP_ID})
    )

    assert same["id"] == APP_ID
    assert apart["id"] == OTHER_APP_ID
    assert apart["bots"][0]["botId"] == APP_ID


def test_the_bot_domain_becomes_the_valid_domain() -> None:
    values = ManifestValues.from_environ(
        {"MicrosoftAppId": APP_ID, "BOT_DOMAIN": "bot.contoso.example"}
    )

    assert build_manifest(values)["validDomains"] == ["bot.contoso.example"]


def test_the_template_holds_no_secret_and_only_known_placeholders() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    known = set(ManifestValues.from_environ({"MicrosoftAppId": APP_ID}).values)

    assert set(re.findall(r"\{\{(\w+)\}\}", text)) <= known
    assert not re.search(r"password|secret|client_secret", text, re.IGNORECASE)


def test_packaging_without_an_app_id_names_the_missing_variable() -> None:
    with pytest.raises(PackagingError, match="MicrosoftAppId: required"):
        ManifestValues.from_environ({"BOT_DOMAIN": "bot.contoso.example"})


def test_every_invalid_value_is_reported_at_once() -> None:
    with pytest.raises(PackagingError) as caught:
        ManifestValues.from_environ(
            {
                "MicrosoftAppId": "not-a-guid",
                "APP_VERSION": "1.0",
                "BOT_DOMAIN": "https://bot.contoso.example/api",
            }
        )

    assert [p.split(":")[0] for p in caught.value.problems] == [
        "MicrosoftAppId",
        "APP_VERSION",
        "BOT_DOMAIN",
    ]


def test_the_app_id_variable_is_the_one_settings_reads() -> None:
    assert Settings.model_fields["app_id"].alias == "MicrosoftAppId"


def test_the_package_holds_the_manifest_and_both_icons_at_its_root(tmp_path: Path) -> None:
    path = write_package(
        ManifestValues.from_environ({"MicrosoftAppId": APP_ID}), tmp_path / "a.zip"
    )

    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))

    assert names == ["color.png", "manifest.json", "outline.png"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["bots"][0]["botId"] == APP_ID


def test_packaging_twice_gives_identical_bytes(tmp_path: Path) -> None:
    values = ManifestValues.from_environ({"MicrosoftAppId": APP_ID})

    first = write_package(values, tmp_path / "first.zip").read_bytes()
    second = write_package(values, tmp_path / "second.zip").read_bytes()

    assert first == second


def test_the_command_line_writes_the_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out" / "appPackage.zip"

    code = main(["--output", str(output)], {"MicrosoftAppId": APP_ID})

    assert code == 0
    assert zipfile.is_zipfile(output)
    assert str(output) in capsys.readouterr().out


def test_the_command_line_fails_with_a_clear_message_without_an_app_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "appPackage.zip"

    code = main(["--output", str(output)], {})

    assert code == 2
    assert not output.exists()
    assert "MicrosoftAppId: required" in capsys.readouterr().err


def test_admins_find_the_set_up_command_in_the_personal_chat_list() -> None:
    bot = build_manifest(ManifestValues.from_environ({"MicrosoftAppId": APP_ID}))["bots"][0]
    by_scope = {scope: entry for entry in bot["commandLists"] for scope in entry["scopes"]}
    personal = [c["title"] for c in by_scope["personal"]["commands"]]
    shared = [c["title"] for c in by_scope["groupChat"]["commands"]]
    assert "set up shared calling" in personal
    assert "set up shared calling" not in shared  # the set-up runs in a personal chat only
    assert by_scope["team"] is by_scope["groupChat"]
