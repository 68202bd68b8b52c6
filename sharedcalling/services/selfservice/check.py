"""Who may request Shared Calling for themselves, and what the plan for them would be.

Read-only: every answer comes from the offer, the tenant (the asker's caller-ID answer and the
plan the rules engine makes for them alone) and the requests table (open requests, the rate).
The checks run again on submit, so a card can never carry a verdict.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharedcalling.domain import names
from sharedcalling.domain.access import Principal
from sharedcalling.domain.callerid import CallerIdAnswer, Outcome, caller_id_answer
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.requests import RequestKind
from sharedcalling.domain.rules import Finding, Severity
from sharedcalling.domain.tenant import PhoneNumber, User
from sharedcalling.services.numbering import derived_countries, display_number
from sharedcalling.services.planning import preview_plan
from sharedcalling.services.ports import SnapshotScope, TenantNotFound
from sharedcalling.services.selfservice.offer import SelfServiceOffer
from sharedcalling.services.selfservice.outcomes import Offered, Refused, Why
from sharedcalling.services.unit_of_work import RecordNotFound

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

ADMINS_NAMED = 3
"""Admins a "who to ask" answer names (direct members of the admin group)."""

ASK_FOR = {
    "SC-U01": "to check your account type (only user accounts can have Shared Calling)",
    "SC-U02": "to enable your account",
    "SC-U03": "for a Teams Phone license (or to finish provisioning it)",
    "SC-U05": "to remove the phone number you hold, if you should share a number instead",
    "SC-U09": "to check your usage location against the shared number's country",
}
"""What to ask an admin for, by the rule code that blocks a person (docs/rules.md)."""


@dataclass(frozen=True, slots=True)
class Subject:
    """The asker as the tenant knows them, and the resource account the offer names."""

    user: User
    account: User


async def evaluate(services: Services, principal: Principal) -> Refused | Offered:
    """Every check, in the order a person can act on it; never raises for a refusal."""
    offer = services.self_service
    if not offer.enabled:
        return Refused(Why.NOT_OFFERED, await not_offered_text(services))
    subject = await _subject(services, principal, offer)
    if isinstance(subject, Refused):
        return subject
    snapshot = await services.tenant.snapshot(SnapshotScope(user_ids=[subject.user.id]))
    answer = caller_id_answer(
        snapshot.user(subject.user.id) or subject.user,
        snapshot,
        number_countries=derived_countries(snapshot),
    )
    early = _by_answer(answer)
    if early is not None:
        return early
    if not await _in_allowed_group(services, offer, subject.user.id):
        text = (
            "Self-service Shared Calling is offered to members of certain groups, and you are "
            f"not in one of them. {await ask_admins_text(services)}"
        )
        return Refused(Why.NOT_IN_GROUP, text)
    pending = await open_request(services, subject.user.id)
    if pending is not None:
        return pending
    limited = await _rate_limited(services, offer, subject.user.id)
    if limited is not None:
        return limited
    return await _plan(services, offer, subject)


async def not_offered_text(services: Services) -> str:
    return f"Self-service Shared Calling is not offered here. {await ask_admins_text(services)}"


async def ask_admins_text(services: Services) -> str:
    """Who to ask: a few admins by name when the admin group can be read."""
    try:
        group = await services.tenant.get_group(services.admin_group_id)
        members = tuple(UserId(m) for m in group.member_ids[:ADMINS_NAMED])
        snapshot = await services.tenant.snapshot(SnapshotScope(user_ids=members))
    except Exception:  # naming admins is a courtesy: the answer must not fail on it
        logger.info("Could not read the admin group to name admins", exc_info=True)
        return "Please ask a Shared Calling admin."
    found = [u.display_name for m in members if (u := snapshot.user(m)) is not None]
    if not found:
        return "Please ask a Shared Calling admin."
    return f"Please ask a Shared Calling admin ({', '.join(found)})."


async def _subject(
    services: Services, principal: Principal, offer: SelfServiceOffer
) -> Subject | Refused:
    try:
        user = await services.tenant.get_user(principal.user_id)
        account = await services.tenant.get_user(offer.resource_account)
    except TenantNotFound:
        logger.warning("Self-service: the asker or the offer's resource account is unknown")
        text = (
            "The self-service offer names a resource account this tenant does not have. "
            + await ask_admins_text(services)
        )
        return Refused(Why.OFFER_BROKEN, text)
    return Subject(user, account)


def _by_answer(answer: CallerIdAnswer) -> Refused | None:
    """People who already call out, or whose setup only an admin can untangle."""
    outcome, outbound, personal = answer.outcome, answer.outbound_number, answer.personal_number
    if outcome in (Outcome.SHARED, Outcome.SHARED_EXT):
        number = display_number(outbound) if outbound else "a shared number"
        return Refused(
            Why.ALREADY_SHARED,
            f"You already have Shared Calling: you call out as {number}. Nothing to request.",
        )
    if outcome in (Outcome.PERSONAL, Outcome.PERSONAL_DR):
        number = display_number(personal) if personal else "your own number"
        return Refused(
            Why.OWN_NUMBER,
            f"You have your own phone number ({number}), so you don't need Shared Calling "
            "(SC-U05: a person with a number of their own cannot share one).",
            ("SC-U05",),
        )
    if outcome in (Outcome.SHARED_BROKEN, Outcome.INCONSISTENT):
        codes = answer.rule_codes
        shown = f" ({', '.join(codes)})" if codes else ""
        return Refused(
            Why.NEEDS_ADMIN,
            f"Your phone setup needs an admin's attention{shown}; a request from you would not "
            "fix it. Please ask a Shared Calling admin.",
            codes,
        )
    return None


async def _in_allowed_group(services: Services, offer: SelfServiceOffer, user_id: str) -> bool:
    """Direct membership, as for the admin and approver roles."""
    for group_id in offer.group_ids:
        try:
            group = await services.tenant.get_group(group_id)
        except TenantNotFound:
            logger.warning("Self-service group %s does not exist", group_id)
            continue
        if names.contains(group.member_ids, user_id):
            return True
    return False


async def open_request(services: Services, user_id: UserId) -> Refused | None:
    """A pending, approved or applying request that already includes the person."""
    async with services.uow() as work:
        held = await work.locks.holders(services.tenant_id, [UserId(names.fold(user_id))])
        request_id = next(iter(held.values()), None)
        if request_id is None:
            return None
        try:
            request = await work.requests.get(services.tenant_id, request_id)
        except RecordNotFound:
            request = None
    if request is not None and request.kind is RequestKind.SELF_SERVICE:
        state = request.state.value.lower()
        text = f"You already asked: request {request_id} is {state}. Say \u201cmy requests\u201d."
        return Refused(Why.OPEN_REQUEST, text, request_id=request_id)
    # Someone else's request (an admin's set-up): it is not the asker's to see, so no id.
    text = (
        "An open Shared Calling request already includes you; it has to finish before you can "
        "ask for yourself."
    )
    return Refused(Why.OPEN_REQUEST, text, request_id=request_id)


async def _rate_limited(
    services: Services, offer: SelfServiceOffer, user_id: UserId
) -> Refused | None:
    since = services.clock.now() - offer.window
    async with services.uow() as work:
        made = await work.requests.count_since(
            services.tenant_id,
            requester_id=UserId(names.fold(user_id)),
            kind=RequestKind.SELF_SERVICE,
            since=since,
        )
    if made < offer.max_requests:
        return None
    text = (
        f"You have made {made} self-service requests in the last {offer.window_text()}; the "
        f"limit is {offer.max_requests}. Please try again later, or ask a Shared Calling admin."
    )
    return Refused(Why.RATE_LIMITED, text)


async def _plan(services: Services, offer: SelfServiceOffer, subject: Subject) -> Refused | Offered:
    user_id = UserId(subject.user.id)
    desired = DesiredState(
        resource_account_id=subject.account.id, policy_name=offer.policy_name, user_ids=(user_id,)
    )
    preview = await preview_plan(desired, tenant=services.tenant)
    plan = preview.plan
    if names.contains(plan.blocked_user_ids, user_id):
        return _blocked(
            [f for f in plan.findings if f.severity is Severity.BLOCK and _about(f, user_id)]
        )
    if plan.blocked:
        blocks = [f for f in plan.findings if f.severity is Severity.BLOCK]
        codes = tuple(dict.fromkeys(f.code for f in blocks))
        text = (
            f"The self-service offer cannot be used right now ({', '.join(codes)}: "
            f"{blocks[0].message if blocks else 'the plan is blocked'}). "
            + await ask_admins_text(services)
        )
        return Refused(Why.OFFER_BROKEN, text, codes)
    if plan.is_empty:
        return Refused(Why.ALREADY_SHARED, "You are already set up this way. Nothing to request.")
    unacknowledged = [f for f in plan.attestations if f.code not in offer.acknowledged]
    if unacknowledged:
        codes = tuple(dict.fromkeys(f.code for f in unacknowledged))
        text = (
            "Your plan has a warning that an admin must acknowledge ("
            + "; ".join(f"{f.code}: {f.message}" for f in unacknowledged[:3])
            + "). Please ask a Shared Calling admin to set you up."
        )
        return Refused(Why.NOT_ACKNOWLEDGED, text, codes)
    numbers = [n.telephone_number for n in (await _numbers(services, subject.account.id))]
    warnings = tuple(f for f in plan.findings if f.severity is Severity.WARN)
    return Offered(
        preview,
        subject.account.display_name,
        numbers[0] if numbers else None,
        offer.policy_name,
        warnings,
    )


async def _numbers(services: Services, account_id: str) -> list[PhoneNumber]:
    snapshot = await services.tenant.snapshot(SnapshotScope(user_ids=[UserId(account_id)]))
    return list(snapshot.numbers_of(account_id))


def _about(finding: Finding, user_id: str) -> bool:
    return names.same(finding.subject.id, user_id)


def _blocked(blocks: list[Finding]) -> Refused:
    codes = tuple(dict.fromkeys(f.code for f in blocks))
    asks = [f"{f.code}: {f.message} Ask an admin {ASK_FOR.get(f.code, 'to fix this')}." for f in
            blocks[:3]]  # fmt: skip
    text = "You can't get Shared Calling yet. " + " ".join(asks)
    return Refused(Why.BLOCKED, text, codes)
