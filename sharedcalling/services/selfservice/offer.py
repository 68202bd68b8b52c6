"""The self-service offer as settings: what a person may request for themselves, and how often."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sharedcalling.domain.ids import GroupId

DEFAULT_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class SelfServiceOffer:
    """Off unless an account and a policy are set (SELF_SERVICE_RESOURCE_ACCOUNT and
    SELF_SERVICE_POLICY); `acknowledged` are the rule codes whose attestation the admins gave
    once for the offer (SELF_SERVICE_ACKNOWLEDGED), since a requester cannot vouch for them."""

    resource_account: str = ""
    """The resource account's UPN or object id, resolved when someone asks."""
    policy_name: str = ""
    group_ids: tuple[GroupId, ...] = ()
    """Direct members of these Entra groups may ask."""
    max_requests: int = 3
    window: timedelta = DEFAULT_WINDOW
    acknowledged: frozenset[str] = frozenset()

    @property
    def enabled(self) -> bool:
        return bool(self.resource_account and self.policy_name)

    def window_text(self) -> str:
        hours = self.window.total_seconds() / 3600
        return f"{hours:g} hours" if hours != 1 else "hour"
