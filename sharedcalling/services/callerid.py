"""Use case: explain which number a person calls out as (docs/architecture.md), read-only."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sharedcalling.domain import names
from sharedcalling.domain.access import Principal, may_ask_about
from sharedcalling.domain.callerid import CallerIdAnswer, caller_id_answer
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.tenant import User
from sharedcalling.services import people
from sharedcalling.services.numbering import derived_countries
from sharedcalling.services.ports import SnapshotScope, TenantGateway

logger = logging.getLogger(__name__)

ONLY_YOURSELF = "You can only ask about yourself; admins can ask about anyone."


@dataclass(frozen=True, slots=True)
class Person:
    """Display facts about a person, safe to show on a card."""

    id: UserId
    display_name: str
    user_principal_name: str

    @classmethod
    def of(cls, user: User) -> Person:
        return cls(UserId(user.id), user.display_name, user.user_principal_name)


@dataclass(frozen=True, slots=True)
class Answered:
    subject: Person
    answer: CallerIdAnswer
    about_self: bool
    admins_notified: bool = False
    """A broken setup was reported to the admins now or earlier (`services/admin_alerts.py`)."""


@dataclass(frozen=True, slots=True)
class Ambiguous:
    query: str
    candidates: tuple[Person, ...]


@dataclass(frozen=True, slots=True)
class NotFound:
    query: str


@dataclass(frozen=True, slots=True)
class Refused:
    reason: str


CallerIdResult = Answered | Ambiguous | NotFound | Refused


async def explain_caller_id(
    asker: Principal, subject_query: str | None, *, tenant: TenantGateway
) -> CallerIdResult:
    """Answer for the asker (`subject_query` None) or, for admins, for anyone by name, UPN or id.

    A non-admin asking about anyone else is refused without learning whether that person exists.
    Raises InvalidInput for a malformed query.
    """
    if not names.same(asker.tenant_id, tenant.tenant_id):
        return Refused("You are not in this bot's tenant.")
    if subject_query is None:
        return await _answer(asker, asker.user_id, subject_query, tenant)
    match = await people.find_person(subject_query, tenant=tenant)
    if not isinstance(match, people.Found):
        if not asker.is_admin:
            return Refused(ONLY_YOURSELF)
        if isinstance(match, people.Ambiguous):
            return Ambiguous(match.query, tuple(Person.of(u) for u in match.candidates))
        return NotFound(match.query)
    if not may_ask_about(asker, match.user.id):
        logger.info("Refused caller-ID question of %s about another person", asker.user_id)
        return Refused(ONLY_YOURSELF)
    return await _answer(asker, UserId(match.user.id), subject_query, tenant)


async def answer_caller_id(query: str, *, tenant: TenantGateway) -> CallerIdResult:
    """Answer for anyone the query names (id, UPN or name), resource accounts included.

    For operators who hold the tenant's credentials (the command line): there is no asker to
    authorize, so the bot's edge never calls this. Read-only; InvalidInput for a bad query.
    """
    match = await people.find_person(query, tenant=tenant, include_resource_accounts=True)
    if isinstance(match, people.Ambiguous):
        return Ambiguous(match.query, tuple(Person.of(u) for u in match.candidates))
    if isinstance(match, people.NotFound):
        return NotFound(match.query)
    return await _answer(None, UserId(match.user.id), query, tenant)


async def _answer(
    asker: Principal | None, subject_id: UserId, query: str | None, tenant: TenantGateway
) -> CallerIdResult:
    snapshot = await tenant.snapshot(SnapshotScope(user_ids=[subject_id]))
    subject = snapshot.user(subject_id)
    if subject is None:
        return NotFound(query or subject_id)
    # The same derived countries as a plan gets, so the answer's rule checks match the plan's.
    answer = caller_id_answer(subject, snapshot, number_countries=derived_countries(snapshot))
    about_self = asker is not None and names.same(subject.id, asker.user_id)
    logger.info("Caller-ID answer for %s: %s", subject.id, answer.outcome.value)
    return Answered(Person.of(subject), answer, about_self)
