"""Display-ready views of hazards, and pure mappers from the hazard watch's records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sharedcalling.domain.hazards import HazardClass, HazardState
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.services.hazard_store import CheckRecord
from sharedcalling.services.hazards.presenter import CLASS_LABELS, HazardNotice
from sharedcalling.services.hazards.queries import HazardPage

MAX_TEXT = 600
"""Characters of a message or fact shown on a card; the full text is in the log and the CLI."""
MAX_CHANGES = 8
MAX_NAMES = 5

STYLES = {
    HazardClass.EMERGENCY: "attention",
    HazardClass.OUTBOUND_BROKEN: "attention",
    HazardClass.CALLER_ID: "warning",
    HazardClass.WARNING: "emphasis",
}


def short(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "never"


@dataclass(frozen=True, slots=True)
class HazardView:
    hazard_id: str
    title: str
    subtitle: str
    message: str
    style: str
    facts: tuple[tuple[str, str], ...]
    changes: tuple[tuple[str, str], ...]
    """(fact, `before \u2192 after`)."""
    note: str = ""
    """A line above the actions: a reminder, a resolution, the outcome of "Plan a fix"."""
    note_color: str | None = None
    can_fix: bool = False


def hazard_view(
    hazard: Hazard, *, names: Sequence[str] = (), note: str = "", note_color: str | None = None
) -> HazardView:
    """One hazard with what was set up, what is there now, since when, and who it affects."""
    label = CLASS_LABELS.get(hazard.hazard_class.value, "Hazard")
    resolved = not hazard.is_open
    title = f"Resolved: {label}" if resolved else label
    if hazard.state is HazardState.UNKNOWN and not resolved:
        title = f"Cannot tell: {label}"
    return HazardView(
        hazard_id=hazard.id,
        title=title,
        subtitle=f"{hazard.code} \u00b7 {hazard.subject.display} \u00b7 {hazard.id}",
        message=short(hazard.message),
        style="good" if resolved else STYLES[hazard.hazard_class],
        facts=_facts(hazard, names),
        changes=tuple(
            (short(fact, 80), short(f"{before} \u2192 {after}", 300))
            for fact, before, after in hazard.changes[:MAX_CHANGES]
        ),
        note=note or (f"Closed {when(hazard.closed_at)}: {hazard.resolution}." if resolved else ""),
        note_color=note_color,
        can_fix=hazard.is_open and hazard.state is HazardState.DRIFTED,
    )


def _facts(hazard: Hazard, names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    facts = [
        ("Set up", short(hazard.expected, 300)),
        ("Now", short(hazard.observed, 300)),
        ("State", hazard.state.value),
        ("First seen", when(hazard.first_seen)),
        ("Last seen", when(hazard.last_seen)),
    ]
    if hazard.affected_count:
        facts.append(("Affects", _affected(hazard, names)))
    if hazard.policy_names:
        facts.append(("Policy", ", ".join(hazard.policy_names[:3])))
    if hazard.request_ids:
        facts.append(("Set up by", ", ".join(hazard.request_ids[:3])))
    if hazard.fix_request_id:
        facts.append(("Fix request", hazard.fix_request_id))
    return tuple(facts)


def _affected(hazard: Hazard, names: Sequence[str]) -> str:
    count = hazard.affected_count
    people = "1 user" if count == 1 else f"{count:,} users"
    shown = [short(n, 60) for n in names[:MAX_NAMES]]
    if not shown:
        return people
    more = f" and {count - len(shown):,} more" if count > len(shown) else ""
    return f"{people}: {', '.join(shown)}{more}"


def notice_view(notice: HazardNotice) -> HazardView:
    note = "Reminder: this is still open." if notice.reminder else ""
    return hazard_view(notice.hazard, names=notice.affected_names, note=note)


@dataclass(frozen=True, slots=True)
class HazardListView:
    title: str
    status: str
    """The latest check: when, and whether it could read the tenant."""
    hazards: tuple[HazardView, ...]
    page: int
    pages: int


def list_view(page: HazardPage, *, heading: str = "") -> HazardListView:
    counts = page.counts
    title = (
        f"Open: {_count(counts['hazards'], 'hazard')}, {_count(counts['warnings'], 'warning')}, "
        f"{counts['unknown']} unknown"
    )
    return HazardListView(
        title=heading or title,
        status=check_status(page.last_check),
        hazards=tuple(hazard_view(h) for h in page.hazards),
        page=page.page,
        pages=page.pages,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def check_status(record: CheckRecord | None) -> str:
    if record is None:
        return "No check has run yet."
    if record.outcome == "ok":
        return f"Last check {when(record.started_at)}: the tenant was read."
    operation = record.summary.get("operation", "a read")
    return (
        f"Last check {when(record.started_at)} could not read the tenant ({operation}); "
        "nothing below is confirmed by it."
    )
