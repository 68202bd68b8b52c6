"""The PowerShell worker's JSON-lines protocol and its cmdlet allow-list, as data."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sharedcalling.services.ports import (
    TenantConflict,
    TenantError,
    TenantNotFound,
    TenantPermissionDenied,
    TenantThrottled,
    TenantUnavailable,
    TenantValidationError,
)

PING = "ping"
"""The health request: answered by the worker itself, never run as a cmdlet."""

MIN_MODULE_VERSION = (5, 5, 0)
"""The Shared Calling policy cmdlets need MicrosoftTeams 5.5.0 or later: see
https://learn.microsoft.com/microsoftteams/shared-calling-plan"""


class ParamKind(StrEnum):
    """How a parameter value travels as JSON and how the worker converts it (same names in .ps1)."""

    STRING = "string"
    NULLABLE_STRING = "nullable-string"
    """A string, or null to unassign (`-PolicyName $null`)."""
    BOOL = "bool"
    SWITCH = "switch"
    INT = "int"
    STRING_LIST = "string[]"
    LIST_MODIFIER = "list-modifier"
    """`{"add": [...], "remove": [...]}` of strings: a PSListModifier hashtable."""
    EMERGENCY_NUMBERS = "emergency-numbers"
    """`[{EmergencyDialString, EmergencyDialMask?, OnlinePSTNUsage?}, ...]`: the worker makes each
    entry with New-CsTeamsEmergencyNumber and passes the array itself. New-CsTeamsEmergencyCall
    RoutingPolicy, examples 1 and 2: `@{add=...}` appends to the numbers taken from the Global
    instance, the list itself overrides them, so the policy holds exactly these numbers."""


_S, _N, _B, _I = ParamKind.STRING, ParamKind.NULLABLE_STRING, ParamKind.BOOL, ParamKind.INT
_GRANT = {"Identity": _S, "Group": _S, "PolicyName": _N, "Rank": _I}

ALLOWED_CMDLETS: Mapping[str, Mapping[str, ParamKind]] = {
    "Get-CsOnlineUser": {"Identity": _S, "AccountType": _S, "ResultSize": _I},
    "Get-CsPhoneNumberAssignment": {
        "TelephoneNumber": _S,
        "AssignedPstnTargetId": _S,
        "Top": _I,
        "Skip": _I,
    },
    "Set-CsPhoneNumberAssignment": {
        "Identity": _S,
        "EnterpriseVoiceEnabled": _B,
        "PhoneNumber": _S,
        "LocationId": _S,
    },
    "Grant-CsOnlineVoiceRoutingPolicy": _GRANT,
    "Grant-CsTeamsEmergencyCallRoutingPolicy": _GRANT,
    "Grant-CsTeamsSharedCallingRoutingPolicy": _GRANT,
    "Grant-CsCallingLineIdentity": _GRANT,
    "Get-CsOnlineVoiceRoutingPolicy": {"Identity": _S},
    "New-CsOnlineVoiceRoutingPolicy": {
        "Identity": _S,
        "OnlinePstnUsages": ParamKind.STRING_LIST,
        "Description": _S,
    },
    "Get-CsTeamsEmergencyCallRoutingPolicy": {"Identity": _S},
    "New-CsTeamsEmergencyCallRoutingPolicy": {
        "Identity": _S,
        "EmergencyNumbers": ParamKind.EMERGENCY_NUMBERS,
        "AllowEnhancedEmergencyServices": _B,
        "Description": _S,
    },
    "Get-CsCallingLineIdentity": {"Identity": _S},
    "New-CsCallingLineIdentity": {
        "Identity": _S,
        "CallingIDSubstitute": _S,
        "ResourceAccount": _S,
        "EnableUserOverride": _B,
        "CompanyName": _S,
        "Description": _S,
    },
    "Get-CsTeamsSharedCallingRoutingPolicy": {"Identity": _S},
    "New-CsTeamsSharedCallingRoutingPolicy": {
        "Identity": _S,
        "ResourceAccount": _S,
        "EmergencyNumbers": ParamKind.LIST_MODIFIER,
        "Description": _S,
    },
    "Set-CsTeamsSharedCallingRoutingPolicy": {
        "Identity": _S,
        "EmergencyNumbers": ParamKind.LIST_MODIFIER,
        "Description": _S,
    },
    "Get-CsGroupPolicyAssignment": {"PolicyType": _S, "GroupId": _S},
    "Get-CsOnlineApplicationInstanceAssociation": {"Identity": _S},
    "Get-CsAutoAttendant": {"Identity": _S},
    "Get-CsCallQueue": {"Identity": _S},
    "Get-CsOnlineLisLocation": {"LocationId": _S},
}
"""Every cmdlet the worker may run, with the parameters it may receive and their kinds.
The worker script holds the same table; a test keeps the two equal."""

