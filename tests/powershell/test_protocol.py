from __future__ import annotations

import json

import pytest

from sharedcalling.adapters.tenant import powershell_parsing as parse
from sharedcalling.adapters.tenant.powershell_protocol import (
    encode_request,
    parse_line,
    parse_response,
    parse_version,
)
from sharedcalling.domain.ids import UserId


def test_a_request_line_is_one_line_of_json_whatever_the_values() -> None:
    line = encode_request("7", "Get-CsOnlineUser", {"Identity": "a\nb'\"`$(x)"})
    assert line.count(b"\n") == 1
    assert json.loads(line)["parameters"]["Identity"] == "a\nb'\"`$(x)"


@pytest.mark.parametrize(
    "line", [b"WARNING: something", b"[1, 2]", b'{"id": 7, "ok": true}', b'{"id": "1"}', b"\xff"]
)
def test_lines_that_are_not_responses_are_recognised(line: bytes) -> None:
    message = parse_line(line)
    assert message is None or parse_response(message) is None


def test_a_failure_without_details_still_parses() -> None:
    response = parse_response({"id": "1", "ok": False, "error": "boom"})
    assert response is not None
    assert response.error is not None
    assert response.error.type == "UnknownError"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5.5.0", (5, 5, 0)), ("6.1.1-preview", (6, 1, 1)), ("7.0", (7, 0)), ("x", (0,))],
)
def test_module_versions_compare_as_numbers(text: str, expected: tuple[int, ...]) -> None:
    assert parse_version(text) == expected
    assert parse_version("5.10.0") > parse_version("5.5.0")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["+14255550191", "+14255550192"], ("+14255550191", "+14255550192")),
        ("+14255550191 +14255550192", ("+14255550191", "+14255550192")),
        ("+14255550191,+14255550192", ("+14255550191", "+14255550192")),
        (None, ()),
        ("", ()),
    ],
)
def test_emergency_numbers_parse_as_a_list_or_a_string(
    value: object, expected: tuple[str, ...]
) -> None:
    assert parse.string_list(value) == expected


def test_policy_identities_lose_their_tag_prefix_and_global_stays() -> None:
    assert parse.tagless("Tag:Seattle") == "Seattle"
    assert parse.tagless("tag:Seattle") == "Seattle"
    assert parse.tagless("Global") == "Global"


def test_a_resource_account_upn_resolves_to_its_object_id() -> None:
    ra = UserId("00000000-0000-4000-8000-000000000051")
    accounts = {"ra-mainline@contoso.example": ra, ra: ra}
    assert parse.account_id("RA-Mainline@contoso.example", accounts) == ra
    assert parse.account_id("00000000-0000-4000-8000-000000000051", accounts) == ra
    assert parse.account_id(None, accounts) is None


def test_group_assignments_of_unknown_policy_types_are_skipped() -> None:
    assert parse.group_assignment({"PolicyType": "TeamsMeetingPolicy", "GroupId": "g"}) is None
    # The documented row: GroupId, PolicyType, PolicyName, Rank, CreatedTime, CreatedBy.
    row = parse.group_assignment(
        {"GroupId": "G", "PolicyType": "TeamsSharedCallingRoutingPolicy", "PolicyName": "Tag:S",
         "Rank": 2, "CreatedTime": "11/4/2019 12:54:27 AM", "CreatedBy": "aeb7c0e7"}
    )  # fmt: skip
    assert row is not None
    assert (row.group_id, row.policy_name, row.rank) == ("g", "S", 2)
