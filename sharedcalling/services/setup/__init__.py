"""The admin set-up's use cases, bound to the ports the edge's Services hold.

The dialog (dialogs/setup_*) calls these and renders what they return; every value a card
sends back is checked again here, because a card can be forged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharedcalling.domain.access import Principal
from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.requests import ChangeRequest, RequestEvent
from sharedcalling.services import requests
from sharedcalling.services.export_links import create_export_link
from sharedcalling.services.exports.json_export import plan_to_json
from sharedcalling.services.exports.powershell import plan_to_powershell
from sharedcalling.services.ports import SnapshotScope
from sharedcalling.services.setup import accounts, assignment, numbers, policies, selection
from sharedcalling.services.setup.draft import SetupDraft
from sharedcalling.services.setup.review import SetupReview, review_setup
from sharedcalling.services.setup.submit import submit_setup
from sharedcalling.services.unit_of_work import CardCopy

if TYPE_CHECKING:
    from sharedcalling.domain.tenant import Group, User
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

EXPORT_FORMATS = {
    "ps1": ("text/plain; charset=utf-8", "ps1"),
    "json": ("application/json; charset=utf-8", "json"),
}

__all__ = ["EXPORT_FORMATS", "SetupDraft", "SetupReview", "SetupUseCases"]


@dataclass(frozen=True, slots=True)
class SetupUseCases:
    """The set-up steps' use cases over one Services bundle."""

    services: Services

    async def list_accounts(self) -> list[accounts.AccountChoice]:
        return await accounts.list_accounts(tenant=self.services.tenant)

    async def account(self, account_id: UserId) -> accounts.AccountChoice:
        """The resource account as step 1 judged it (no choices applied yet)."""
        return await accounts.pick_account(account_id, tenant=self.services.tenant)

    async def check_account(
        self, account_id: str, location_id: str | None, vrp: str | None
    ) -> tuple[accounts.AccountChoice, str | None, str | None]:
        return await accounts.check_account(
            account_id, tenant=self.services.tenant, location_id=location_id, vrp=vrp
        )

    async def fix_choices(self, country: str | None) -> accounts.FixChoices:
        tenant = self.services.tenant
        snapshot = await tenant.snapshot(SnapshotScope())
        return await accounts.fix_choices(snapshot, tenant, country)

    async def policy_choices(self, account_id: UserId) -> policies.PolicyChoices:
        return await policies.policy_choices(account_id, tenant=self.services.tenant)

    async def check_policy(
        self, account_id: UserId, reuse: str | None, new_name: str | None
    ) -> tuple[str, bool]:
        return await policies.check_policy(
            account_id, reuse=reuse, new_name=new_name, tenant=self.services.tenant
        )

    async def emergency_options(
        self, account_id: UserId, policy_name: str, chosen: Sequence[str]
    ) -> numbers.EmergencyOptions:
        return await numbers.emergency_options(
            account_id, policy_name, chosen, tenant=self.services.tenant
        )

    async def add_numbers(
        self, draft: SetupDraft, picked: Sequence[str], typed: str
    ) -> tuple[str, ...]:
        account, policy = _account_and_policy(draft)
        return await numbers.add_numbers(
            draft.emergency_numbers or (),
            picked,
            typed,
            account_id=account,
            policy_name=policy,
            tenant=self.services.tenant,
        )

    async def check_numbers(self, draft: SetupDraft) -> None:
        account, policy = _account_and_policy(draft)
        await numbers.check_numbers(
            draft.emergency_numbers or (),
            account_id=account,
            policy_name=policy,
            tenant=self.services.tenant,
        )

    async def search_people(self, text: str, skip: int, top: int) -> list[User]:
        return await selection.search_people(text, skip=skip, top=top, tenant=self.services.tenant)

    async def search_groups(self, text: str, skip: int, top: int) -> list[Group]:
        return await selection.search_groups(text, skip=skip, top=top, tenant=self.services.tenant)

    async def suggestions(self) -> tuple[list[User], list[Group]]:
        """What the people and group typeaheads show before anything is typed."""
        tenant = self.services.tenant
        people = await selection.suggest_people(tenant=tenant)
        return people, await selection.suggest_groups(tenant=tenant)

    async def add_to_selection(
        self, current: Sequence[UserId], picked: Sequence[str], group_id: str | None, pasted: str
    ) -> tuple[tuple[UserId, ...], selection.SelectionReport, Group | None]:
        return await selection.add_to_selection(
            current, picked=picked, group_id=group_id, pasted=pasted, tenant=self.services.tenant
        )

    async def extension_candidates(self, user_ids: Sequence[UserId]) -> list[User]:
        return await selection.extension_candidates(user_ids, tenant=self.services.tenant)

    async def assignment_options(self, draft: SetupDraft) -> assignment.AssignmentOptions:
        return await assignment.assignment_options(
            draft.users_group_id, tenant=self.services.tenant
        )

    async def check_group_assignment(
        self, group_id: str, rank: str | int | None
    ) -> tuple[Group, int]:
        return await assignment.check_group_assignment(group_id, rank, tenant=self.services.tenant)

    async def review(self, draft: SetupDraft) -> SetupReview:
        services = self.services
        return await review_setup(
            draft, tenant_id=services.tenant_id, tenant=services.tenant, uow=services.uow
        )

    async def submit(
        self,
        draft: SetupDraft,
        principal: Principal,
        *,
        reviewed_fingerprint: str,
        justification: str,
        attested: Sequence[str],
        card: CardLocation | None = None,
        tell_people: bool = True,
    ) -> ChangeRequest:
        """Store the request as PENDING, then tell the approval workflow at once.

        `card` is the card the admin clicked Submit on: it becomes their status copy of the
        request (recorded before the announcement, which then sends them no second one)."""
        services = self.services
        request = await submit_setup(
            draft,
            reviewed_fingerprint=reviewed_fingerprint,
            justification=justification,
            attested=attested,
            principal=principal,
            tenant=services.tenant,
            uow=services.uow,
            clock=services.clock,
            tell_people=tell_people,
        )
        if card is not None:
            await record_status_copy(services, request, card)
        try:
            await services.after_submit(request)
        except Exception:  # the request is stored; a background job announces it anyway
            logger.exception("Announcing request %s right after submit failed", request.id)
        return request

    async def export(self, draft: SetupDraft, principal: Principal, fmt: str) -> tuple[str, str]:
        """(download token, file name) of the draft's plan as PowerShell or JSON."""
        media_type, extension = EXPORT_FORMATS[fmt]
        plan = (await self.review(draft)).preview.plan
        if fmt == "ps1":
            content = plan_to_powershell(plan)
        else:
            content = json.dumps(plan_to_json(plan), indent=2, ensure_ascii=False) + "\n"
        filename = (
            f"shared-calling-plan-{plan.fingerprint.removeprefix('sha256:')[:12]}.{extension}"
        )
        token = await create_export_link(
            principal=principal,
            filename=filename,
            media_type=media_type,
            content=content,
            store=self.services.export_links,
            clock=self.services.clock,
            lifetime=self.services.export_link_lifetime,
        )
        return token, filename

    async def request(self, request_id: RequestId) -> ChangeRequest:
        return await requests.get_request(
            self.services.tenant_id, request_id, uow=self.services.uow
        )

    async def cancel_request(self, request_id: RequestId, principal: Principal) -> ChangeRequest:
        result = await requests.apply_event(
            self.services.tenant_id,
            request_id,
            RequestEvent.CANCEL,
            actor=requests.actor_of(principal),
            uow=self.services.uow,
            clock=self.services.clock,
        )
        return result.request


def _account_and_policy(draft: SetupDraft) -> tuple[UserId, str]:
    desired = draft.desired()
    return desired.resource_account_id, desired.policy_name


@dataclass(frozen=True, slots=True)
class CardLocation:
    """A card the bot sent: its conversation and activity id."""

    conversation_id: str
    activity_id: str


async def record_status_copy(
    services: Services, request: ChangeRequest, card: CardLocation
) -> None:
    """The card a requester submitted on becomes their status copy of the request card."""
    from sharedcalling.services.approvals.copies import STATUS

    copy = CardCopy(
        request.id,
        card.conversation_id,
        card.activity_id,
        STATUS,
        request.requester_id,
        services.clock.now(),
        rendered_version=request.version,  # the clicked card was answered with this version
    )
    async with services.uow() as work:
        await work.card_copies.add(copy)
        await work.commit()
