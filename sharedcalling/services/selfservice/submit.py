"""Filing a self-service request: every check again, the card's plan must be today's plan.

The asker is the requester and the beneficiary (so separation of duties bars them from
deciding on it), and the request goes through the same lifecycle as any other: submit_request,
then Services.after_submit announces it to the approvers (and, for this kind, the admins).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from sharedcalling.domain.access import Principal
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.planning.codec import desired_to_json
from sharedcalling.domain.requests import RequestKind
from sharedcalling.services.approvals.drafts import plan_document
from sharedcalling.services.approvals.refusals import audit_refusal
from sharedcalling.services.requests import RequestDraft, actor_of, submit_request
from sharedcalling.services.selfservice.check import evaluate, open_request
from sharedcalling.services.selfservice.outcomes import (
    Filed,
    Offered,
    Refused,
    SelfServiceResult,
    Why,
)
from sharedcalling.services.unit_of_work import UsersLocked

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

SUBMIT_EVENT = "self_service.submit"
MAX_REASON = 500
"""Characters a reason may have (the card's Input.Text says the same)."""
_FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{64}$")

STALE_TEXT = (
    "Your plan changed since that card was shown (or the card is not yours). Check the plan "
    "below and send it again."
)
FORGED_TEXT = "That card action is not valid. Ask again: \u201ccan I get a phone number?\u201d"


def checked_reason(value: object) -> str | Refused:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text:
        return Refused(Why.BAD_REASON, "Say why you need a phone number: approvers read it.")
    if len(text) > MAX_REASON:
        return Refused(
            Why.BAD_REASON, f"The reason has {len(text):,} characters; at most {MAX_REASON}."
        )
    return text


async def submit(
    services: Services, principal: Principal, fingerprint: object, reason: object
) -> SelfServiceResult:
    """Refusals change nothing but leave one audit entry (a bad reason only asks again)."""
    actor = actor_of(principal)
    if not isinstance(fingerprint, str) or not _FINGERPRINT.match(fingerprint):
        return await _refuse(services, principal, Refused(Why.FORGED, FORGED_TEXT))
    verdict = await evaluate(services, principal)
    if isinstance(verdict, Refused):
        return await _refuse(services, principal, verdict)
    why = checked_reason(reason)
    if isinstance(why, Refused):
        return why
    if verdict.fingerprint != fingerprint:
        await _refuse(services, principal, Refused(Why.STALE_CARD, STALE_TEXT))
        return Offered(
            verdict.preview, verdict.account_name, verdict.account_number, verdict.policy_name,
            verdict.warnings, notice=STALE_TEXT,
        )  # fmt: skip
    plan = verdict.preview.plan
    draft = RequestDraft(
        kind=RequestKind.SELF_SERVICE,
        desired=desired_to_json(plan.desired),
        plan=await plan_document(plan, tenant=services.tenant),
        fingerprint=plan.fingerprint,
        user_ids=plan.changing_user_ids,
        justification=why,
        # Only the codes the admins acknowledged for the offer get here (evaluate refuses others).
        attested=[f"{f.code}:{f.subject.id}" for f in plan.attestations],
        beneficiary_id=UserId(fold(principal.user_id)),
    )
    try:
        request = await submit_request(
            draft, actor=actor, uow=services.uow, clock=services.clock,
            policy=services.approval_policy.request_policy,
        )  # fmt: skip
    except UsersLocked:
        # Another click or replica filed first (submit_request audited the refusal).
        locked = await open_request(services, UserId(principal.user_id))
        return locked or Refused(Why.OPEN_REQUEST, "Another request already includes you.")
    logger.info("Self-service request %s filed by %s", request.id, actor.id)
    return Filed(request)


async def _refuse(services: Services, principal: Principal, refused: Refused) -> Refused:
    await audit_refusal(
        services, actor_of(principal), event=SUBMIT_EVENT, code=refused.why.value,
        message=refused.text, request_id=refused.request_id,
        details={"codes": list(refused.codes)} if refused.codes else None,
    )  # fmt: skip
    return refused
