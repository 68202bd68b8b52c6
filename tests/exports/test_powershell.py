import re
from collections.abc import Iterator

import pytest
import tree_sitter_powershell
from hypothesis import given, settings
from tree_sitter import Language, Node, Parser

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import (
    Change,
    ChangeKind,
    CreateEmergencyCallRoutingPolicy,
    CreateSharedCallingPolicy,
    CreateVoiceRoutingPolicy,
    DisableVoice,
    EnableVoice,
    GrantGroupPolicy,
    GrantPolicy,
    Plan,
    SetNumberLocation,
    UpdateEmergencyNumbers,
    plan,
)
from sharedcalling.domain.rules import Finding, Severity, Subject, SubjectKind
from sharedcalling.domain.tenant import (
    PLAN_TEAMS_PHONE,
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    License,
    PolicyType,
    ServicePlan,
    SharedCallingPolicy,
    User,
    VoiceRoutingPolicy,
)
from sharedcalling.services.exports import plan_to_powershell, ps_literal
from sharedcalling.services.exports.powershell import comment_text
from tests.strategies import RA_ID, SPARE, Scenario, base_snapshot, scenarios

PARSER = Parser(Language(tree_sitter_powershell.language()))
DOUBLED_QUOTE = re.compile("(['\u2018\u2019\u201a\u201b])\\1")
EXPECTED_COMMANDS = {
    "Write-Output",
    "Set-CsPhoneNumberAssignment",
    "Get-CsOnlineUser",
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
    "`$(Stop-Computer)",
    "a; Stop-Computer",
    "a | Stop-Computer",
    "a & Stop-Computer",
    "line\nRemove-Item x",
    "line\r\nRemove-Item x",
    "line\rRemove-Item x",
    "next\u0085Stop-Computer",
    "sep\u2028Stop-Computer\u2029",
    "tab\tStop-Computer",
    "Zoë \u2019; Stop-Computer; \u2018",
    "\u201a$(evil)\u201b",
    "'; Stop-Computer; '",
    "}} | Out-Null; Stop-Computer #",
    "#> Stop-Computer <#",
    '"$env:PATH"',
    "@{add='+1'}",
    "名前 ☎",
]


