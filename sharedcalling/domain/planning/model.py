"""Plan: the ordered changes, the findings behind them, who changes, and the fingerprint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.planning.changes import Change, JsonValue
from sharedcalling.domain.rules.model import Finding, Severity


@dataclass(frozen=True, slots=True)
class Plan:
    """The result of `plan()`. `blocked` means nothing can be applied; `changes` is then empty."""

    desired: DesiredState
    changes: tuple[Change, ...]
    findings: tuple[Finding, ...]
    changing_user_ids: tuple[UserId, ...]
    compliant_user_ids: tuple[UserId, ...]
    blocked_user_ids: tuple[UserId, ...]
    blocked: bool
    basis: Mapping[str, JsonValue]
    """The snapshot facts the changes depend on, as canonical JSON values."""
    fingerprint: str

    def with_fingerprint(self, value: str) -> Plan:
        return replace(self, fingerprint=value)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def requested_count(self) -> int:
        return (
            len(self.changing_user_ids) + len(self.compliant_user_ids) + len(self.blocked_user_ids)
        )

    def findings_of(self, severity: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is severity)

    @property
    def attestations(self) -> tuple[Finding, ...]:
        """WARN findings the approver must acknowledge explicitly."""
        return tuple(f for f in self.findings if f.attest)
