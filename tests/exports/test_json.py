import json

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.planning import plan
from sharedcalling.services.exports import PLAN_FORMAT, PLAN_FORMAT_VERSION, plan_to_json
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
