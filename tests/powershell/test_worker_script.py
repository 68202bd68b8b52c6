from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import tree_sitter_powershell
from tree_sitter import Language, Node, Parser

from sharedcalling.adapters.tenant.powershell_protocol import ALLOWED_CMDLETS, REQUIRED_PARAMETERS
from sharedcalling.adapters.tenant.powershell_worker import WORKER_SCRIPT

SOURCE = WORKER_SCRIPT.read_bytes()


@pytest.fixture(scope="module")
def tree() -> Any:
    return Parser(Language(tree_sitter_powershell.language())).parse(SOURCE)


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from walk(child)


def text(node: Node) -> str:
    return SOURCE[node.start_byte : node.end_byte].decode()


def first(node: Node, node_type: str) -> Node:
    return next(n for n in walk(node) if n.type == node_type)


def hash_entries(hash_literal: Node) -> dict[str, Node]:
    body = first(hash_literal, "hash_literal_body")
    entries = {}
    for entry in (c for c in body.children if c.type == "hash_entry"):
        key = text(first(entry, "key_expression")).strip("'\"")
        entries[key] = entry
    return entries


def test_worker_script_parses_without_errors(tree: Any) -> None:
    broken = [(n.type, n.start_point) for n in walk(tree.root_node) if n.is_error or n.is_missing]
    assert not tree.root_node.has_error
    assert broken == []


@pytest.mark.parametrize(
    "pattern",
    [r"invoke-expression", r"\biex\b", r"scriptblock\]::create", r"add-type", r"-encodedcommand",
     r"\[scriptblock\]", r"newscriptblock", r"start-process"],
)  # fmt: skip
def test_worker_script_never_builds_or_runs_script_text(pattern: str) -> None:
    assert re.search(pattern, SOURCE.decode(), re.IGNORECASE) is None


def test_worker_script_holds_the_same_allow_list_as_the_python_side(tree: Any) -> None:
    assignment = next(
        n
        for n in walk(tree.root_node)
        if n.type == "assignment_expression" and text(n).startswith("$AllowList")
    )
    table = hash_entries(first(assignment, "hash_literal_expression"))
    script_allow_list = {
        cmdlet: {
            name: text(first(value, "string_literal")).strip("'")
            for name, value in hash_entries(first(entry, "hash_literal_expression")).items()
        }
        for cmdlet, entry in table.items()
    }
    python_allow_list = {
        cmdlet: {name: kind.value for name, kind in params.items()}
        for cmdlet, params in ALLOWED_CMDLETS.items()
    }
    assert script_allow_list == python_allow_list


def test_worker_script_holds_the_same_required_parameters_as_the_python_side(tree: Any) -> None:
    assignment = next(
        n
        for n in walk(tree.root_node)
        if n.type == "assignment_expression" and text(n).startswith("$RequiredParameters")
    )
    table = hash_entries(first(assignment, "hash_literal_expression"))
    script_required = {
        cmdlet: tuple(text(n).strip("'") for n in walk(entry) if n.type == "string_literal")[
            1:
        ]  # the first literal is the key itself
        for cmdlet, entry in table.items()
    }
    assert script_required == dict(REQUIRED_PARAMETERS)


def test_worker_script_passes_emergency_numbers_as_the_list_itself() -> None:
    # New-CsTeamsEmergencyCallRoutingPolicy, examples 1 and 2: @{add=...} appends to the Global
    # instance's numbers; the list overrides them.
    source = SOURCE.decode()
    body = source[source.index("function ConvertTo-EmergencyNumbers") :]
    body = body[: body.index("\n}\n")]
    code = [line for line in body.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in code if re.search(r"\badd\s*=", line, re.IGNORECASE)]
    assert "    return , $numbers.ToArray()" in code


def test_worker_script_invokes_cmdlets_only_by_splatting(tree: Any) -> None:
    invocations = [text(n) for n in walk(tree.root_node) if n.type == "command_invokation_operator"]
    calls = [
        text(n.parent)
        for n in walk(tree.root_node)
        if n.type == "command_invokation_operator" and n.parent is not None
    ]
    assert invocations == ["&"]
    assert calls == ["& $cmdlet @splat"]


def test_worker_script_stops_on_errors_and_answers_in_compressed_deep_json() -> None:
    source = SOURCE.decode()
    assert "$ErrorActionPreference = 'Stop'" in source
    assert "ConvertTo-Json -InputObject $Message -Depth 6 -Compress" in source
    assert "ConvertFrom-Json -InputObject $Line -AsHashtable" in source


def test_worker_script_takes_credentials_from_the_environment_only() -> None:
    source = SOURCE.decode()
    for variable in ("SC_TEAMS_APP_ID", "SC_TEAMS_TENANT_ID", "SC_TEAMS_CERTIFICATE_THUMBPRINT"):
        assert f"Get-RequiredSetting '{variable}'" in source
    connect = re.findall(r"Connect-MicrosoftTeams[^\n]*", source)
    assert connect == ["Connect-MicrosoftTeams @connect"]


def test_worker_script_requires_teams_module_5_5_0_or_later() -> None:
    assert "$MinimumModuleVersion = [version]'5.5.0'" in SOURCE.decode()
