"""SetupDraft: what the admin has chosen so far, as JSON primitives for the dialog state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sharedcalling.domain import names
from sharedcalling.domain.desired import DesiredState, GroupAssignment
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import GroupId, UserId

DRAFT_FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class SetupDraft:
    """The answers of the set-up steps. A step's answer is None until the step is done.

    `emergency_numbers` is in the admin's order (the first is reused when none is free).
    `group_id` None means the policy is granted to each user directly.
    """

    resource_account_id: UserId | None = None
    emergency_location_id: str | None = None
    ra_voice_routing_policy: str | None = None
    policy_name: str | None = None
    policy_is_new: bool = False
    emergency_numbers: tuple[str, ...] | None = None
    user_ids: tuple[UserId, ...] = ()
    extension_dialing_user_ids: tuple[UserId, ...] = ()
    group_id: GroupId | None = None
    group_rank: int | None = None
    users_group_id: GroupId | None = None
    """The last group whose members were added in the users step (offered for assignment)."""

    def desired(self) -> DesiredState:
        """The desired state of a complete draft; InvalidInput names the first missing answer."""
        if self.resource_account_id is None:
            raise InvalidInput("Choose a resource account first.")
        if self.policy_name is None:
            raise InvalidInput("Choose or name a Shared Calling policy first.")
        group = None
        if self.group_id is not None:
            group = GroupAssignment(self.group_id, self.group_rank or 1)
        return DesiredState(
            resource_account_id=self.resource_account_id,
            policy_name=self.policy_name,
            user_ids=self.user_ids,
            emergency_numbers=self.emergency_numbers or (),
            extension_dialing_user_ids=frozenset(self.extension_dialing_user_ids),
            ra_voice_routing_policy=self.ra_voice_routing_policy,
            emergency_location_id=self.emergency_location_id,
            group_assignment=group,
        )

    def with_account(
        self, account_id: UserId, location_id: str | None, vrp: str | None
    ) -> SetupDraft:
        """A new account resets the later answers that depend on it (its policies, numbers)."""
        same = names.same(self.resource_account_id, account_id)
        return replace(
            self
            if same
            else SetupDraft(user_ids=self.user_ids, users_group_id=self.users_group_id),
            resource_account_id=account_id,
            emergency_location_id=location_id,
            ra_voice_routing_policy=vrp,
        )

    def with_policy(self, name: str, *, is_new: bool) -> SetupDraft:
        if names.same(self.policy_name, name) and self.policy_is_new == is_new:
            return self
        return replace(self, policy_name=name, policy_is_new=is_new, emergency_numbers=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": DRAFT_FORMAT_VERSION,
            "ra": self.resource_account_id,
            "location": self.emergency_location_id,
            "ra_vrp": self.ra_voice_routing_policy,
            "policy": self.policy_name,
            "policy_new": self.policy_is_new,
            "numbers": None if self.emergency_numbers is None else list(self.emergency_numbers),
            "users": list(self.user_ids),
            "ext": list(self.extension_dialing_user_ids),
            "group": self.group_id,
            "rank": self.group_rank,
            "users_group": self.users_group_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SetupDraft:
        """The draft `to_json` wrote; ValueError for anything else (a tampered state)."""
        if data.get("v") != DRAFT_FORMAT_VERSION:
            raise ValueError(f"unsupported set-up draft version {data.get('v')!r}")
        try:
            numbers = data["numbers"]
            return cls(
                resource_account_id=_optional(data["ra"], UserId),
                emergency_location_id=_optional(data["location"], str),
                ra_voice_routing_policy=_optional(data["ra_vrp"], str),
                policy_name=_optional(data["policy"], str),
                policy_is_new=bool(data["policy_new"]),
                emergency_numbers=None if numbers is None else tuple(map(_text, numbers)),
                user_ids=tuple(UserId(_text(u)) for u in data["users"]),
                extension_dialing_user_ids=tuple(UserId(_text(u)) for u in data["ext"]),
                group_id=_optional(data["group"], GroupId),
                group_rank=None if data["rank"] is None else int(data["rank"]),
                users_group_id=_optional(data.get("users_group"), GroupId),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a set-up draft: {error!r}") from error


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _optional(value: Any, kind: Any) -> Any:
    return None if value is None else kind(_text(value))
