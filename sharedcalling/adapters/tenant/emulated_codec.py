"""JSON documents for the emulated tenant's objects, stored through the TenantStateStore port."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar, Union

from sharedcalling.domain.tenant import (
    AppAssociation,
    CallingLineIdentityPolicy,
    EmergencyCallRoutingPolicy,
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
class EmergencyLocation:
    """A civic address with its location id (`Get-CsOnlineLisLocation`); emulated tenant only."""

    id: str
    description: str
    country_or_region: str


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of stored object: its name, its class and how its key is derived."""

    name: str
    cls: type[Any]
    key: Callable[[Any], str]


def _policy_key(policy: Any) -> str:
    # Teams policy identities are case-insensitive: `Tag:Seattle` and `tag:seattle` are one.
    return str(policy.name).lower()


KINDS: Mapping[str, Kind] = types.MappingProxyType(
    {
        k.name: k
        for k in (
            Kind("user", User, lambda u: u.id.lower()),
            Kind("number", PhoneNumber, lambda n: n.telephone_number),
            Kind("group", Group, lambda g: g.id.lower()),
            Kind(
                "group_assignment",
                GroupPolicyAssignment,
                lambda a: f"{a.policy_type.value}|{a.group_id.lower()}",
            ),
            Kind("shared_calling_policy", SharedCallingPolicy, _policy_key),
            Kind("voice_routing_policy", VoiceRoutingPolicy, _policy_key),
            Kind("emergency_call_routing_policy", EmergencyCallRoutingPolicy, _policy_key),
            Kind("calling_line_identity_policy", CallingLineIdentityPolicy, _policy_key),
            Kind(
                "association",
                AppAssociation,
                lambda a: f"{a.resource_account_id.lower()}|{a.configuration_id.lower()}",
            ),
            Kind("subscribed_sku", SubscribedSku, lambda s: s.sku_part_number),
            Kind("network_site", NetworkSite, lambda s: s.name.lower()),
            Kind("location", EmergencyLocation, lambda loc: loc.id.lower()),
        )
    }
)
KIND_OF_CLASS: Mapping[type[Any], Kind] = types.MappingProxyType({k.cls: k for k in KINDS.values()})


def to_document(obj: Any) -> dict[str, Any]:
    """A dataclass as a JSON-ready dict; fields equal to their default are left out."""
    document: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        document[f.name] = _plain(value)
    return document


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_document(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def from_document(cls: type[T], document: Mapping[str, Any]) -> T:
    """Rebuild a dataclass from `to_document` output; missing fields take their defaults."""
    hints = _hints(cls)
    kwargs = {name: _typed(hints[name], value) for name, value in document.items() if name in hints}
    return cls(**kwargs)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _typed(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _typed(inner[0], value)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_typed(item, v) for v in value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return from_document(hint, value)
    return value


def to_stored(obj: Any) -> StoredObject:
    """The stored form of one tenant object."""
    kind = KIND_OF_CLASS[type(obj)]
    return StoredObject(kind.name, kind.key(obj), to_document(obj))


def from_stored(stored: StoredObject) -> Any:
    """The tenant object of a stored document; unknown kinds raise KeyError."""
    return from_document(KINDS[stored.kind].cls, stored.document)
