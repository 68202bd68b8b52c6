from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from sharedcalling.adapters.tenant.powershell_protocol import ProtocolViolation, check_request
from sharedcalling.services.ports import TenantNotFound
from tests.powershell.conftest import REPO, MakeWorker

HOSTILE_VALUES = [
    "Seattle'; Remove-Item -Recurse C:\\ ; '",
    'Seattle"; Stop-Computer; "',
    "$(Remove-Item -Recurse /)",
    "`$env:SC_TEAMS_CERTIFICATE_PASSWORD`n",
    "Seattle\nRemove-Item /\n",
    "@{add='+1'}; & { whoami }",
    "Tag:Seattle | Out-File /tmp/x",
]


def received(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.mark.parametrize(
    ("cmdlet", "parameters"),
    [
        ("Remove-CsTeamsSharedCallingRoutingPolicy", {"Identity": "Seattle"}),
        ("Get-CsOnlineUser; Remove-Item", {}),
        ("get-csonlineuser", {}),
        ("Get-CsOnlineUser ", {}),
        ("Invoke-Expression", {"Command": "whoami"}),
        ("New-CsTeamsEmergencyNumber", {"EmergencyDialString": "911"}),
        ("Get-CsOnlineUser", {"Filter": "AccountType -eq 'User'"}),
        ("Get-CsOnlineUser", {"identity": "MeganB@contoso.example"}),
        ("Get-CsOnlineUser", {"Identity; Remove-Item": "x"}),
        ("Get-CsOnlineUser", {"Identity": ["a", "b"]}),
        ("Get-CsOnlineUser", {"Identity": {"$(whoami)": 1}}),
        ("Get-CsOnlineUser", {"ResultSize": True}),
        ("Set-CsPhoneNumberAssignment", {"EnterpriseVoiceEnabled": "$true"}),
        ("Grant-CsTeamsSharedCallingRoutingPolicy", {"Rank": "1; whoami"}),
        ("New-CsTeamsSharedCallingRoutingPolicy", {"EmergencyNumbers": {"replace": ["+1"]}}),
        ("New-CsTeamsSharedCallingRoutingPolicy", {"EmergencyNumbers": "@{add='+1'}"}),
        (
            "New-CsTeamsEmergencyCallRoutingPolicy",
            {"Identity": "E", "EmergencyNumbers": [{"EmergencyDialString": "911", "Script": "x"}]},
        ),
        # @{add=...} would append to the Global instance's numbers: only the list is allowed.
        (
            "New-CsTeamsEmergencyCallRoutingPolicy",
            {"Identity": "E", "EmergencyNumbers": {"add": [{"EmergencyDialString": "911"}]}},
        ),
        ("New-CsTeamsEmergencyCallRoutingPolicy", {"Identity": "E", "EmergencyNumbers": []}),
        ("New-CsTeamsEmergencyCallRoutingPolicy", {"Identity": "E"}),
        # -ResourceAccount is Required on New-CsTeamsSharedCallingRoutingPolicy.
        ("New-CsTeamsSharedCallingRoutingPolicy", {"Identity": "S"}),
        ("New-CsTeamsSharedCallingRoutingPolicy", {"Identity": "S", "ResourceAccount": " "}),
        ("New-CsTeamsSharedCallingRoutingPolicy", {"Identity": "", "ResourceAccount": "x"}),
    ],
)
async def test_a_request_outside_the_allow_list_is_refused_and_never_sent(
    make_worker: MakeWorker, tmp_path: Path, cmdlet: str, parameters: dict[str, Any]
) -> None:
    record = tmp_path / "received.jsonl"
    worker = make_worker({"STANDIN_RECORD_PATH": str(record)})
    await worker.ping()
    with pytest.raises(ProtocolViolation):
        await worker.run(cmdlet, parameters)
    assert [r["cmdlet"] for r in received(record)] == ["ping"]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
async def test_hostile_values_reach_the_worker_as_plain_data(
    make_worker: MakeWorker, tmp_path: Path, value: str
) -> None:
    record = tmp_path / "received.jsonl"
    worker = make_worker({"STANDIN_RECORD_PATH": str(record)})
    with pytest.raises(TenantNotFound) as caught:
        await worker.run("Get-CsTeamsSharedCallingRoutingPolicy", {"Identity": value})
    requests = received(record)
    assert requests[-1]["cmdlet"] == "Get-CsTeamsSharedCallingRoutingPolicy"
    assert requests[-1]["parameters"] == {"Identity": value}
    assert value in str(caught.value)


async def test_the_worker_itself_refuses_requests_that_bypass_the_python_checks() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.standin_worker",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=REPO,
    )  # fmt: skip
    assert process.stdin is not None
    assert process.stdout is not None
    lines = [
        {"id": "1", "cmdlet": "Get-CsOnlineUser; Remove-Item", "parameters": {}},
        {"id": "2", "cmdlet": "Get-CsOnlineUser", "parameters": {"Filter": "x"}},
        {"id": "3", "cmdlet": "Grant-CsCallingLineIdentity", "parameters": {"Rank": "1"}},
    ]
    process.stdin.write(b"".join(json.dumps(line).encode() + b"\n" for line in lines))
    await process.stdin.drain()
    assert json.loads(await process.stdout.readline())["ready"] is True
    answers = [json.loads(await process.stdout.readline()) for _ in lines]
    process.stdin.close()
    await process.wait()
    assert [(a["id"], a["ok"], a["error"]["category"]) for a in answers] == [
        ("1", False, "ProtocolError"),
        ("2", False, "ProtocolError"),
        ("3", False, "ProtocolError"),
    ]


def test_the_allow_list_accepts_the_documented_call_shapes() -> None:
    check_request("Grant-CsTeamsSharedCallingRoutingPolicy", {"Identity": "x", "PolicyName": None})
    check_request(
        "Set-CsTeamsSharedCallingRoutingPolicy",
        {"Identity": "Seattle", "EmergencyNumbers": {"remove": ["+14255550191"]}},
    )
    check_request(
        "New-CsTeamsEmergencyCallRoutingPolicy",
        {
            "Identity": "US-Emergency",
            "EmergencyNumbers": [{"EmergencyDialString": "911", "OnlinePSTNUsage": None}],
            "AllowEnhancedEmergencyServices": True,
        },
    )
    check_request(
        "New-CsTeamsSharedCallingRoutingPolicy",
        {"Identity": "Seattle", "ResourceAccount": "00000000-0000-4000-8000-000000000051"},
    )
