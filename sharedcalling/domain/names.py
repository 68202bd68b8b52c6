"""One way to compare what Teams treats case-insensitively: policy names, UPNs and object ids.

Teams and Entra compare these without regard to case, and Graph and PowerShell do not agree on
the case they return (PowerShell shows `Tag:Seattle`, an admin types `seattle`, Graph lower-cases
object ids). Every comparison in the product goes through `fold()` so they never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=str)
V = TypeVar("V")

TAG_PREFIX = "tag:"
"""PowerShell returns per-user policy instances as `Tag:<name>`; grants take the bare name."""


def fold(value: str) -> str:
    """The comparison key of a name, UPN or object id: trimmed and Unicode case-folded."""
    return value.strip().casefold()


def same(left: str | None, right: str | None) -> bool:
    """Whether two names, UPNs or ids are the same to Teams; None equals nothing."""
    return left is not None and right is not None and fold(left) == fold(right)


def bare_policy_name(name: str) -> str:
    """A policy name without PowerShell's `Tag:` prefix, as Grant cmdlets want it."""
    text = name.strip()
    if text.casefold().startswith(TAG_PREFIX):
        text = text[len(TAG_PREFIX) :].strip()
    return text


def policy_key(name: str) -> str:
    """The comparison key of a policy name: `Tag:` removed, then folded."""
    return fold(bare_policy_name(name))


def find(mapping: Mapping[K, V], key: str, *, policy: bool = False) -> V | None:
    """`mapping[key]`, else the entry whose key compares equal; None when there is none."""
    # K is a NewType of str (UserId, GroupId): a plain str key is the same at run time.
    exact = mapping.get(key)  # type: ignore[arg-type]
    if exact is not None:
        return exact
    normalise = policy_key if policy else fold
    wanted = normalise(key)
    return next((value for name, value in mapping.items() if normalise(name) == wanted), None)


def contains(values: Iterable[str], key: str) -> bool:
    """Whether `key` is among `values`, compared as `same()` does."""
    wanted = fold(key)
    return any(fold(value) == wanted for value in values)
