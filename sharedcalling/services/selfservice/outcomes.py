"""What a self-service question or submission came to: an offer, a filed request, a refusal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sharedcalling.domain.ids import RequestId
from sharedcalling.domain.requests import ChangeRequest
from sharedcalling.domain.rules import Finding
from sharedcalling.services.planning import PlanPreview


class Why(StrEnum):
    """Why no request was filed; stable codes for the audit log and tests."""

    NOT_OFFERED = "self_service_off"
    NOT_IN_GROUP = "not_in_allowed_group"
    ALREADY_SHARED = "already_shared_calling"
    OWN_NUMBER = "own_number"
    NEEDS_ADMIN = "setup_needs_admin"
    BLOCKED = "blocked"
    NOT_ACKNOWLEDGED = "needs_acknowledgement"
    OFFER_BROKEN = "offer_blocked"
    OPEN_REQUEST = "open_request"
    RATE_LIMITED = "rate_limited"
    STALE_CARD = "plan_changed"
    FORGED = "forged_action"
    BAD_REASON = "bad_reason"


@dataclass(frozen=True, slots=True)
class Refused:
    why: Why
    text: str
    codes: tuple[str, ...] = ()
    request_id: RequestId | None = None


@dataclass(frozen=True, slots=True)
class Offered:
    """The plan for the asker alone, ready to be requested with a reason."""

    preview: PlanPreview
    account_name: str
    account_number: str | None
    policy_name: str
    warnings: tuple[Finding, ...] = ()
    notice: str = ""
    """Said above the plan (for example: the plan changed since the last card)."""

    @property
    def fingerprint(self) -> str:
        return self.preview.plan.fingerprint


@dataclass(frozen=True, slots=True)
class Filed:
    request: ChangeRequest


SelfServiceResult = Refused | Offered | Filed
