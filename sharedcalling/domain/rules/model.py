"""The vocabulary of prerequisite checks: severities, subjects, findings, rules, change ids."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sharedcalling.domain.rules.context import Context


class Severity(StrEnum):
    BLOCK = "BLOCK"
    """The plan cannot be applied for this subject."""
    FIX = "FIX"
    """The plan remediates it with the named changes."""
    WARN = "WARN"
    """The admin must know; `attest` ones need an explicit acknowledgement."""


class SubjectKind(StrEnum):
    TENANT = "tenant"
    USER = "user"
    RESOURCE_ACCOUNT = "resource_account"
    NUMBER = "number"
    POLICY = "policy"
    GROUP = "group"


class ChangeKind(StrEnum):
    """The change catalogue of docs/rules.md; declaration order is the apply order."""

    ENABLE_VOICE = "user.enable_voice"
    DISABLE_VOICE = "user.disable_voice"
    """Only in reverts (a user whose voice the reverted request enabled); never planned."""
    RA_SET_LOCATION = "ra.set_location"
    RA_GRANT_VRP = "ra.grant_vrp"
    VRP_CREATE_EMPTY = "vrp.create_empty"
    USER_GRANT_VRP = "user.grant_vrp"
    ECRP_CREATE = "ecrp.create"
    USER_GRANT_ECRP = "user.grant_ecrp"
    SCP_CREATE = "scp.create"
    SCP_REMOVE_NUMBERS = "scp.remove_numbers"
    SCP_ADD_NUMBERS = "scp.add_numbers"
    SCP_GRANT_USER = "scp.grant_user"
    SCP_GRANT_GROUP = "scp.grant_group"

    @property
    def order(self) -> int:
        return _CHANGE_ORDER[self]


_CHANGE_ORDER = {kind: index for index, kind in enumerate(ChangeKind)}
"""Looked up, not searched: a plan for 5,000 people sorts 20,000 changes by it."""


@dataclass(frozen=True, slots=True)
class Subject:
    """What a finding or change is about: its kind, a stable id and a display string."""

    kind: SubjectKind
    id: str
    display: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict on one subject, with the concrete values in its message."""

    code: str
    severity: Severity
    subject: Subject
    message: str
    changes: tuple[ChangeKind, ...] = ()
    """For FIX: the changes the plan adds to remediate it."""
    attest: bool = False
    """For WARN: the approver must acknowledge it explicitly."""
    uncertain: bool = False
    """The backend's data cannot tell whether the rule holds; the rule blocks to be safe, and
    answers built on it say "I cannot tell" instead of a verdict."""

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.code, self.subject.kind.value, self.subject.id, self.message)


Check = Callable[["Context"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A prerequisite rule of docs/rules.md: stable code, nominal severity, subject and check.

    Some rules report a different severity for a sub-case docs/rules.md names (SC-R04 blocks
    when the location cannot be set, SC-R05 only warns outside the listed countries); the
    finding carries the severity that applies.
    """

    code: str
    severity: Severity
    subject_kind: SubjectKind
    summary: str
    check: Check
