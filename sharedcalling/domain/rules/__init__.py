"""Prerequisite rules of docs/rules.md (SC-T, SC-U, SC-R, SC-E, SC-P) as pure checks."""

from sharedcalling.domain.rules.context import Context, UserFacts, build_context
from sharedcalling.domain.rules.model import (
    ChangeKind,
    Finding,
    Rule,
    Severity,
    Subject,
    SubjectKind,
)
from sharedcalling.domain.rules.registry import RULES, check, run_rules

__all__ = [
    "RULES",
    "ChangeKind",
    "Context",
    "Finding",
    "Rule",
    "Severity",
    "Subject",
    "SubjectKind",
    "UserFacts",
    "build_context",
    "check",
    "run_rules",
]
