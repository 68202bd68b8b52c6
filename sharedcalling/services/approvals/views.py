"""What a person sees of a request: their audience (decide, status, requester) and the view
model the cards render. Pure functions of the request, the roster and the viewer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.names import fold, same
from sharedcalling.domain.requests import (
    Actor,
    ChangeRequest,
    RequestKind,
    RequestState,
)
from sharedcalling.domain.requests import may_decide as may_decide_role
from sharedcalling.services.approvals.policy import MAX_REFRESH_USERS, ApprovalPolicy
from sharedcalling.services.notices import Notice


class Audience(StrEnum):
    DECIDE = "decide"
    """An eligible approver who has not decided yet: Approve and Reject."""
    STATUS = "status"
    """Everyone else: who decided what, and what is still pending."""
    REQUESTER = "requester"
    """The requester: the status, with Cancel while it can be cancelled, Re-plan when stale."""


@dataclass(frozen=True, slots=True)
class Roster:
    """The approver group as last read: member ids and, for small groups, their names."""

    group_name: str
    approver_ids: tuple[UserId, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    known: bool = True
    """False when the group could not be read: nobody is treated as an approver."""
    admin_ids: tuple[UserId, ...] = ()
    """Direct members of the admin group: they also decide self-service requests."""
    admin_group_name: str = "the admin group"

    def name_of(self, user_id: str) -> str:
        return self.names.get(fold(user_id), user_id)

    def is_approver(self, user_id: str) -> bool:
        return any(same(a, user_id) for a in self.approver_ids)

    def is_admin(self, user_id: str) -> bool:
        return any(same(a, user_id) for a in self.admin_ids)

    def deciders(self, request: ChangeRequest) -> tuple[UserId, ...]:
        """Who decides requests of this kind: approvers, and admins for self-service."""
        if request.kind is not RequestKind.SELF_SERVICE:
            return self.approver_ids
        return tuple(dict.fromkeys((*self.approver_ids, *self.admin_ids)))

    def deciders_name(self, request: ChangeRequest) -> str:
        if request.kind is not RequestKind.SELF_SERVICE:
            return self.group_name
        return f"{self.group_name}, {self.admin_group_name} or a Teams admin"

    def eligible(self, request: ChangeRequest) -> tuple[UserId, ...]:
        """Deciders of `request`: never its requester or beneficiary (separation of duties)."""
        barred = {fold(request.requester_id), fold(request.beneficiary_id or "")}
        return tuple(a for a in self.deciders(request) if fold(a) not in barred)


@dataclass(frozen=True, slots=True)
class RequestView:
    """Everything a request card shows, for one audience."""

    request: ChangeRequest
    audience: Audience
    roster: Roster
    policy: ApprovalPolicy
    page: int = 0
    notice: Notice | None = None
    offer_install: bool = False
    """Show the requester "Install the app" for approvers the bot could not reach."""

    @property
    def refresh_user_ids(self) -> tuple[str, ...]:
        """Who Teams refreshes the card for automatically: the approvers and the requester,
        when they are at most 60; beyond that everyone refreshes on demand (empty)."""
        ids = tuple(dict.fromkeys([*self.roster.eligible(self.request), self.request.requester_id]))
        return ids if len(ids) <= MAX_REFRESH_USERS else ()

    @property
    def pending_approvers(self) -> tuple[UserId, ...]:
        """Eligible approvers who have not decided, while the request is pending."""
        if self.request.state is not RequestState.PENDING:
            return ()
        return tuple(a for a in self.roster.eligible(self.request) if not self.decided(a))

    def decided(self, user_id: str) -> bool:
        return self.request.decided_by(user_id) is not None


def audience_for(request: ChangeRequest, viewer: Actor, roster: Roster) -> Audience:
    """Buttons only for an eligible approver (by the roster the server read) who has not decided."""
    if same(viewer.id, request.requester_id):
        return Audience.REQUESTER
    may_decide = (
        request.state is RequestState.PENDING
        and (
            viewer.is_approver or roster.is_approver(viewer.id) or may_decide_role(request, viewer)
        )
        and any(same(a, viewer.id) for a in roster.eligible(request))
        and request.decided_by(viewer.id) is None
    )
    return Audience.DECIDE if may_decide else Audience.STATUS


def may_view(request: ChangeRequest, viewer: Actor, roster: Roster) -> bool:
    """Requester, beneficiary, approvers and admins may see a request; nobody else learns of it."""
    return (
        viewer.is_admin
        or viewer.is_approver
        or roster.is_approver(viewer.id)
        or same(viewer.id, request.requester_id)
        or same(viewer.id, request.beneficiary_id)
    )
