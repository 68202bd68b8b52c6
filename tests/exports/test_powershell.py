from collections.abc import Iterator

import pytest
import tree_sitter_powershell
from hypothesis import given, settings
from tree_sitter import Language, Node, Parser

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import Plan, plan
from sharedcalling.domain.tenant import PLAN_TEAMS_PHONE, License, ServicePlan, User
from sharedcalling.services.exports import plan_to_powershell, ps_literal
from tests.strategies import RA_ID, SPARE, Scenario, base_snapshot, scenarios

PARSER = Parser(Language(tree_sitter_powershell.language()))
ALLOWED_COMMANDS = {
    "Write-Output",
    "Set-CsPhoneNumberAssignment",
    "Grant-CsOnlineVoiceRoutingPolicy",
    "Grant-CsTeamsEmergencyCallRoutingPolicy",
    "Grant-CsTeamsSharedCallingRoutingPolicy",
    "Get-CsOnlineVoiceRoutingPolicy",
    "New-CsOnlineVoiceRoutingPolicy",
    "Get-CsTeamsEmergencyCallRoutingPolicy",
    "New-CsTeamsEmergencyNumber",
    "New-CsTeamsEmergencyCallRoutingPolicy",
    "Get-CsTeamsSharedCallingRoutingPolicy",
    "New-CsTeamsSharedCallingRoutingPolicy",
    "Set-CsTeamsSharedCallingRoutingPolicy",
}
HOSTILE = [
    "O'Brien",
    "$(Remove-Item C:\\ -Recurse)",
    "`whoami`",
    "a; Stop-Computer",
    "line\nRemove-Item x",
    "Zoë \u2019; Stop-Computer; \u2018",
    "\u201a$(evil)\u201b",
    "'; Stop-Computer; '",
    "}} | Out-Null; Stop-Computer #",
    '"$env:PATH"',
]


def nodes(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from nodes(child)


def parse(script: str) -> Node:
    return PARSER.parse(script.encode("utf-8")).root_node


def string_spans(root: Node) -> list[tuple[int, int]]:
    return [(n.start_byte, n.end_byte) for n in nodes(root) if n.type == "string_literal"]


def hostile_plan(name: str) -> Plan:
    phone = (License("MCOEV", (ServicePlan(PLAN_TEAMS_PHONE),)),)
    hostile_id = UserId(f"{name}-id")
    user = User(hostile_id, f"{name}@contoso.example", name, licenses=phone)
    snapshot = base_snapshot({hostile_id: user})
    desired = DesiredState(RA_ID, f"SC {name}", (hostile_id,), emergency_numbers=(SPARE[3],))
    return plan(desired, snapshot)


def test_literal_doubles_every_kind_of_single_quote():
    assert ps_literal("O'Brien") == "'O''Brien'"
    assert ps_literal("a\u2019b\u2018c") == "'a\u2019\u2019b\u2018\u2018c'"
    assert ps_literal("$(x) `n") == "'$(x) `n'"


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_values_stay_inside_string_literals(name: str):
    result = hostile_plan(name)
    assert not result.blocked
    script = plan_to_powershell(result)
    root = parse(script)
    assert not root.has_error
    assert not [n for n in nodes(root) if n.is_missing or n.type == "ERROR"]
    commands = {
        n.text.decode() for n in nodes(root) if n.type == "command_name" and n.text is not None
    }
    assert commands <= ALLOWED_COMMANDS
    assert "New-CsTeamsSharedCallingRoutingPolicy" in commands
    spans = string_spans(root)
    raw = script.encode("utf-8")
    literal = ps_literal(name).encode("utf-8")[1:-1]
    start = raw.find(literal)
    assert start >= 0
    while start >= 0:
        assert any(lo < start and start + len(literal) < hi for lo, hi in spans)
        start = raw.find(literal, start + 1)


def test_script_stops_on_errors_and_guards_creates():
    script = plan_to_powershell(hostile_plan("Diego"))
    assert "$ErrorActionPreference = 'Stop'" in script
    assert (
        "if (-not (Get-CsTeamsSharedCallingRoutingPolicy -Identity 'SC Diego' "
        "-ErrorAction SilentlyContinue)) {" in script
    )
    assert "-EmergencyNumbers @{add='+14255550194'}" in script


@settings(max_examples=30, deadline=None)
@given(scenarios())
def test_every_generated_script_parses_without_errors(scenario: Scenario):
    script = plan_to_powershell(plan(scenario.desired, scenario.snapshot))
    assert not parse(script).has_error
