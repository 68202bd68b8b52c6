"""Bot Framework `Storage` over our BotStateStore port: e-tagged JSON, shared by every replica."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from botbuilder.core import Storage

# jsonpickle ships no type hints; it comes with botbuilder-core, which uses it the same way.
from jsonpickle.pickler import Pickler  # type: ignore[import-untyped]
from jsonpickle.unpickler import Unpickler  # type: ignore[import-untyped]

from sharedcalling.domain.errors import SharedCallingError
from sharedcalling.services.ports import BotStateStore

E_TAG = "e_tag"
"""Where botbuilder keeps an item's e-tag: a dict key or a StoreItem attribute."""

# Dialog state holds botbuilder objects (DialogState, DialogInstance), so documents are stored
# in jsonpickle's tagged JSON, as botbuilder itself flattens them to detect changes. Only these
# modules may be revived from a stored document, so a tampered row cannot import anything else.
_ALLOWED_MODULE_PREFIXES = ("botbuilder.", "datetime.", "decimal.")
_TYPE_TAGS = ("py/object", "py/type", "py/reduce", "py/function", "py/repr", "py/mod")


class UnsafeStateDocument(SharedCallingError):
    """A stored bot-state document names a type outside the allowed botbuilder modules."""


def _tagged_names(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in _TYPE_TAGS:
                yield inner if isinstance(inner, str) else repr(inner)
            else:
                yield from _tagged_names(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _tagged_names(inner)


def _check_safe(key: str, document: Mapping[str, Any]) -> None:
    for name in _tagged_names(dict(document)):
        if not name.startswith(_ALLOWED_MODULE_PREFIXES):
            raise UnsafeStateDocument(f"bot state {key!r} names the disallowed type {name!r}")


def _etag_of(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get(E_TAG)
    return getattr(item, E_TAG, None)


def _set_etag(item: Any, etag: str) -> None:
    if isinstance(item, dict):
        item[E_TAG] = etag
    else:
        setattr(item, E_TAG, etag)


def _flatten(item: Any) -> dict[str, Any]:
    flat = Pickler(keys=True).flatten(item)
    if not isinstance(flat, dict):
        raise TypeError(f"bot state must be a dict or an object, got {type(item).__name__}")
    flat.pop(E_TAG, None)
    return flat


class BotStateStorage(Storage):
    """botbuilder `Storage` semantics: unknown keys are left out of a read, an item whose e-tag
    is stale raises StateConflict, `*` or no e-tag overwrites, deleting an unknown key is fine."""

    def __init__(self, store: BotStateStore) -> None:
        self._store = store

    async def read(self, keys: list[str]) -> dict[str, Any]:
        documents = await self._store.read(list(keys or ()))
        items: dict[str, Any] = {}
        for key, document in documents.items():
            _check_safe(key, document.data)
            item = Unpickler(keys=True).restore(dict(document.data))
            _set_etag(item, document.etag)
            items[key] = item
        return items

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise TypeError("BotStateStorage.write(): changes are required")
        for key, item in changes.items():
            etag = await self._store.write(key, _flatten(item), expected_etag=_etag_of(item))
            # Keep the caller's copy current, so a second save in the same turn is not stale.
            _set_etag(item, etag)

    async def delete(self, keys: list[str]) -> None:
        await self._store.delete(list(keys or ()))