def nodes(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from nodes(child)


def parse(script: str) -> Node:
    return PARSER.parse(script.encode("utf-8")).root_node


def command_names(root: Node) -> list[str]:
    return [n.text.decode() for n in nodes(root) if n.type == "command_name" and n.text]


def outside_literals_and_comments(script: str) -> bytes:
    """The script with every string literal and comment cut out: the code around them."""
    raw = script.encode("utf-8")
    spans = sorted(
        (n.start_byte, n.end_byte)
        for n in nodes(parse(script))
        if n.type in ("string_literal", "comment")
    )
    kept, at = [], 0
    for start, end in spans:
        if start >= at:
            kept.append(raw[at:start])
            at = end
    return b"\x00".join([*kept, raw[at:]])


def literal_values(script: str) -> set[str]:
    found = set()
    for n in nodes(parse(script)):
        if n.type == "string_literal" and n.text is not None:
            text = n.text.decode()
            assert text.startswith("'"), f"only verbatim strings, never expandable: {text}"
            found.add(DOUBLED_QUOTE.sub(r"\1", text[1:-1]))
    return found


def every_kind_plan(value: str) -> Plan:
    """A plan holding every change kind, with `value` in every text it carries."""
    user = Subject(SubjectKind.USER, f"{value}-user", f"{value} user")
    ra = Subject(SubjectKind.RESOURCE_ACCOUNT, f"{value}-ra", f"{value} account")
    blocked = Subject(SubjectKind.USER, f"{value}-blocked", f"{value} blocked")
    group = Subject(SubjectKind.GROUP, f"{value}-group", f"{value} group")
    scp = f"{value} shared"
    vrp = VoiceRoutingPolicy(f"{value} no pstn", (), f"{value} vrp description")
    ecrp = EmergencyCallRoutingPolicy(
        f"{value} emergency",
        (EmergencyNumber(f"9{value}", f"mask {value}", f"usage {value}"), EmergencyNumber("911")),
        True,
        f"{value} ecrp description",
    )
    policy = SharedCallingPolicy(scp, UserId(ra.id), (f"+2{value}", f"+1{value}"), f"{value} d")
    changes: tuple[Change, ...] = (
        EnableVoice(user),
        DisableVoice(blocked),
        SetNumberLocation(ra, f"+1{value}", None, f"{value} location"),
        GrantPolicy(ChangeKind.RA_GRANT_VRP, ra, PolicyType.VOICE_ROUTING, "Global", f"{value} dr"),
        CreateVoiceRoutingPolicy(vrp),
        GrantPolicy(ChangeKind.USER_GRANT_VRP, user, PolicyType.VOICE_ROUTING, "Global", vrp.name),
        CreateEmergencyCallRoutingPolicy(ecrp),
        GrantPolicy(
            ChangeKind.USER_GRANT_ECRP, user, PolicyType.EMERGENCY_CALL_ROUTING, "Global", ecrp.name
        ),
        CreateSharedCallingPolicy(policy, ra),
        UpdateEmergencyNumbers(ChangeKind.SCP_REMOVE_NUMBERS, scp, (f"+3{value}",), (), ()),
        UpdateEmergencyNumbers(
            ChangeKind.SCP_ADD_NUMBERS, scp, (f"+5{value}", f"+4{value}"), (), ()
        ),
        GrantPolicy(ChangeKind.SCP_GRANT_USER, user, PolicyType.SHARED_CALLING, "Global", scp),
        GrantGroupPolicy(group, PolicyType.SHARED_CALLING, scp, 2),
        GrantPolicy(ChangeKind.SCP_GRANT_USER, blocked, PolicyType.SHARED_CALLING, scp, None),
    )
    findings = (
        Finding("SC-U03", Severity.BLOCK, blocked, f"{value} has no Teams Phone license."),
        Finding("SC-U05", Severity.BLOCK, blocked, f"{value} has number +1{value}."),
        Finding("SC-R10", Severity.WARN, ra, f"Callbacks to {value} reach no auto attendant."),
    )
    return Plan(
        desired=DesiredState(UserId(ra.id), scp, (UserId(user.id), UserId(blocked.id))),
        changes=changes,
        findings=findings,
        changing_user_ids=(UserId(user.id),),
        compliant_user_ids=(),
        blocked_user_ids=(UserId(blocked.id),),
        blocked=False,
        basis={},
        fingerprint=f"{value} fingerprint",
    )


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


def test_comment_text_escapes_every_line_break():
    assert comment_text("a\nb\r\u0085\u2028\u2029\tc") == (
        "a\\u{000A}b\\u{000D}\\u{0085}\\u{2028}\\u{2029}\\u{0009}c"
    )
    assert comment_text("Zoë 名前 ☎ $(x)") == "Zoë 名前 ☎ $(x)"


def test_the_every_kind_plan_holds_every_change_kind():
    assert {change.kind for change in every_kind_plan("x").changes} == set(ChangeKind)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_change_nothing_but_the_inside_of_literals_and_comments(value: str):
    script = plan_to_powershell(every_kind_plan(value))
    benign = plan_to_powershell(every_kind_plan("plain"))
    root = parse(script)
    assert not root.has_error
    assert not [n for n in nodes(root) if n.is_missing or n.type == "ERROR"]
    assert command_names(root) == command_names(parse(benign))
    assert set(command_names(root)) == EXPECTED_COMMANDS
    assert outside_literals_and_comments(script) == outside_literals_and_comments(benign)
    values = literal_values(script)
    for expected in (f"{value} shared", f"{value}-user", f"+2{value}", f"usage {value}"):
        assert expected in values


@pytest.mark.parametrize("name", HOSTILE)
def test_a_planned_script_with_hostile_names_parses_into_the_allowed_commands(name: str):
    result = hostile_plan(name)
    assert not result.blocked
    script = plan_to_powershell(result)
    root = parse(script)
    assert not root.has_error
    assert set(command_names(root)) <= EXPECTED_COMMANDS
    assert "New-CsTeamsSharedCallingRoutingPolicy" in command_names(root)
    assert f"SC {name}" in literal_values(script)


def test_blocked_users_are_listed_first_with_their_rule_codes():
    script = plan_to_powershell(every_kind_plan("Isaiah\nRemove-Item x"))
    head = script.splitlines()[:4]
    assert head == [
        "# Shared Calling plan generated by the Shared Calling bot. Review before running.",
        "# Blocked users, left out of this script, and the rules that block them:",
        "#   SC-U03 BLOCK Isaiah\\u{000A}Remove-Item x blocked: Isaiah\\u{000A}Remove-Item x has "
        "no Teams Phone license.",
        "#   SC-U05 BLOCK Isaiah\\u{000A}Remove-Item x blocked: Isaiah\\u{000A}Remove-Item x has "
        "number +1Isaiah\\u{000A}Remove-Item x.",
    ]
    assert "SC-R10" not in script  # only what blocks is listed


def test_a_blocked_plan_names_what_blocks_it():
    ra = Subject(SubjectKind.RESOURCE_ACCOUNT, RA_ID, "ra")
    findings = (Finding("SC-R03", Severity.BLOCK, ra, "no number"),)
    blocked = Plan(DesiredState(RA_ID, "P"), (), findings, (), (), (), True, {}, "f")
    lines = plan_to_powershell(blocked).splitlines()
    assert lines[1:3] == [
        "# Blocked, so nothing below can be applied:",
        "#   SC-R03 BLOCK ra: no number",
    ]
    assert "Write-Output 'The plan is blocked; there is nothing to apply.'" in lines


def test_emergency_routing_policies_get_their_numbers_as_the_list_itself():
    script = plan_to_powershell(every_kind_plan("x"))
    assert (
        "    New-CsTeamsEmergencyCallRoutingPolicy -Identity 'x emergency' -EmergencyNumbers "
        "$numbers -AllowEnhancedEmergencyServices $true -Description 'x ecrp description'"
    ) in script.splitlines()
    assert "@{add=$numbers}" not in script
    assert (
        "    $numbers += New-CsTeamsEmergencyNumber -EmergencyDialString '9x' -EmergencyDialMask "
        "'mask x' -OnlinePSTNUsage 'usage x'"
    ) in script.splitlines()


def test_voice_routing_and_emergency_grants_name_the_user_by_upn():
    lines = plan_to_powershell(every_kind_plan("x")).splitlines()
    assert (
        "Grant-CsOnlineVoiceRoutingPolicy -Identity (Get-CsOnlineUser -Identity 'x-user')"
        ".UserPrincipalName -PolicyName 'x no pstn'"
    ) in lines
    assert (
        "Grant-CsTeamsEmergencyCallRoutingPolicy -Identity (Get-CsOnlineUser -Identity 'x-user')"
        ".UserPrincipalName -PolicyName 'x emergency'"
    ) in lines
    assert "Grant-CsTeamsSharedCallingRoutingPolicy -Identity 'x-user' -PolicyName 'x shared'" in (
        lines
    )


def test_emergency_callback_numbers_keep_the_admins_order():
    script = plan_to_powershell(every_kind_plan("9"))
    assert "-ResourceAccount '9-ra' -EmergencyNumbers @{add='+29','+19'}" in script
    adds = [line for line in script.splitlines() if "@{add='+" in line and "-notcontains" in line]
    assert [line.split("-notcontains ")[1][:5] for line in adds] == ["'+59'", "'+49'"]


@pytest.mark.parametrize("account", [None, "", "   "])
def test_a_shared_calling_policy_without_a_resource_account_is_refused(account: str | None):
    ra = Subject(SubjectKind.RESOURCE_ACCOUNT, "", "")
    change = CreateSharedCallingPolicy(SharedCallingPolicy("P", account), ra)  # type: ignore[arg-type]
    no_account = Plan(DesiredState(RA_ID, "P"), (change,), (), (), (), (), False, {}, "f")
    with pytest.raises(InvalidInput, match="requires -ResourceAccount"):
        plan_to_powershell(no_account)


def test_an_emergency_routing_policy_without_numbers_is_refused():
    change = CreateEmergencyCallRoutingPolicy(EmergencyCallRoutingPolicy("E"))
    empty = Plan(DesiredState(RA_ID, "P"), (change,), (), (), (), (), False, {}, "f")
    with pytest.raises(InvalidInput, match="Global instance"):
        plan_to_powershell(empty)


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
