"""What the emulated tenant's reads share: scoped snapshots built once per tenant version."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from sharedcalling.adapters.tenant.emulated_state import TenantState
from sharedcalling.domain import names
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.tenant import TenantSnapshot, User


class ScopedSnapshots:
    """Snapshots for a few users without scanning every account: what every scoped snapshot
    shares (resource accounts, numbers, policies, groups...) is built once per tenant version
    (EmulatedTenantGateway drops it on every write), and only the asked-for users are added."""

    def __init__(self, state: TenantState, tenant_id: TenantId) -> None:
        self._base = state.snapshot(tenant_id, (), all_users=False)
        self._order = {key: index for index, key in enumerate(state.users)}

    def of(self, state: TenantState, user_ids: Collection[str]) -> TenantSnapshot:
        users = dict(self._base.users)
        added = False
        for user_id in user_ids:
            key = user_id.lower()
            user = state.users.get(key)
            if user is not None and key not in users:
                users[UserId(key)] = user
                added = True
        if added:
            # The order a full scan gives, so that results do not depend on this cache.
            users = dict(sorted(users.items(), key=lambda item: self._order[item[0]]))
        return replace(self._base, users=users)


def matches_search(user: User, wanted: str) -> bool:
    candidates = (
        user.display_name,
        *user.display_name.split(),
        user.user_principal_name,
        user.mail_nickname,
    )
    return any(names.fold(c).startswith(wanted) for c in candidates)
