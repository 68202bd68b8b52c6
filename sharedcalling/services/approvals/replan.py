"""One-click re-plan of a stale request: the same desired state, planned now, submitted anew."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.names import same
from sharedcalling.domain.planning.codec import desired_from_json
from sharedcalling.domain.requests import Actor, ChangeRequest, RequestState
from sharedcalling.services.approvals.decisions import ActionResult, unknown_request_text
from sharedcalling.services.approvals.drafts import open_attestations, prepare_request
from sharedcalling.services.approvals.refusals import audit_refusal
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.requests import submit_request
from sharedcalling.services.unit_of_work import RecordNotFound, UsersLocked

if TYPE_CHECKING:
    from sharedcalling.domain.ids import RequestId
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

REPLAN_EVENT = "replan"


async def replan(services: Services, actor: Actor, request_id: RequestId) -> ActionResult:
    """Only the requester, only a STALE request; the child carries `parent_id`."""
    try:
        async with services.uow() as work:
            parent = await work.requests.get(services.tenant_id, request_id)
    except RecordNotFound:
        return await _refuse(services, actor, request_id, unknown_request_text(request_id), None)
    if not same(actor.id, parent.requester_id):
        text = "Only the requester can re-plan this request."
        return await _refuse(services, actor, request_id, text, parent)
    if parent.state is not RequestState.STALE:
        text = f"Request {parent.id} is {parent.state.value}; only a stale request is re-planned."
        return await _refuse(services, actor, request_id, text, parent)
    return await _resubmit(services, actor, parent)


async def _resubmit(services: Services, actor: Actor, parent: ChangeRequest) -> ActionResult:
    desired: DesiredState = desired_from_json(parent.desired)
    try:
        prepared = await prepare_request(
            desired, tenant=services.tenant, justification=parent.justification,
            attested=parent.attested, kind=parent.kind, beneficiary_id=parent.beneficiary_id,
            parent_id=parent.id,
        )  # fmt: skip
    except InvalidInput as blocked:
        return ActionResult(parent, Notice(str(blocked), Tone.ATTENTION))
    missing = open_attestations(prepared, parent.attested)
    if missing:
        text = (
            "The new plan has warnings nobody acknowledged yet "
            f"({', '.join(sorted({m.split(':')[0] for m in missing}))}); "
            "set it up again to review and acknowledge them."
        )
        return ActionResult(parent, Notice(text, Tone.WARNING))
    try:
        child = await submit_request(
            prepared.draft, actor=actor, uow=services.uow, clock=services.clock,
            policy=services.approval_policy.request_policy,
        )  # fmt: skip
    except UsersLocked as locked:
        return ActionResult(parent, Notice(str(locked), Tone.ATTENTION))
    logger.info("Request %s re-planned as %s", parent.id, child.id)
    await services.after_submit(child)
    text = f"Re-planned and re-submitted as request {child.id}; approvers get it now."
    return ActionResult(child, Notice(text, Tone.GOOD), changed=True)


async def _refuse(
    services: Services,
    actor: Actor,
    request_id: RequestId,
    text: str,
    request: ChangeRequest | None,
) -> ActionResult:
    await audit_refusal(
        services, actor, event=REPLAN_EVENT, code="replan_refused", message=text,
        request_id=request_id,
    )  # fmt: skip
    return ActionResult(request, Notice(text, Tone.ATTENTION))
