"""Display-ready views of an apply for the progress and report cards, and their mapper."""

from __future__ import annotations

from dataclasses import dataclass

from sharedcalling.domain.apply import ChangeStatus, JobOutcome, UserOutcome, UserResult
from sharedcalling.domain.requests import RequestKind
from sharedcalling.services.apply.views import ApplyView, PeopleTold, Phase

MAX_LISTED = 25
"""People listed by name on a card; the rest are counted (cards stay under 28 KB)."""
MAX_REASON = 240

_TITLES = {
    Phase.APPLYING: "Applying {id}",
    Phase.PAUSED: "{id} is paused",
    Phase.WAITING: "{id} is waiting for Teams",
    Phase.VERIFYING: "{id} is written; checking that Teams delivered it",
    Phase.STALE: "{id} was not applied",
}
_OUTCOME_TITLES = {
    JobOutcome.APPLIED: "{id} is applied",
    JobOutcome.PARTIALLY_APPLIED: "{id} is partly applied",
    JobOutcome.FAILED: "{id} could not be applied",
}
_OUTCOME_WORDS = {
    UserOutcome.DONE: "done",
    UserOutcome.COMPLIANT: "already set up, nothing changed",
    UserOutcome.FAILED: "failed",
    UserOutcome.UNVERIFIED: "not confirmed",
    UserOutcome.AWAITING: "waiting for Teams",
    UserOutcome.PENDING: "not done yet",
}


@dataclass(frozen=True, slots=True)
class ApplyCardView:
    request_id: str
    title: str
    headline: str
    color: str | None
    """Good, Warning or Attention for the headline; None while it runs."""
    facts: tuple[tuple[str, str], ...]
    note: str = ""
    attention: tuple[str, ...] = ()
    """One line per person or change that needs an admin's eye."""
    more: str = ""
    people: tuple[str, ...] = ()
    """Every person's result, when there are few enough to list (the report's per-user part)."""
    can_retry: bool = False
    can_revert: bool = False
    not_told: tuple[str, ...] = ()
    """`Not told: Name (reason)` lines of the people's caller-ID messages (issue 15)."""
    not_told_more: str = ""


def _clip(text: str, limit: int = MAX_REASON) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _person(user: UserResult) -> str:
    return f"{user.display}: {_OUTCOME_WORDS[user.outcome]}, {_clip(user.reason)}".removesuffix(
        ", "
    )


def _people(view: ApplyView) -> tuple[str, ...]:
    if view.phase is not Phase.DONE or len(view.users) > MAX_LISTED:
        return ()
    return tuple(_person(u) for u in view.users)


def _attention(view: ApplyView, listed: bool) -> tuple[tuple[str, ...], str]:
    troubled = view.users_with(
        UserOutcome.FAILED, UserOutcome.UNVERIFIED, UserOutcome.AWAITING, UserOutcome.PENDING
    )
    lines = [] if listed else [_person(u) for u in troubled]
    lines += [
        f"{c.text}: failed, {_clip(c.error)}"
        for c in view.tenant_changes
        if c.status is ChangeStatus.FAILED
    ]
    more = len(lines) - MAX_LISTED
    tail = (
        f"and {more:,} more (the bot's log and the request's rows hold every one)."
        if more > 0
        else ""
    )
    return tuple(lines[:MAX_LISTED]), tail


def _facts(view: ApplyView) -> tuple[tuple[str, str], ...]:
    tally = view.tally
    facts = [
        ("Changes", f"{view.finished:,} of {view.total:,} done"),
        ("Written", f"{tally[ChangeStatus.SUCCEEDED]:,}"),
        ("Already in place", f"{tally[ChangeStatus.SKIPPED]:,}"),
        ("Failed", f"{tally[ChangeStatus.FAILED]:,}"),
    ]
    if view.users:
        done = len(view.users_with(UserOutcome.DONE, UserOutcome.COMPLIANT))
        facts.insert(0, ("People", f"{done:,} of {len(view.users):,} done"))
    people = view.people
    if people is not None:
        facts.append(("Told their new caller ID", _told(people)))
    facts.append(("Requested by", view.requester_name))
    if view.attempt > 1:
        facts.append(("Run", f"{view.attempt} (retry of failed changes)"))
    return tuple(facts)


def _told(people: PeopleTold) -> str:
    if not people.enabled:
        return "nobody: turned off for this request"
    if people.telling:
        return "the messages are going out now; this card is updated when they have"
    if people.problem:
        return f"{people.told:,} ({people.problem})"
    missed = f", {len(people.not_told):,} not told" if people.not_told else ""
    return f"{people.told:,}{missed}"


def _not_told(view: ApplyView) -> tuple[tuple[str, ...], str]:
    if view.people is None:
        return (), ""
    lines = view.people.not_told
    more = len(lines) - MAX_LISTED
    tail = f"and {more:,} more." if more > 0 else ""
    return tuple(f"Not told: {_clip(line)}" for line in lines[:MAX_LISTED]), tail


def _headline(view: ApplyView) -> tuple[str, str | None]:
    if view.phase is Phase.STALE:
        return "Nothing was written: the tenant changed after approval.", "Attention"
    if view.phase is not Phase.DONE:
        percent = 100 * view.finished // view.total if view.total else 100
        return f"{view.finished:,} of {view.total:,} changes done ({percent}%)", None
    if view.outcome is JobOutcome.APPLIED:
        return "Every change is in place and verified.", "Good"
    if view.outcome is JobOutcome.PARTIALLY_APPLIED:
        return "Some changes need attention.", "Warning"
    return "No change could be made.", "Attention"


def apply_card_view(view: ApplyView) -> ApplyCardView:
    """The card view of an apply in any phase."""
    template = (
        _OUTCOME_TITLES[view.outcome or JobOutcome.FAILED]
        if view.phase is Phase.DONE
        else _TITLES[view.phase]
    )
    if view.kind is RequestKind.REVERT:
        template = template.replace("{id}", "Revert {id}")
    headline, color = _headline(view)
    people = _people(view)
    attention, more = _attention(view, bool(people))
    not_told, not_told_more = _not_told(view)
    note = view.note
    if view.not_revertible and view.phase is Phase.DONE:
        note = " ".join(["Left as it is:", *view.not_revertible])
    return ApplyCardView(
        request_id=view.request_id,
        title=template.format(id=view.request_id),
        headline=headline,
        color=color,
        facts=_facts(view),
        note=_clip(note, 1000),
        attention=attention,
        more=more,
        people=people,
        can_retry=view.can_retry,
        can_revert=view.can_revert,
        not_told=not_told,
        not_told_more=not_told_more,
    )
