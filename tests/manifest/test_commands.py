"""The manifest's command menus offer every command the bot understands, in the scopes where it
makes sense, within the schema's limits."""

from __future__ import annotations

import re
import typing
from typing import Any

from bot.commands import Command, StartSetup, Unknown, parse_command
from manifest.package import ManifestValues, build_manifest
from tests.manifest.conftest import PACKAGE_ENV

GROUP_SCOPES = {"team", "groupChat"}


def _lists() -> dict[str, list[dict[str, Any]]]:
    bot = build_manifest(ManifestValues.from_environ(PACKAGE_ENV))["bots"][0]
    return {scope: entry["commands"] for entry in bot["commandLists"] for scope in entry["scopes"]}


def _offered(commands: list[dict[str, Any]]) -> set[type]:
    """The command types a person reaches from a menu: each title as Teams inserts it, and each
    phrase quoted in a description ("check hazards now")."""
    phrases = [c["title"] for c in commands]
    phrases += [q for c in commands for q in re.findall(r'"([^"]+)"', c.get("description", ""))]
    return {type(parse_command(phrase)) for phrase in phrases}


def test_every_scope_of_the_bot_has_its_command_list() -> None:
    assert set(_lists()) == {"personal", "team", "groupChat"}


def test_the_personal_menu_reaches_every_command_the_bot_understands() -> None:
    understood = set(typing.get_args(Command)) - {Unknown}

    assert understood - _offered(_lists()["personal"]) == set()


def test_every_title_is_a_command_the_bot_understands() -> None:
    for scope, commands in _lists().items():
        for command in commands:
            parsed = parse_command(command["title"])
            assert not isinstance(parsed, Unknown), (scope, command["title"])


def test_group_menus_leave_out_what_only_works_or_belongs_in_a_personal_chat() -> None:
    lists = _lists()
    for scope in GROUP_SCOPES:
        offered = _offered(lists[scope])
        # The set-up shows people and numbers, so it runs in a personal chat only; a person's
        # own requests and the audit export's download links are theirs alone.
        assert StartSetup not in offered
        assert {type(parse_command("my requests")), type(parse_command("audit export"))}.isdisjoint(
            offered
        )
    assert lists["team"] is lists["groupChat"]


def test_each_menu_keeps_within_the_schema_and_has_no_repeated_title(
    manifest_schema: dict[str, Any],
) -> None:
    lists_schema = manifest_schema["properties"]["bots"]["items"]["properties"]["commandLists"]
    command_schema = lists_schema["items"]["properties"]["commands"]
    for commands in _lists().values():
        titles = [c["title"] for c in commands]
        assert len(titles) <= command_schema["maxItems"]
        assert len(set(titles)) == len(titles)
        assert all(c.get("description") for c in commands)