REQUIRED_PARAMETERS: Mapping[str, tuple[str, ...]] = {
    # Required in the cmdlet's parameter table (-ResourceAccount: "Required: True"), although
    # the syntax block shows it in brackets.
    "New-CsTeamsSharedCallingRoutingPolicy": ("Identity", "ResourceAccount"),
    # Without -EmergencyNumbers a new policy takes the Global instance's numbers.
    "New-CsTeamsEmergencyCallRoutingPolicy": ("Identity", "EmergencyNumbers"),
    "New-CsOnlineVoiceRoutingPolicy": ("Identity",),
    "New-CsCallingLineIdentity": ("Identity",),
    "Set-CsTeamsSharedCallingRoutingPolicy": ("Identity",),
}
"""Parameters a request must carry with a non-blank value (an empty list counts as blank).
The worker script holds the same table as $RequiredParameters; a test keeps the two equal."""

EMERGENCY_NUMBER_FIELDS = frozenset({"EmergencyDialString", "EmergencyDialMask", "OnlinePSTNUsage"})
LIST_MODIFIER_KEYS = frozenset({"add", "remove"})


class ProtocolViolation(TenantValidationError):
    """A request the allow-list refuses (unknown cmdlet, parameter or value type); never sent."""


@dataclass(frozen=True, slots=True)
class WorkerFailure:
    """The `error` object of a failed response."""

    type: str
    message: str
    category: str = ""
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class Response:
    id: str
    ok: bool
    result: Any = None
    error: WorkerFailure | None = None


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_list_modifier(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) <= LIST_MODIFIER_KEYS
        and all(_is_str_list(v) for v in value.values())
    )


def _is_emergency_number(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("EmergencyDialString"), str)
        and set(value) <= EMERGENCY_NUMBER_FIELDS
        and all(v is None or isinstance(v, str) for v in value.values())
    )


def _is_emergency_numbers(value: Any) -> bool:
    return isinstance(value, list) and all(_is_emergency_number(v) for v in value)


_CHECKS = {
    ParamKind.STRING: lambda v: isinstance(v, str),
    ParamKind.NULLABLE_STRING: lambda v: v is None or isinstance(v, str),
    ParamKind.BOOL: lambda v: isinstance(v, bool),
    ParamKind.SWITCH: lambda v: isinstance(v, bool),
    ParamKind.INT: lambda v: isinstance(v, int) and not isinstance(v, bool),
    ParamKind.STRING_LIST: _is_str_list,
    ParamKind.LIST_MODIFIER: _is_list_modifier,
    ParamKind.EMERGENCY_NUMBERS: _is_emergency_numbers,
}


def _blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | dict) and not value)


def check_request(cmdlet: str, parameters: Mapping[str, Any]) -> None:
    """Refuse anything the allow-list does not name, with exact (case-sensitive) names and
    values of the declared kind, and any request missing a required parameter. Raises
    ProtocolViolation."""
    allowed = ALLOWED_CMDLETS.get(cmdlet)
    if allowed is None:
        raise ProtocolViolation(f"cmdlet {cmdlet!r} is not allowed", operation=cmdlet[:80])
    for name in REQUIRED_PARAMETERS.get(cmdlet, ()):
        if _blank(parameters.get(name)):
            raise ProtocolViolation(f"{cmdlet} needs a value for -{name}", operation=cmdlet)
    for name, value in parameters.items():
        kind = allowed.get(name)
        if kind is None:
            raise ProtocolViolation(
                f"parameter {name!r} is not allowed for {cmdlet}", operation=cmdlet
            )
        if not _CHECKS[kind](value):
            raise ProtocolViolation(
                f"parameter {name} of {cmdlet} must be {kind.value}", operation=cmdlet
            )


