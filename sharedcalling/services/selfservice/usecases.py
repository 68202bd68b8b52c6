"""The self-service use cases bound to Services: what the edge calls."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharedcalling.domain.access import Principal
from sharedcalling.services.selfservice import check, submit
from sharedcalling.services.selfservice.offer import SelfServiceOffer
from sharedcalling.services.selfservice.outcomes import (
    Filed,
    Offered,
    Refused,
    SelfServiceResult,
    Why,
)
from sharedcalling.services.setup import CardLocation, record_status_copy

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

__all__ = [
    "CardLocation",
    "Filed",
    "Offered",
    "Refused",
    "SelfServiceOffer",
    "SelfServiceResult",
    "SelfServiceUseCases",
    "Why",
]


@dataclass(frozen=True, slots=True)
class SelfServiceUseCases:
    services: Services

    async def offer(self, principal: Principal) -> Refused | Offered:
        """What the asker could request now, or why not (read-only)."""
        return await check.evaluate(self.services, principal)

    async def submit(
        self,
        principal: Principal,
        fingerprint: object,
        reason: object,
        *,
        card: CardLocation | None = None,
    ) -> SelfServiceResult:
        """File the request shown on the card (its fingerprint) with the asker's reason, then
        announce it. `card`, the card clicked, becomes the requester's copy of the request card
        (recorded first, so the announcement sends them no second one)."""
        result = await submit.submit(self.services, principal, fingerprint, reason)
        if not isinstance(result, Filed):
            return result
        if card is not None:
            await record_status_copy(self.services, result.request, card)
        try:
            await self.services.after_submit(result.request)
        except Exception:  # the request is stored; the announce job sends it anyway
            logger.exception("Announcing request %s right after submit failed", result.request.id)
        return result
