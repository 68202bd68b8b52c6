"""Tenant files: the seed format, read strictly and written deterministically (docs/demo-tenant.md).

A tenant file holds every object of one tenant as the emulated tenant stores it (`to_document`
output, one object per line), so an admin can plan on a what-if copy of a real tenant. Reading
refuses a bad file with one message that names the file, the item and the problem; nothing is
half-read, so the caller writes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Union

from sharedcalling.adapters.tenant.emulated_codec import (
    KINDS,
    from_document,
)
from sharedcalling.domain import names
from sharedcalling.domain.tenant import (
    AccountType,
    AppAssociation,
    CallingLineIdentityPolicy,
    PhoneNumber,
    SharedCallingPolicy,
    User,
)

FILE_FORMAT = 1
FILE_KINDS = tuple(name for name in KINDS if name != "tenant")
"""Kinds a file lists under `objects`, in this order; `tenant` facts are top-level fields."""
TOP_LEVEL = frozenset({"format", "tenant_id", "cloud", "domain", "generated_users", "objects"})
GENERATED = frozenset({"count", "licenses", "usage_location"})
E164 = re.compile(r"^\+[1-9][0-9]{1,14}(;ext=[0-9]{1,10})?$")
_LABEL_FIELDS = ("id", "telephone_number", "name", "sku_part_number", "configuration_id")


class TenantFileError(ValueError):
    """A tenant file that cannot be used: `item` and `problem` say where and why."""

    def __init__(self, source: str, item: str, problem: str) -> None:
        super().__init__(f"tenant file {source}: {item}: {problem}")
        self.source, self.item, self.problem = source, item, problem


@dataclass(frozen=True, slots=True)
class TenantDocument:
    """A checked tenant file: its tenant id, cloud and objects, and the parsed JSON."""

    tenant_id: str
    cloud: str
    objects: list[Any]
    raw: Mapping[str, Any]


def read_tenant_file(path: Path) -> tuple[TenantDocument, bytes]:
    """The checked document of a file, and its bytes (for the seed's identity)."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TenantFileError(source, "the file", f"cannot be read ({error.strerror})") from None
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TenantFileError(source, "the file", f"is not JSON ({error})") from None
    return parse_tenant_document(document, source), data


def parse_tenant_document(document: Any, source: str) -> TenantDocument:
    """Check a parsed tenant file and build its objects; TenantFileError names the first fault."""
    top = _top_level(document, source)
    objects: list[Any] = []
    for kind in top["objects"]:
        objects.extend(_objects_of(kind, top["objects"][kind], source))
    _check_duplicates(objects, source)
    _check_references(objects, source)
    return TenantDocument(
        str(top["tenant_id"]), str(top.get("cloud", "public")), objects, dict(top)
    )


def _top_level(document: Any, source: str) -> Mapping[str, Any]:
    if not isinstance(document, dict):
        raise TenantFileError(source, "the file", "is not a JSON object")
    unknown = sorted(set(document) - TOP_LEVEL)
    if unknown:
        raise TenantFileError(source, "the file", f'unknown field "{unknown[0]}"')
    if document.get("format") != FILE_FORMAT:
        problem = f"has format {document.get('format')!r}; this version reads format {FILE_FORMAT}"
        raise TenantFileError(source, "the file", problem)
    try:
        uuid.UUID(str(document.get("tenant_id")))
    except ValueError:
        raise TenantFileError(source, "tenant_id", "is not a GUID") from None
    if not isinstance(document.get("cloud", "public"), str):
        raise TenantFileError(source, "cloud", "is not a string")
    _check_generated(document, source)
    objects = document.get("objects")
    if not isinstance(objects, dict):
        raise TenantFileError(source, "objects", "is missing or not an object of kinds")
    unknown = sorted(set(objects) - set(FILE_KINDS))
    if unknown:
        raise TenantFileError(source, "objects", f'unknown kind "{unknown[0]}"')
    return document


def _check_generated(document: Mapping[str, Any], source: str) -> None:
    generated = document.get("generated_users")
    if generated is None:
        return
    if not isinstance(generated, dict) or set(generated) - GENERATED:
        raise TenantFileError(
            source, "generated_users", f"takes only {', '.join(sorted(GENERATED))}"
        )
    count = generated.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 100_000:
        raise TenantFileError(source, "generated_users", "count must be 0 to 100000")
    if not isinstance(document.get("domain"), str):
        raise TenantFileError(source, "domain", "is required with generated_users")


def _objects_of(kind: str, documents: Any, source: str) -> list[Any]:
    if not isinstance(documents, list):
        raise TenantFileError(source, f"objects.{kind}", "is not a list")
    cls = KINDS[kind].cls
    built = []
    for index, document in enumerate(documents, start=1):
        item = _label(kind, index, document)
        problem = _problem_of(cls, document)
        if problem is not None:
            raise TenantFileError(source, item, problem)
        obj = from_document(cls, document)
        problem = _number_problem(obj)
        if problem is not None:
            raise TenantFileError(source, item, problem)
        built.append(obj)
    return built


def _label(kind: str, index: int, document: Any) -> str:
    key = next(
        (document[f] for f in _LABEL_FIELDS if isinstance(document, dict) and f in document), None
    )
    return f"{kind} #{index} ({key})" if isinstance(key, str) else f"{kind} #{index}"


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    # Built once per class: get_type_hints evaluates every annotation string each call.
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _problem_of(cls: type[Any], document: Any) -> str | None:
    """Why `document` is not a valid `cls` document, or None."""
    if not isinstance(document, dict):
        return "is not a JSON object"
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(document) - set(fields))
    if unknown:
        return f'unknown field "{unknown[0]}"'
    hints = _hints(cls)
    for name, field in fields.items():
        required = field.default is dataclasses.MISSING and (
            field.default_factory is dataclasses.MISSING
        )
        if name not in document:
            if required:
                return f'missing field "{name}"'
            continue
        problem = _value_problem(hints[name], document[name])
        if problem is not None:
            return f'field "{name}": {problem}'
    return None


