"""DesiredState: the Shared Calling configuration an admin asks for, in tenant ids and E.164."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sharedcalling.domain.ids import GroupId, UserId


@dataclass(frozen=True, slots=True)
class GroupAssignment:
    """Deliver the Shared Calling policy by group policy assignment instead of per user.

    Only the group's *direct* members receive it (SC-P08); `rank` 1 is the highest.
    """

    group_id: GroupId
    rank: int


@dataclass(frozen=True, slots=True)
class DesiredState:
    """What the admin wants; the services layer builds it from names, UPNs and raw numbers.

    `emergency_numbers` None keeps an existing policy's emergency callback numbers (and means none
    for a new policy); a tuple is the exact set wanted. Numbers are E.164, already normalised.
    `number_countries` holds countries the services layer derived from the E.164 prefix for
    numbers whose `IsoCountryCode` is blank (often so for Direct Routing), keyed by number.
    """

    resource_account_id: UserId
    policy_name: str
    user_ids: tuple[UserId, ...] = ()
    emergency_numbers: tuple[str, ...] | None = None
    extension_dialing_user_ids: frozenset[UserId] = frozenset()
    ra_voice_routing_policy: str | None = None
    """A voice routing policy with PSTN usages to grant a Direct Routing resource account."""
    emergency_location_id: str | None = None
    """The emergency location to set on the resource account's number when it has none."""
    number_countries: Mapping[str, str] = field(default_factory=dict)
    group_assignment: GroupAssignment | None = None
    """None: grant the policy to each user directly (the default); else to this group."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "number_countries", MappingProxyType(dict(self.number_countries)))
