"""DesiredState and Change to JSON and back, for what the bot stores: requests and apply jobs.

Unlike `as_fact()` (the fingerprint's view, without display strings), these keep everything a
change needs to be carried out and shown again after a restart. `*_from_json` raises ValueError
for a document it did not write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, assert_never

from sharedcalling.domain.desired import DesiredState, GroupAssignment
from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.planning.changes import (
    Change,
    CreateEmergencyCallRoutingPolicy,
    CreateSharedCallingPolicy,
    CreateVoiceRoutingPolicy,
    DisableVoice,
    EnableVoice,
    GrantGroupPolicy,
    GrantPolicy,
    JsonValue,
    SetNumberLocation,
    UpdateEmergencyNumbers,
)
from sharedcalling.domain.rules.model import ChangeKind, Subject, SubjectKind
from sharedcalling.domain.tenant import (
    EmergencyCallRoutingPolicy,
    EmergencyNumber,
    PolicyType,
    SharedCallingPolicy,
    VoiceRoutingPolicy,
)

DESIRED_FORMAT_VERSION = 1
CHANGE_FORMAT_VERSION = 1


def desired_to_json(desired: DesiredState) -> dict[str, JsonValue]:
    group = desired.group_assignment
    return {
        "v": DESIRED_FORMAT_VERSION,
        "resource_account_id": desired.resource_account_id,
        "policy_name": desired.policy_name,
        "user_ids": list(desired.user_ids),
        "emergency_numbers": (
            None if desired.emergency_numbers is None else list(desired.emergency_numbers)
        ),
        "extension_dialing_user_ids": [str(u) for u in sorted(desired.extension_dialing_user_ids)],
        "ra_voice_routing_policy": desired.ra_voice_routing_policy,
        "emergency_location_id": desired.emergency_location_id,
        "number_countries": dict(sorted(desired.number_countries.items())),
        "group_assignment": (
            None if group is None else {"group_id": group.group_id, "rank": group.rank}
        ),
    }


def desired_from_json(data: Mapping[str, Any]) -> DesiredState:
    try:
        _version(data, DESIRED_FORMAT_VERSION)
        numbers = data["emergency_numbers"]
        group = data.get("group_assignment")
        return DesiredState(
            resource_account_id=UserId(_text(data["resource_account_id"])),
            policy_name=_text(data["policy_name"]),
            user_ids=tuple(UserId(_text(u)) for u in data["user_ids"]),
            emergency_numbers=None if numbers is None else tuple(_text(n) for n in numbers),
            extension_dialing_user_ids=frozenset(
                UserId(_text(u)) for u in data["extension_dialing_user_ids"]
            ),
            ra_voice_routing_policy=_optional_text(data.get("ra_voice_routing_policy")),
            emergency_location_id=_optional_text(data.get("emergency_location_id")),
            number_countries={_text(k): _text(v) for k, v in data["number_countries"].items()},
            group_assignment=(
                None
                if group is None
                else GroupAssignment(GroupId(_text(group["group_id"])), int(group["rank"]))
            ),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"not a stored desired state: {error!r}") from error


def _version(data: Mapping[str, Any], expected: int) -> None:
    if data.get("v") != expected:
        raise ValueError(f"unsupported format version {data.get('v')!r} (expected {expected})")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _subject(subject: Subject) -> dict[str, JsonValue]:
    return {"kind": subject.kind.value, "id": subject.id, "display": subject.display}


def _subject_from(data: Mapping[str, Any]) -> Subject:
    return Subject(SubjectKind(data["kind"]), _text(data["id"]), _text(data["display"]))


def change_to_json(change: Change) -> dict[str, JsonValue]:
    """Every field of the change, with the format version and the change kind."""
    body: dict[str, JsonValue] = {"v": CHANGE_FORMAT_VERSION, "kind": change.kind.value}
    match change:
        case EnableVoice() | DisableVoice():
            body["subject"] = _subject(change.subject)
        case SetNumberLocation():
            body.update(
                subject=_subject(change.subject),
                number=change.telephone_number,
                before=change.before,
                location_id=change.location_id,
            )
        case GrantPolicy():
            body.update(
                subject=_subject(change.subject),
                policy_type=change.policy_type.value,
                before=change.before,
                policy_name=change.policy_name,
            )
        case GrantGroupPolicy():
            body.update(
                subject=_subject(change.subject),
                policy_type=change.policy_type.value,
                policy_name=change.policy_name,
                rank=change.rank,
                before=change.before,
            )
        case CreateVoiceRoutingPolicy():
            policy = change.policy
            body["policy"] = {
                "name": policy.name,
                "pstn_usages": list(policy.pstn_usages),
                "description": policy.description,
            }
        case CreateEmergencyCallRoutingPolicy():
            body["policy"] = _ecrp(change.policy)
        case CreateSharedCallingPolicy():
            body["policy"] = _scp(change.policy)
            body["resource_account"] = _subject(change.resource_account)
        case UpdateEmergencyNumbers():
            body.update(
                policy_name=change.policy_name,
                numbers=list(change.numbers),
                before=list(change.before),
                after=list(change.after),
            )
        case _:
            assert_never(change)
    return body


def _ecrp(policy: EmergencyCallRoutingPolicy) -> dict[str, JsonValue]:
    numbers: list[JsonValue] = [
        {"dial_string": n.dial_string, "dial_mask": n.dial_mask, "pstn_usage": n.pstn_usage}
        for n in policy.emergency_numbers
    ]
    return {
        "name": policy.name,
        "emergency_numbers": numbers,
        "enhanced_emergency_services": policy.enhanced_emergency_services,
        "description": policy.description,
    }


def _scp(policy: SharedCallingPolicy) -> dict[str, JsonValue]:
    return {
        "name": policy.name,
        "resource_account_id": policy.resource_account_id,
        "emergency_numbers": list(policy.emergency_numbers),
        "description": policy.description,
    }


def change_from_json(data: Mapping[str, Any]) -> Change:
    """The change `change_to_json` wrote; ValueError for anything else."""
    try:
        _version(data, CHANGE_FORMAT_VERSION)
        kind = ChangeKind(data["kind"])
        return _READERS[kind](kind, data)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"not a stored change: {error!r}") from error


def _enable_voice(_kind: ChangeKind, data: Mapping[str, Any]) -> Change:
    return EnableVoice(_subject_from(data["subject"]))


def _disable_voice(_kind: ChangeKind, data: Mapping[str, Any]) -> Change:
    return DisableVoice(_subject_from(data["subject"]))


def _set_location(_kind: ChangeKind, data: Mapping[str, Any]) -> Change:
    return SetNumberLocation(
        _subject_from(data["subject"]),
        _text(data["number"]),
        _optional_text(data["before"]),
        _text(data["location_id"]),
    )


def _grant(kind: ChangeKind, data: Mapping[str, Any]) -> Change:
    return GrantPolicy(
        kind,
        _subject_from(data["subject"]),
        PolicyType(data["policy_type"]),
        _text(data["before"]),
        _optional_text(data["policy_name"]),
    )


def _grant_group(_kind: ChangeKind, data: Mapping[str, Any]) -> Change:
    return GrantGroupPolicy(
        _subject_from(data["subject"]),
        PolicyType(data["policy_type"]),
        _text(data["policy_name"]),
        int(data["rank"]),
        _optional_text(data["before"]),
    )


def _create_vrp(_kind: ChangeKind, data: Mapping[str, Any]) -> Change:
    policy = data["policy"]
    return CreateVoiceRoutingPolicy(
        VoiceRoutingPolicy(
            _text(policy["name"]),
            tuple(_text(u) for u in policy["pstn_usages"]),
            _text(policy["description"]),
        )
    )


def _create_ecrp(_kind: ChangeKind, data: Mapping[str, Any]) -> Change:
    policy = data["policy"]
    numbers = tuple(
        EmergencyNumber(
            _text(n["dial_string"]),
            _optional_text(n["dial_mask"]),
            _optional_text(n["pstn_usage"]),
        )
        for n in policy["emergency_numbers"]
    )
    return CreateEmergencyCallRoutingPolicy(
        EmergencyCallRoutingPolicy(
            _text(policy["name"]),
            numbers,
            bool(policy["enhanced_emergency_services"]),
            _text(policy["description"]),
        )
    )


def _create_scp(_kind: ChangeKind, data: Mapping[str, Any]) -> Change:
    policy = data["policy"]
    ra = _optional_text(policy["resource_account_id"])
    return CreateSharedCallingPolicy(
        SharedCallingPolicy(
            _text(policy["name"]),
            UserId(ra) if ra is not None else None,
            tuple(_text(n) for n in policy["emergency_numbers"]),
            _text(policy["description"]),
        ),
        _subject_from(data["resource_account"]),
    )


def _update_numbers(kind: ChangeKind, data: Mapping[str, Any]) -> Change:
    return UpdateEmergencyNumbers(
        kind,
        _text(data["policy_name"]),
        tuple(_text(n) for n in data["numbers"]),
        tuple(_text(n) for n in data["before"]),
        tuple(_text(n) for n in data["after"]),
    )


_READERS = {
    ChangeKind.ENABLE_VOICE: _enable_voice,
    ChangeKind.DISABLE_VOICE: _disable_voice,
    ChangeKind.RA_SET_LOCATION: _set_location,
    ChangeKind.RA_GRANT_VRP: _grant,
    ChangeKind.VRP_CREATE_EMPTY: _create_vrp,
    ChangeKind.USER_GRANT_VRP: _grant,
    ChangeKind.ECRP_CREATE: _create_ecrp,
    ChangeKind.USER_GRANT_ECRP: _grant,
    ChangeKind.SCP_CREATE: _create_scp,
    ChangeKind.SCP_REMOVE_NUMBERS: _update_numbers,
    ChangeKind.SCP_ADD_NUMBERS: _update_numbers,
    ChangeKind.SCP_GRANT_USER: _grant,
    ChangeKind.SCP_GRANT_GROUP: _grant_group,
}