def _value_problem(hint: Any, value: Any) -> str | None:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value_problem(inner[0], value)
    if origin is tuple:
        if not isinstance(value, list):
            return "is not a list"
        item = typing.get_args(hint)[0]
        return next((p for v in value if (p := _value_problem(item, v)) is not None), None)
    if isinstance(hint, type) and issubclass(hint, Enum):
        allowed = [member.value for member in hint]
        return None if value in allowed else f"{value!r} is not one of {', '.join(allowed)}"
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _problem_of(hint, value)
    if hint is bool:
        return None if isinstance(value, bool) else "is not true or false"
    if hint is int:
        return (
            None if isinstance(value, int) and not isinstance(value, bool) else "not a whole number"
        )
    return None if isinstance(value, str) else "is not a string"


def _number_problem(obj: Any) -> str | None:
    if isinstance(obj, PhoneNumber) and not E164.match(obj.telephone_number):
        return f"{obj.telephone_number!r} is not an E.164 number (+<digits>[;ext=<digits>])"
    if isinstance(obj, SharedCallingPolicy):
        bad = [n for n in obj.emergency_numbers if not E164.match(n)]
        if bad:
            return f"emergency number {bad[0]!r} is not an E.164 number"
    return None


def _check_duplicates(objects: list[Any], source: str) -> None:
    seen: dict[tuple[str, str], int] = {}
    counters: dict[str, int] = {}
    for obj in objects:
        kind = _kind_of(obj)
        counters[kind] = counters.get(kind, 0) + 1
        keys = [(kind, KINDS[kind].key(obj))]
        if isinstance(obj, User):
            keys.append(("user principal name", names.fold(obj.user_principal_name)))
        for key in keys:
            if key in seen:
                item = f"{kind} #{counters[kind]} ({KINDS[kind].key(obj)})"
                problem = f"duplicate {key[0]} {key[1]} (first at #{seen[key]})"
                raise TenantFileError(source, item, problem)
            seen[key] = counters[kind]


def _kind_of(obj: Any) -> str:
    return next(name for name, kind in KINDS.items() if isinstance(obj, kind.cls))


def _check_references(objects: list[Any], source: str) -> None:
    """Policies and associations must name resource accounts the file holds."""
    accounts = {names.fold(o.id): o for o in objects if isinstance(o, User)}
    for kind, label, referrer in _referrers(objects):
        account_id = referrer.resource_account_id
        if account_id is None:
            continue
        account = accounts.get(names.fold(account_id))
        if account is None:
            problem = f"names resource account {account_id}, which is not in the file"
        elif account.account_type is not AccountType.RESOURCE_ACCOUNT:
            problem = f"names {account_id}, which is not a resource account"
        else:
            continue
        raise TenantFileError(source, f"{kind} ({label})", problem)


def _referrers(objects: Iterable[Any]) -> Iterable[tuple[str, str, Any]]:
    for obj in objects:
        if isinstance(obj, SharedCallingPolicy | CallingLineIdentityPolicy):
            yield _kind_of(obj), obj.name, obj
        elif isinstance(obj, AppAssociation):
            yield "association", obj.configuration_id, obj
