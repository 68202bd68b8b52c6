"""Tell the people changed (issue 15): after an apply, each person whose outbound caller ID
changed gets one personal message with their new caller-ID answer.

- **Before**: when a job is planned, the caller-ID answer of every person its changes touch is
  taken from the snapshot the plan was made from (`before_facts`, kept in the job's report).
- **After**: when the job is settled, a fresh read of the people something was written for;
  "changed" is another outcome or another presented number. A person without a recorded
  before-answer (a job planned before this existed) counts as changed when a Shared Calling
  policy grant that reaches them succeeded: the plan's changes, never a guess.
- **Once**: each message is claimed in the store (one row per request and person) before it is
  sent, so a second run of the report, a restart or a second replica never sends it again. A
  claim whose sender died stays unsent and is reported as not confirmed (at most once).
- **Bounded**: a person the bot cannot reach (no personal chat: the app is not installed) is
  recorded at once; another failure is tried SEND_ATTEMPTS times, then recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from sharedcalling.domain.apply import ChangeStatus
from sharedcalling.domain.callerid import CallerIdAnswer, caller_id_answer
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.planning import Change, ChangeKind, GrantGroupPolicy
from sharedcalling.domain.requests import ChangeRequest
from sharedcalling.domain.rules.model import SubjectKind
from sharedcalling.domain.tenant import TenantSnapshot
from sharedcalling.services.apply.deps import ApplyDeps
from sharedcalling.services.apply.store import ChangeRow, Lease, NoticeState, PersonNotice
from sharedcalling.services.apply.views import PeopleTold
from sharedcalling.services.callerid import Answered, Person
from sharedcalling.services.notifier import Unreachable
from sharedcalling.services.numbering import derived_countries
from sharedcalling.services.ports import SnapshotScope, TenantError

logger = logging.getLogger(__name__)

BEFORE = "callerid_before"
"""Key of the job report: each touched person's caller ID before the job wrote anything."""
TELL_PEOPLE = "tell_people"
"""Key of the request's plan document: False when the admin turned the messages off."""
SEND_ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 1.0
NOT_INSTALLED = "app not installed"
RENEW_EVERY = 20
UNCONFIRMED = "not confirmed: the bot stopped while sending"
_GRANTS = (ChangeKind.SCP_GRANT_USER, ChangeKind.SCP_GRANT_GROUP)


INTERIM_AFTER_SECONDS = 3.0
"""Telling people that takes longer than this (at the notices' pace) gets an interim report."""


def _written(rows: Sequence[ChangeRow]) -> list[Change]:
    """The changes the apply made (not those already in place or failed)."""
    return [r.change for r in rows if r.status is ChangeStatus.SUCCEEDED]


def telling_takes_long(rows: Sequence[ChangeRow], notices_per_second: float) -> bool:
    """Whether the people this apply changed are too many to tell before the report shows: by
    the users its written changes name, or any group grant (its members are not counted)."""
    written = _written(rows)
    if any(c.subject.kind is SubjectKind.GROUP for c in written):
        return True
    people = {fold(c.subject.id) for c in written if c.subject.kind is SubjectKind.USER}
    return len(people) > notices_per_second * INTERIM_AFTER_SECONDS


def wants_messages(request: ChangeRequest) -> bool:
    """Default on; the set-up's review step can turn it off for one request."""
    return request.plan.get(TELL_PEOPLE, True) is not False


def caller_id_key(answer: CallerIdAnswer) -> str:
    """What a person's outbound caller ID is, as one comparable string."""
    return f"{answer.outcome.value}|{answer.outbound_number or ''}"


def touched_users(changes: Iterable[Change], snapshot: TenantSnapshot) -> list[UserId]:
    """The people a set of changes is about: user subjects and direct members of granted
    groups (the snapshot holds every group with its direct members)."""
    found: dict[str, UserId] = {}
    for change in changes:
        if change.subject.kind is SubjectKind.USER:
            found.setdefault(fold(change.subject.id), UserId(change.subject.id))
        elif isinstance(change, GrantGroupPolicy) and (group := snapshot.group(change.group_id)):
            for member in group.member_ids:
                found.setdefault(fold(member), UserId(member))
    return list(found.values())


def answers_of(snapshot: TenantSnapshot, user_ids: Iterable[str]) -> dict[str, CallerIdAnswer]:
    """Caller-ID answers by folded id, with the countries a plan derives (CPU only)."""
    countries = derived_countries(snapshot)
    answers = {}
    for user_id in user_ids:
        user = snapshot.user(user_id)
        if user is not None and not user.is_resource_account:
            answers[fold(user.id)] = caller_id_answer(user, snapshot, number_countries=countries)
    return answers


