"""`python -m sharedcalling check`: one hazard check for monitoring (docs/cli.md, docs/hazards.md).

Exit codes as monitoring plugins use them: 0 nothing open, 1 warnings only, 2 hazards
(emergency, outside calls broken, wrong caller ID), 3 unknown (a read failed or a fact cannot be
told, and no hazard is known; also when the check could not run at all).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from sharedcalling.bootstrap import build_services
from sharedcalling.config import Settings
from sharedcalling.domain.hazards import HazardState
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.services.hazards.check import run_check
from sharedcalling.services.hazards.queries import (
    Verdict,
    counts_of,
    latest_check,
    open_hazards,
    verdict,
)

_SECTIONS = (
    ("HAZARDS", lambda h: h.state is HazardState.DRIFTED and h.hazard_class.is_hazard),
    ("WARNINGS", lambda h: h.state is HazardState.DRIFTED and not h.hazard_class.is_hazard),
    ("UNKNOWN (cannot tell; never counted as drift)", lambda h: h.state is HazardState.UNKNOWN),
)


def _when(hazard: Hazard) -> str:
    return (
        f"first seen {hazard.first_seen:%Y-%m-%d %H:%M} UTC, "
        f"last seen {hazard.last_seen:%Y-%m-%d %H:%M} UTC"
    )


def _hazard_lines(hazard: Hazard) -> list[str]:
    lines = [
        f"  [{hazard.hazard_class.value}] {hazard.code} {hazard.subject.display} ({hazard.id})",
        f"      {hazard.message}",
        f"      set up: {hazard.expected}",
        f"      now: {hazard.observed}",
        f"      {_when(hazard)}",
    ]
    lines += [
        f"      changed {fact}: {before} -> {after}" for fact, before, after in hazard.changes
    ]
    if hazard.affected_count:
        lines.append(f"      affects {hazard.affected_count} users")
    if hazard.fix_request_id:
        lines.append(f"      fix request {hazard.fix_request_id}")
    return lines


def _count(value: object, one: str, many: str) -> str:
    number = value if isinstance(value, int) else 0
    return f"{number:,} {one if number == 1 else many}"


def render_check(hazards: Sequence[Hazard], header: str) -> str:
    lines = [header]
    for title, belongs in _SECTIONS:
        chosen = [h for h in hazards if belongs(h)]
        if chosen:
            lines.append(f"{title} ({len(chosen)}):")
            for hazard in chosen:
                lines += _hazard_lines(hazard)
    counts = counts_of(hazards)
    code = verdict(hazards)
    lines.append(
        f"Result: {counts['hazards']} hazards, {counts['warnings']} warnings, "
        f"{counts['unknown']} unknown -> exit {int(code)} ({code.name})"
    )
    return "\n".join(lines) + "\n"


async def run_check_command(_args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async with build_services(settings) as services:
        outcome = await run_check(services.hazard_ports(), trigger="cli")
        if outcome.ran and outcome.record is not None:
            summary = outcome.record.summary
            read = "read the tenant" if outcome.record.outcome == "ok" else "could not read it"
            header = (
                f"Hazard check {outcome.record.started_at:%Y-%m-%d %H:%M} UTC: {read} "
                f"({_count(summary.get('policies', 0), 'policy', 'policies')}, "
                f"{_count(summary.get('users', 0), 'user', 'users')} watched)"
            )
            hazards: Sequence[Hazard] = outcome.open_hazards
        else:
            last = await latest_check(services.tenant_id, uow=services.uow)
            when = f"{last.started_at:%Y-%m-%d %H:%M} UTC" if last else "never"
            header = f"Another replica is checking right now; as last recorded (check {when}):"
            hazards = await open_hazards(services.tenant_id, uow=services.uow)
    out.write(render_check(hazards, header))
    return int(verdict(hazards))


def cannot_check(err: TextIO, problem: str) -> int:
    err.write(f"UNKNOWN: the hazard check could not run: {problem}\n")
    return int(Verdict.UNKNOWN)
