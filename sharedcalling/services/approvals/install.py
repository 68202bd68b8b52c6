"""Install the app for approvers the bot cannot reach, where the tenant backend allows it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sharedcalling.domain.audit import AuditFacts, AuditOutcome
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.requests import Actor, RequestState
from sharedcalling.services.approvals import copies
from sharedcalling.services.approvals.decisions import ActionResult, unknown_request_text
from sharedcalling.services.approvals.refusals import audit_refusal
from sharedcalling.services.approvals.roster import read_roster
from sharedcalling.services.approvals.runtime import InstallUnsupported
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.unit_of_work import RecordNotFound

if TYPE_CHECKING:
    from sharedcalling.domain.ids import RequestId
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

INSTALL_EVENT = "install_app"


async def install_for_unreachable(
    services: Services, actor: Actor, request_id: RequestId
) -> ActionResult:
    """Admins only: install the app for every eligible approver of a pending request who has
    no card yet and no personal chat with the bot; they get the card once Teams tells the bot."""
    if not actor.is_admin:
        text = "Only admins can install the app for other people."
        await audit_refusal(
            services, actor, event=INSTALL_EVENT, code="not_an_admin", message=text,
            request_id=request_id,
        )  # fmt: skip
        return ActionResult(None, Notice(text, Tone.ATTENTION))
    try:
        async with services.uow() as work:
            request = await work.requests.get(services.tenant_id, request_id)
            sent = await work.card_copies.of_request(request_id)
    except RecordNotFound:
        return ActionResult(None, Notice(unknown_request_text(request_id), Tone.ATTENTION))
    if request.state is not RequestState.PENDING:
        return ActionResult(request, Notice(copies.headline(request)))
    roster = await read_roster(services, fresh=True)
    have = {fold(c.recipient_id) for c in sent if c.purpose == copies.APPROVAL and c.recipient_id}
    targets = [UserId(a) for a in roster.eligible(request) if fold(a) not in have]
    if not targets:
        return ActionResult(request, Notice("Every approver already has the card.", Tone.GOOD))
    try:
        for target in targets:
            await services.approval.installer.install_for(services.tenant_id, target)
    except InstallUnsupported as unsupported:
        return ActionResult(request, Notice(str(unsupported), Tone.WARNING))
    await _audit_install(services, actor, request_id, targets)
    names = ", ".join(roster.name_of(t) for t in targets)
    text = (
        f"Installed the app for {names}. Teams tells me when it is ready (usually within a "
        "minute); they get the approval card then."
    )
    return ActionResult(request, Notice(text, Tone.GOOD), changed=True)


async def _audit_install(
    services: Services, actor: Actor, request_id: RequestId, targets: list[UserId]
) -> None:
    facts = AuditFacts(
        at=services.clock.now(),
        actor_id=actor.id,
        actor_name=actor.name,
        event=INSTALL_EVENT,
        outcome=AuditOutcome.NOTE,
        request_id=request_id,
        reason="Installed the app for approvers the bot could not reach.",
        details={"user_ids": [str(t) for t in targets]},
    )
    async with services.uow() as work:
        await work.audit.append(services.tenant_id, facts)
        await work.commit()