def before_facts(changes: Sequence[Change], snapshot: TenantSnapshot) -> dict[str, str]:
    """Every touched person's caller ID in the snapshot the plan was made from."""
    answers = answers_of(snapshot, touched_users(changes, snapshot))
    return {user_id: caller_id_key(answer) for user_id, answer in answers.items()}


async def tell_people(
    deps: ApplyDeps,
    request: ChangeRequest,
    rows: Sequence[ChangeRow],
    before: Mapping[str, str],
    owner: str,
) -> PeopleTold:
    """Send what is due (as `owner`, the settling run's lease token) and say how it stands;
    never raises for a person or a tenant read."""
    if not wants_messages(request):
        return PeopleTold(enabled=False)
    problem = ""
    try:
        await _send_due(deps, request, rows, before, owner)
    except TenantError as error:
        logger.info("People of %s not told: the tenant could not be read (%s)", request.id, error)
        problem = "Teams could not be read to tell people their new caller ID"
    notices = await deps.store.notices(request.id)
    return _told(notices, owner, problem)


async def _send_due(
    deps: ApplyDeps,
    request: ChangeRequest,
    rows: Sequence[ChangeRow],
    before: Mapping[str, str],
    owner: str,
) -> None:
    written = _written(rows)
    direct = [UserId(c.subject.id) for c in written if c.subject.kind is SubjectKind.USER]
    if not written:
        return
    snapshot = await deps.tenant.snapshot(SnapshotScope(user_ids=direct))
    candidates = touched_users(written, snapshot)
    if any(snapshot.user(c) is None for c in candidates):  # members of a granted group
        snapshot = await deps.tenant.snapshot(SnapshotScope(user_ids=candidates))
    granted = {fold(u) for u in touched_users([c for c in written if c.kind in _GRANTS], snapshot)}
    after = await asyncio.to_thread(answers_of, snapshot, candidates)
    pause, sent = 1.0 / deps.settings.notices_per_second, 0
    for user_id, answer in after.items():
        known = before.get(user_id)
        changed = known != caller_id_key(answer) if known is not None else user_id in granted
        user = snapshot.user(user_id)
        if not changed or user is None:
            continue
        if await _tell(deps, request, Answered(Person.of(user), answer, True), owner):
            sent += 1
            if sent % RENEW_EVERY == 0:
                await _renew(deps, request, owner)
            await asyncio.sleep(pause)


async def _renew(deps: ApplyDeps, request: ChangeRequest, owner: str) -> None:
    """Hundreds of messages outlast a lease: keep the job's (the report outbox's) lease."""
    now = deps.clock.now()
    expires = now + timedelta(seconds=deps.settings.lease_seconds)
    await deps.store.renew(request.id, Lease(owner, expires), now)


async def _tell(deps: ApplyDeps, request: ChangeRequest, answered: Answered, owner: str) -> bool:
    """Claim, send, record; True when a message was attempted."""
    person = answered.subject
    store, now = deps.store, deps.clock.now
    if not await store.claim_notice(
        request.tenant_id, request.id, person.id, person.display_name, owner, now()
    ):
        return False
    message = deps.reporter.caller_id_changed(request.id, answered)
    reason, attempts = "", 0
    while attempts < SEND_ATTEMPTS:
        attempts += 1
        try:
            await deps.reporter.send_to_person(request.tenant_id, person.id, message)
            reason = ""
            break
        except Unreachable:
            reason = NOT_INSTALLED
            break
        except Exception as error:  # a connector failure: try again, a few times only
            reason = f"sending failed {attempts} times"
            logger.info("Caller-ID message to %s failed: %s", person.id, type(error).__name__)
            if attempts < SEND_ATTEMPTS:
                await asyncio.sleep(RETRY_PAUSE_SECONDS)
    await store.finish_notice(
        request.id, person.id, owner, now(), sent=not reason, attempts=attempts, reason=reason
    )
    return True


def _told(notices: Sequence[PersonNotice], owner: str, problem: str) -> PeopleTold:
    not_told = []
    for notice in notices:
        if notice.state is NoticeState.FAILED:
            not_told.append(f"{notice.display_name} ({notice.reason or 'not sent'})")
        elif notice.state is NoticeState.SENDING and notice.owner != owner:
            not_told.append(f"{notice.display_name} ({UNCONFIRMED})")
    told = sum(1 for n in notices if n.state is NoticeState.SENT)
    return PeopleTold(True, told, tuple(not_told), problem)
