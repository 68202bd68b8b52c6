import json

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.desired import DesiredState, GroupAssignment
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning import plan
from sharedcalling.services.callerid import Answered, answer_caller_id
from sharedcalling.services.exports import PLAN_FORMAT, PLAN_FORMAT_VERSION, plan_to_json
from sharedcalling.services.exports.callerid_json import (
    CALLER_ID_FORMAT,
    CALLER_ID_FORMAT_VERSION,
    caller_id_to_json,
)
from tests.demo_ids import SEATTLE_FLOOR_2
from tests.strategies import RA_ID, SPARE, base_snapshot


def test_json_export_is_versioned_and_names_codes_and_change_ids():
    snapshot = base_snapshot({})
    result = plan(DesiredState(RA_ID, "Redmond", (), emergency_numbers=(SPARE[2],)), snapshot)
    exported = json.loads(json.dumps(plan_to_json(result)))
    assert exported["format"] == PLAN_FORMAT
    assert exported["version"] == PLAN_FORMAT_VERSION
    assert exported["fingerprint"] == result.fingerprint
    assert [c["change"] for c in exported["changes"]] == ["scp.create"]
    assert exported["changes"][0]["subject"] == {
        "kind": "policy",
        "id": "Redmond",
        "display": "Redmond",
    }
    p01 = next(f for f in exported["findings"] if f["code"] == "SC-P01")
    assert p01["severity"] == "FIX"
    assert p01["changes"] == ["scp.create"]
    assert p01["subject"]["kind"] == "policy"


def test_json_export_keeps_the_admins_order_and_the_extension_dialing_users():
    """Issue 7, fixes 8 and 13: the desired state as the admin gave it."""
    snapshot = base_snapshot({})
    wanted = (SPARE[3], SPARE[2])
    desired = DesiredState(
        RA_ID,
        "Redmond",
        (),
        emergency_numbers=wanted,
        extension_dialing_user_ids=frozenset({UserId("00000000-0000-4000-9000-000000000002")}),
    )
    exported = json.loads(json.dumps(plan_to_json(plan(desired, snapshot))))
    assert exported["desired"]["emergency_numbers"] == list(wanted)
    assert exported["desired"]["extension_dialing_user_ids"] == [
        "00000000-0000-4000-9000-000000000002"
    ]
    (create,) = exported["changes"]
    assert create["after"]["emergency_numbers"] == list(wanted)


async def test_caller_id_json_names_outcome_numbers_callbacks_emergency_and_codes():
    result = await answer_caller_id("AdeleV@contoso.example", tenant=EmulatedTenantGateway.seeded())
    assert isinstance(result, Answered)
    exported = json.loads(json.dumps(caller_id_to_json(result)))
    assert exported["format"] == CALLER_ID_FORMAT
    assert exported["version"] == CALLER_ID_FORMAT_VERSION
    assert exported["user"]["user_principal_name"] == "AdeleV@contoso.example"
    assert exported["outcome"] == "SHARED"
    assert exported["certain"] is True
    assert exported["outbound_number"] == "+14255550100"
    assert exported["callbacks"] == "auto_attendant"
    assert exported["emergency"] == {
        "kind": "callback_pool",
        "numbers": ["+14255550191", "+14255550192"],
        "hold_minutes": 60,
        "rule_codes": [],
    }
    assert exported["rule_codes"] == []
    assert exported["shared"]["policy"] == "Seattle"
    assert exported["text"] == (
        "Adele Vance calls out as +1 425-555-0100, the shared number of Contoso Main Line "
        "(Shared Calling policy Seattle)."
    )


def test_a_group_assignment_is_in_the_exported_desired_state() -> None:
    group = GroupAssignment(SEATTLE_FLOOR_2, 2)
    desired = DesiredState(RA_ID, "Redmond", group_assignment=group)
    exported = plan_to_json(plan(desired, base_snapshot({})))
    assert exported["desired"]["group_assignment"] == {"group_id": SEATTLE_FLOOR_2, "rank": 2}
