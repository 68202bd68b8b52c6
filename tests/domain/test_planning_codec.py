from __future__ import annotations

import json
import typing

import pytest

from sharedcalling.domain.desired import DesiredState, GroupAssignment
from sharedcalling.domain.ids import GroupId, UserId
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
    SetNumberLocation,
    UpdateEmergencyNumbers,
)
from sharedcalling.domain.planning.codec import (
    change_from_json,
    change_to_json,
    desired_from_json,
    desired_to_json,
)
from sharedcalling.domain.rules import Subject, SubjectKind
from sharedcalling.domain.tenant import (
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    PolicyType,
    SharedCallingPolicy,
    VoiceRoutingPolicy,
)

USER = Subject(SubjectKind.USER, "u1", "Diego Siciliani (DiegoS@example.test) \u2013 \u00e9")
RA = Subject(SubjectKind.RESOURCE_ACCOUNT, "ra1", "Main Line")
GROUP = Subject(SubjectKind.GROUP, "g1", "Floor 2")

CHANGES: list[Change] = [
    EnableVoice(USER),
    DisableVoice(USER),
    SetNumberLocation(RA, "+14255550100", None, "loc-1"),
    GrantPolicy(ChangeKind.RA_GRANT_VRP, RA, PolicyType.VOICE_ROUTING, "Global", "DR-PSTN"),
    GrantPolicy(ChangeKind.USER_GRANT_VRP, USER, PolicyType.VOICE_ROUTING, "Global", "NoPstn"),
    GrantPolicy(ChangeKind.USER_GRANT_ECRP, USER, PolicyType.EMERGENCY_CALL_ROUTING, "Global", "E"),
    GrantPolicy(ChangeKind.SCP_GRANT_USER, USER, PolicyType.SHARED_CALLING, "Global", "S"),
    GrantPolicy(ChangeKind.SCP_GRANT_USER, USER, PolicyType.SHARED_CALLING, "S (direct)", None),
    GrantGroupPolicy(GROUP, PolicyType.SHARED_CALLING, "Seattle", 2, "HelpDesk"),
    CreateVoiceRoutingPolicy(VoiceRoutingPolicy("SC-NoPstn", (), "no usages")),
    CreateEmergencyCallRoutingPolicy(
        EmergencyCallRoutingPolicy(
            "SC-Emergency-US", (EmergencyNumber("911", "933", None),), True, "d"
        )
    ),
    CreateSharedCallingPolicy(
        SharedCallingPolicy("New", UserId("ra1"), ("+14255550194", "+14255550193"), "d"), RA
    ),
    UpdateEmergencyNumbers(
        ChangeKind.SCP_ADD_NUMBERS, "Seattle", ("+1b",), ("+1a",), ("+1a", "+1b")
    ),
    UpdateEmergencyNumbers(ChangeKind.SCP_REMOVE_NUMBERS, "Seattle", ("+1a",), ("+1a",), ()),
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.kind.value for c in CHANGES])
def test_every_change_survives_a_trip_through_stored_json(change: Change) -> None:
    stored = json.loads(json.dumps(change_to_json(change)))
    assert change_from_json(stored) == change


def test_every_change_kind_and_variant_is_covered() -> None:
    assert {c.kind for c in CHANGES} == set(ChangeKind)
    assert {type(c) for c in CHANGES} == set(typing.get_args(Change))


@pytest.mark.parametrize(
    "bad",
    [{}, {"v": 2, "kind": "user.enable_voice"}, {"v": 1, "kind": "nope"},
     {"v": 1, "kind": "user.enable_voice", "subject": {"kind": "user", "id": 3}}],
)  # fmt: skip
def test_a_document_it_did_not_write_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"not a stored change|unsupported|is not a valid"):
        change_from_json(bad)


def test_a_desired_state_survives_stored_json_with_order_and_group() -> None:
    desired = DesiredState(
        resource_account_id=UserId("ra1"),
        policy_name="Seattle",
        user_ids=(UserId("u2"), UserId("u1")),
        emergency_numbers=("+14255550194", "+14255550193"),
        extension_dialing_user_ids=frozenset({UserId("u1")}),
        ra_voice_routing_policy="DR-PSTN",
        emergency_location_id="loc",
        number_countries={"+4930231251": "DE"},
        group_assignment=GroupAssignment(GroupId("g1"), 3),
    )
    stored = json.loads(json.dumps(desired_to_json(desired)))
    assert desired_from_json(stored) == desired
    plain = DesiredState(UserId("ra1"), "P")
    assert desired_from_json(json.loads(json.dumps(desired_to_json(plain)))) == plain
    with pytest.raises(ValueError, match="version"):
        desired_from_json({**stored, "v": 9})
