"""JSON documents for the emulated tenant's objects, stored through the TenantStateStore port."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar, Union

from sharedcalling.domain import names
from sharedcalling.domain.tenant import (
    AppAssociation,
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
    EmergencyLocation,
    Group,
    GroupPolicyAssignment,
    NetworkSite,
    PhoneNumber,
    SharedCallingPolicy,
    SubscribedSku,
    User,
    VoiceRoutingPolicy,
)
from sharedcalling.services.ports import StoredObject

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TenantInfo:
    """Tenant-wide facts of the emulated tenant: its cloud, and which seed it came from."""

    cloud: str = "public"
    seed: str = ""
    """The seed's identity: a shipped seed's name, or `sha256:<hex>` of a tenant file."""


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of stored object: its name, its class and how its key is derived."""

    name: str
    cls: type[Any]
    key: Callable[[Any], str]


def _policy_key(policy: Any) -> str:
    # Teams policy identities are case-insensitive: `Tag:Seattle` and `tag:seattle` are one.
    return names.policy_key(str(policy.name))


KINDS: Mapping[str, Kind] = types.MappingProxyType(
    {
        k.name: k
        for k in (
            Kind("user", User, lambda u: names.fold(u.id)),
            Kind("number", PhoneNumber, lambda n: n.telephone_number),
            Kind("group", Group, lambda g: names.fold(g.id)),
            Kind(
                "group_assignment",
                GroupPolicyAssignment,
                lambda a: f"{a.policy_type.value}|{names.fold(a.group_id)}",
            ),
            Kind("shared_calling_policy", SharedCallingPolicy, _policy_key),
            Kind("voice_routing_policy", VoiceRoutingPolicy, _policy_key),
            Kind("emergency_call_routing_policy", EmergencyCallRoutingPolicy, _policy_key),
            Kind("calling_line_identity_policy", CallingLineIdentityPolicy, _policy_key),
            Kind(
                "association",
                AppAssociation,
                lambda a: f"{names.fold(a.resource_account_id)}|{names.fold(a.configuration_id)}",
            ),
            Kind("subscribed_sku", SubscribedSku, lambda s: s.sku_part_number),
            Kind("network_site", NetworkSite, lambda s: names.fold(s.name)),
            Kind("location", EmergencyLocation, lambda loc: names.fold(loc.id)),
            Kind("tenant", TenantInfo, lambda _info: "tenant"),
        )
    }
)
KIND_OF_CLASS: Mapping[type[Any], Kind] = types.MappingProxyType({k.cls: k for k in KINDS.values()})


Convert = Callable[[Any], Any]


def to_document(obj: Any) -> dict[str, Any]:
    """A dataclass as a JSON-ready dict; fields equal to their default are left out."""
    document: dict[str, Any] = {}
    for name, default, write in _writers(type(obj)):
        value = getattr(obj, name)
        if value != default:
            document[name] = write(value)
    return document


def from_document(cls: type[T], document: Mapping[str, Any]) -> T:
    """Rebuild a dataclass from `to_document` output; missing fields take their defaults."""
    readers = _readers(cls)
    return cls(**{k: readers[k](v) for k, v in document.items() if k in readers})


# Converters are built once per class from its type hints: the seed has over 1,000 accounts, and
# a reopen converts every one of them.
_WRITERS: dict[type[Any], list[tuple[str, Any, Convert]]] = {}
_READERS: dict[type[Any], dict[str, Convert]] = {}
_NO_DEFAULT = object()


def _writers(cls: type[Any]) -> list[tuple[str, Any, Convert]]:
    if cls not in _WRITERS:
        hints = typing.get_type_hints(cls)
        _WRITERS[cls] = [
            (f.name, _NO_DEFAULT if f.default is dataclasses.MISSING else f.default,
             _converter(hints[f.name], reading=False))
            for f in dataclasses.fields(cls)
        ]  # fmt: skip
    return _WRITERS[cls]


def _readers(cls: type[Any]) -> dict[str, Convert]:
    if cls not in _READERS:
        hints = typing.get_type_hints(cls)
        _READERS[cls] = {
            f.name: _converter(hints[f.name], reading=True) for f in dataclasses.fields(cls)
        }
    return _READERS[cls]


def _identity(value: Any) -> Any:
    return value


def _converter(hint: Any, *, reading: bool) -> Convert:
    """How to turn a field of type `hint` into JSON (or back, when `reading`)."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        convert = _converter(inner[0], reading=reading)
        return lambda v: None if v is None else convert(v)
    if origin is tuple:
        item = _converter(typing.get_args(hint)[0], reading=reading)
        return (lambda v: tuple(map(item, v))) if reading else (lambda v: list(map(item, v)))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint if reading else (lambda v: v.value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        dataclass_type: type[Any] = hint
        return (lambda v: from_document(dataclass_type, v)) if reading else to_document
    return _identity


def to_stored(obj: Any) -> StoredObject:
    """The stored form of one tenant object."""
    kind = KIND_OF_CLASS[type(obj)]
    return StoredObject(kind.name, kind.key(obj), to_document(obj))


def from_stored(stored: StoredObject) -> Any:
    """The tenant object of a stored document; unknown kinds raise KeyError."""
    return from_document(KINDS[stored.kind].cls, stored.document)
