"""Views of the users, review and status cards from the set-up use cases' results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cards.setup import inputs
from cards.setup.mappers import PEOPLE_PER_PAGE, group_title, paged
from cards.setup.views import (
    Attestation,
    DownloadLink,
    ReviewView,
    StatusView,
    StepFrame,
    UsersView,
)
from cards.text import phone
from sharedcalling.domain.planning import (
    Change,
    ChangeKind,
    CreateSharedCallingPolicy,
    GrantGroupPolicy,
    GrantPolicy,
    SetNumberLocation,
    UpdateEmergencyNumbers,
)
from sharedcalling.domain.requests import ChangeRequest, RequestState
from sharedcalling.domain.tenant import Group, User
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.setup.review import FindingGroup, RowState, SetupReview, UserRow

REVIEW_PER_PAGE = 10
_STATE_WORDS = {
    RowState.CHANGES: "will change",
    RowState.COMPLIANT: "already set up this way",
    RowState.BLOCKED: "blocked",
    RowState.LOCKED: "in another open request",
}


def _person_title(row: UserRow) -> str:
    detail = ""
    if row.state in (RowState.BLOCKED, RowState.LOCKED) and row.details:
        detail = f": {row.details[0]}"
    return f"{row.display} \u00b7 {_STATE_WORDS[row.state]}{detail}"


def users_view(
    frame: StepFrame,
    review: SetupReview | None,
    count: int,
    page: int,
    candidates: Sequence[User] = (),
    marked: Sequence[str] = (),
    *,
    people: Sequence[User] = (),
    groups: Sequence[Group] = (),
) -> UsersView:
    rows = review.rows if review is not None else ()
    shown, where = paged(rows, page, PEOPLE_PER_PAGE, "users")
    return UsersView(
        frame=frame,
        count=count,
        rows=tuple((_person_title(r), r.user_id) for r in shown),
        page=where,
        extension_candidates=tuple((person_title(u), u.id) for u in candidates),
        extension_marked=tuple(marked),
        people_suggestions=tuple((person_title(u), u.id) for u in people),
        group_suggestions=tuple((group_title(g), g.id) for g in groups),
    )


def person_title(user: User) -> str:
    return f"{user.display_name} ({user.user_principal_name})"


def attestation_input(group: FindingGroup) -> str:
    return inputs.ATTEST_PREFIX + group.id


def finding_line(group: FindingGroup) -> str:
    if group.about_people:
        return f"{group.code} ({_people(group.count)}): {group.example}"
    return f"{group.code}: {group.example}"


def _change_line(kind: ChangeKind, count: int, example: Change) -> str:
    if isinstance(example, CreateSharedCallingPolicy):
        numbers = ", ".join(phone(n) for n in example.policy.emergency_numbers) or "none"
        return (
            f"Create Shared Calling policy {example.policy.name} for "
            f"{example.resource_account.display}; emergency callback numbers: {numbers}"
        )
    if isinstance(example, UpdateEmergencyNumbers):
        verb = "Add" if kind is ChangeKind.SCP_ADD_NUMBERS else "Remove"
        shown = ", ".join(phone(n) for n in example.numbers)
        return f"{verb} emergency callback numbers of {example.policy_name}: {shown}"
    if isinstance(example, SetNumberLocation):
        return f"Set emergency location {example.location_id} on {phone(example.telephone_number)}"
    if isinstance(example, GrantGroupPolicy):
        return (
            f"Assign {example.policy_name} to group {example.subject.display} at rank "
            f"{example.rank}" + (f" (replaces {example.before})" if example.before else "")
        )
    if isinstance(example, GrantPolicy) and kind is ChangeKind.RA_GRANT_VRP:
        return f"Grant voice routing policy {example.policy_name} to {example.subject.display}"
    if isinstance(example, GrantPolicy):
        noun = "person" if count == 1 else "people"
        return f"{_GRANT_WORDS[kind]} {example.policy_name}: {count:,} {noun}"
    return f"{kind.value}: {count:,}"


_GRANT_WORDS = {
    ChangeKind.USER_GRANT_VRP: "Grant voice routing policy",
    ChangeKind.USER_GRANT_ECRP: "Grant emergency call routing policy",
    ChangeKind.SCP_GRANT_USER: "Grant Shared Calling policy directly",
}


def _changes(review: SetupReview) -> tuple[str, ...]:
    plan = review.preview.plan
    lines = []
    for kind, count in review.changes:
        example = next(c for c in plan.changes if c.kind is kind)
        if kind is ChangeKind.ENABLE_VOICE:
            noun = "person" if count == 1 else "people"
            lines.append(f"Enable enterprise voice: {count:,} {noun}")
        elif kind in (ChangeKind.VRP_CREATE_EMPTY, ChangeKind.ECRP_CREATE):
            lines.append(f"Create {example.subject.display} ({kind.value})")
        else:
            lines.append(_change_line(kind, count, example))
    return tuple(lines)


def _row_value(row: UserRow) -> str:
    if row.state is RowState.LOCKED:
        return "; ".join(row.details)
    words = _STATE_WORDS[row.state]
    return f"{words}: {'; '.join(row.details)}" if row.details else words


def _people(n: int) -> str:
    return f"{n:,} person" if n == 1 else f"{n:,} people"


def review_view(
    frame: StepFrame,
    review: SetupReview,
    page: int,
    *,
    download: DownloadLink | None = None,
    justification: str = "",
    tell_people: bool = True,
) -> ReviewView:
    preview = review.preview
    shown, where = paged(review.rows, page, REVIEW_PER_PAGE, "review")
    blocks = [f"{f.code}: {f.message}" for f in review.plan_blocks]
    blocks += [
        f"{r.display}: {r.details[0]}; remove them here, or wait for that request."
        for r in review.rows
        if r.state is RowState.LOCKED
    ]
    if preview.plan.blocked and not blocks:
        blocks.append("Everyone chosen is blocked (see each person below): nothing to submit.")
    elif preview.plan.is_empty and not preview.plan.blocked:
        blocks.append("Nothing to change: everyone chosen is already set up this way.")
    return ReviewView(
        frame=frame,
        headline=(
            f"{_people(preview.total)}: {preview.changing:,} will change, "
            f"{preview.compliant:,} already compliant, {preview.blocked:,} blocked"
        ),
        blocks=tuple(blocks),
        changes=_changes(review),
        warnings=tuple(finding_line(g) for g in review.warnings),
        attestations=tuple(
            Attestation(attestation_input(g), finding_line(g)) for g in review.attestations
        ),
        rows=tuple((r.display, _row_value(r)) for r in shown),
        page=where,
        fingerprint=review.fingerprint,
        can_submit=review.can_submit,
        download=download,
        justification=justification,
        tell_people=tell_people,
    )


_STATE_HEADLINES = {
    RequestState.PENDING: "is waiting for approval",
    RequestState.APPROVED: "is approved and will be applied",
    RequestState.APPLYING: "is being applied",
    RequestState.APPLIED: "was applied",
    RequestState.PARTIALLY_APPLIED: "was applied in part",
    RequestState.FAILED: "failed to apply",
    RequestState.REJECTED: "was rejected",
    RequestState.EXPIRED: "expired without a decision",
    RequestState.CANCELLED: "was cancelled",
    RequestState.STALE: "went stale: the tenant changed before it was applied",
}
_NEXT_STEPS = {
    RequestState.PENDING: (
        "An approver decides; nobody can approve a request they made or are part of.",
        "Once approved, the bot applies the plan and reports the result here.",
        "Until then you can cancel the request; its people stay locked to it.",
    ),
    RequestState.APPROVED: ("The bot applies the plan; you can still cancel it before that.",),
}


def _when(at: datetime | None) -> str:
    return "never" if at is None else at.strftime("%Y-%m-%d %H:%M UTC")


def status_view(request: ChangeRequest, notice: Notice | None = None) -> StatusView:
    desired = request.desired
    facts = (
        ("Request", request.id),
        ("State", request.state.value),
        ("Requested by", request.requester_name),
        ("Submitted", _when(request.created_at)),
        ("Decision due", _when(request.expires_at)),
        ("Policy", str(desired.get("policy_name", ""))),
        ("People changing", f"{len(request.user_ids):,}"),
        ("Approvals", f"{len(request.approvals)} of {request.required_approvals}"),
    )
    return StatusView(
        request_id=request.id,
        state=request.state.value,
        headline=f"Request {request.id} {_STATE_HEADLINES[request.state]}",
        facts=facts,
        next_steps=_NEXT_STEPS.get(request.state, ()),
        can_cancel=request.state in (RequestState.PENDING, RequestState.APPROVED),
        notice=notice,
        extra=(f"Justification: {request.justification}",),
    )


def submitted_notice(request: ChangeRequest) -> Notice:
    return Notice(f"Submitted as request {request.id}.", Tone.GOOD)
