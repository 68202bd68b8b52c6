"""Submitting a reviewed set-up: checked again on the server, stored as a PENDING request."""

from __future__ import annotations

from collections.abc import Collection

from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import InvalidInput, NotPermitted
from sharedcalling.domain.planning.codec import desired_to_json
from sharedcalling.domain.requests import ChangeRequest, RequestKind
from sharedcalling.services.apply.tell import TELL_PEOPLE
from sharedcalling.services.approvals.drafts import plan_document
from sharedcalling.services.ports import Clock, TenantGateway
from sharedcalling.services.requests import RequestDraft, actor_of, submit_request
from sharedcalling.services.setup.draft import SetupDraft
from sharedcalling.services.setup.review import SetupReview, review_setup
from sharedcalling.services.unit_of_work import UnitOfWorkFactory

MAX_JUSTIFICATION = 1000


class PlanChanged(InvalidInput):
    """The tenant changed since the admin reviewed the plan: they must see the new one."""

    def __init__(self, review: SetupReview):
        super().__init__(
            "The tenant changed since you reviewed this plan, so the plan changed too. "
            "Review it again, then submit."
        )
        self.review = review


def checked_justification(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput("Say why these changes are needed: approvers read the justification.")
    if len(cleaned) > MAX_JUSTIFICATION:
        raise InvalidInput(
            f"The justification has {len(cleaned):,} characters; at most {MAX_JUSTIFICATION:,}."
        )
    return cleaned


async def submit_setup(
    draft: SetupDraft,
    *,
    reviewed_fingerprint: str,
    justification: str,
    attested: Collection[str],
    principal: Principal,
    tenant: TenantGateway,
    uow: UnitOfWorkFactory,
    clock: Clock,
    tell_people: bool = True,
) -> ChangeRequest:
    """Plan the draft again and store it as PENDING when it is still the reviewed plan.

    Refused (nothing stored): a non-admin (NotPermitted); a missing or too long justification,
    a blocked or empty plan, an attestation group (FindingGroup.id) not in `attested`
    (InvalidInput); a changed plan
    (PlanChanged); users held by another open request (UsersLocked, from submit_request).
    """
    if not principal.is_admin:
        raise NotPermitted("Only Shared Calling admins can submit a set-up.")
    reason = checked_justification(justification)
    review = await review_setup(draft, tenant_id=principal.tenant_id, tenant=tenant, uow=uow)
    plan = review.preview.plan
    if plan.fingerprint != reviewed_fingerprint:
        raise PlanChanged(review)
    if plan.blocked:
        codes = ", ".join(dict.fromkeys(f.code for f in review.plan_blocks)) or "see the review"
        raise InvalidInput(f"The plan is blocked ({codes}); nothing can be submitted.")
    if plan.is_empty:
        raise InvalidInput("Nothing to change: everyone chosen is already set up this way.")
    ticked = set(attested)
    missing = list(dict.fromkeys(g.code for g in review.attestations if g.id not in ticked))
    if missing:
        raise InvalidInput(
            "Confirm every warning that needs it before submitting: " + ", ".join(missing) + "."
        )
    request_draft = RequestDraft(
        kind=RequestKind.SETUP,
        desired=desired_to_json(plan.desired),
        # Whether the people changed get their new caller ID after the apply (issue 15).
        plan={**await plan_document(plan, tenant=tenant), TELL_PEOPLE: tell_people},
        fingerprint=plan.fingerprint,
        user_ids=plan.changing_user_ids,
        justification=reason,
        attested=[key for group in review.attestations for key in group.keys],
    )
    return await submit_request(request_draft, actor=actor_of(principal), uow=uow, clock=clock)