def encode_request(request_id: str, cmdlet: str, parameters: Mapping[str, Any]) -> bytes:
    """One request line; JSON escaping keeps newlines and quotes inside the value."""
    body = {"id": request_id, "cmdlet": cmdlet, "parameters": dict(parameters)}
    return (json.dumps(body, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def _failure(raw: Any) -> WorkerFailure:
    if not isinstance(raw, dict):
        return WorkerFailure("UnknownError", "the worker reported an unreadable error")
    retry = raw.get("retryAfter")
    return WorkerFailure(
        type=str(raw.get("type") or "UnknownError"),
        message=str(raw.get("message") or ""),
        category=str(raw.get("category") or ""),
        retry_after=float(retry)
        if isinstance(retry, int | float) and not isinstance(retry, bool) and math.isfinite(retry)
        else None,
    )


def parse_line(line: bytes) -> dict[str, Any] | None:
    """A JSON object from one output line, or None for anything else (banners, garbage)."""
    try:
        value = json.loads(line.decode("utf-8", errors="replace"))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def parse_response(message: Mapping[str, Any]) -> Response | None:
    """A response from a parsed line, or None when it is not one (no string id, no `ok`)."""
    request_id = message.get("id")
    ok = message.get("ok")
    if not isinstance(request_id, str) or not isinstance(ok, bool):
        return None
    if ok:
        return Response(request_id, True, result=message.get("result"))
    return Response(request_id, False, error=_failure(message.get("error")))


def parse_version(text: str) -> tuple[int, ...]:
    """`5.5.0`, `6.1.1-preview` -> (5, 5, 0), (6, 1, 1); unparsable parts count as 0."""
    parts = re.split(r"[.\-+]", text.strip())[:3]
    return tuple(int(p) if p.isdigit() else 0 for p in parts)


_RETRY_AFTER = re.compile(r"retry-?after\D{0,3}(\d+(?:\.\d+)?)", re.IGNORECASE)
_CATEGORY_ERRORS: Mapping[str, type[TenantError]] = {
    "ObjectNotFound": TenantNotFound,
    "PermissionDenied": TenantPermissionDenied,
    "SecurityError": TenantPermissionDenied,
    "AuthenticationError": TenantPermissionDenied,
    "ResourceExists": TenantConflict,
    "ResourceBusy": TenantConflict,
    "InvalidArgument": TenantValidationError,
    "InvalidData": TenantValidationError,
    "InvalidType": TenantValidationError,
    "LimitsExceeded": TenantThrottled,
    "QuotaExceeded": TenantThrottled,
    "OperationTimeout": TenantUnavailable,
    "ConnectionError": TenantUnavailable,
    "ProtocolError": ProtocolViolation,
}
# The Teams cmdlets often report service errors under a generic category (NotSpecified,
# InvalidOperation) with the HTTP status in the message, so the message is the fallback signal.
_MESSAGE_ERRORS: tuple[tuple[re.Pattern[str], type[TenantError]], ...] = (
    (re.compile(r"\b429\b|too many requests|throttl", re.I), TenantThrottled),
    (re.compile(r"\b403\b|forbidden|access denied|unauthori[sz]ed|\b401\b", re.I),
     TenantPermissionDenied),
    (re.compile(r"\b404\b|not found|does not exist|cannot find|couldn't find", re.I),
     TenantNotFound),
    (re.compile(r"\b409\b|already exists|conflict|already assigned", re.I), TenantConflict),
)  # fmt: skip


def error_class(failure: WorkerFailure) -> type[TenantError]:
    """The port error for a worker failure: by specific category, by message, else validation."""
    by_category = _CATEGORY_ERRORS.get(failure.category)
    if by_category is not None:
        return by_category
    for pattern, cls in _MESSAGE_ERRORS:
        if pattern.search(failure.message):
            return cls
    return TenantValidationError


def to_tenant_error(failure: WorkerFailure, *, operation: str) -> TenantError:
    """Map a worker failure onto the port's error types (message kept, never parameters)."""
    cls = error_class(failure)
    message = f"{operation} failed: {failure.message or failure.type}"
    if cls is TenantThrottled:
        retry = failure.retry_after
        if retry is None:
            match = _RETRY_AFTER.search(failure.message)
            retry = float(match.group(1)) if match else None
        return TenantThrottled(message, retry_after=retry, operation=operation)
    return cls(message, operation=operation)
