"""Which snapshot a check reads: scoped to the accounts involved, or every account.

A scoped read costs Graph two `$batch` items per account (its user object and its
userConfiguration), 20 to a `$batch`; the all-users read costs list pages: `/users` 999 to a
page and userConfigurations 100 to a page (docs/benchmarks.md, "Graph reads" and "Hazard
check"). Everything else (numbers, SKUs, role members, groups) is read the same way by both. For
10,000 accounts that is about 1,004 requests scoped against 116 listed: past about one account
in nine of the tenant, the listing is cheaper. The emulated tenant reads memory either way.

The tenant's size is only known after one all-users read, so a check remembers it in its record
(`summary["tenant_accounts"]`) and carries it forward.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sharedcalling.domain.ids import UserId
from sharedcalling.services.ports import SnapshotScope

BATCH_ITEMS = 20
USERS_PAGE = 999
CONFIGS_PAGE = 100
SIZE_KEY = "tenant_accounts"
"""Where a check record keeps the number of accounts the latest all-users read found."""


def scoped_requests(accounts: int) -> int:
    """Graph requests of a snapshot scoped to `accounts` accounts: their `$batch`es (with the
    two role lists and the SKUs), the resource accounts' configurations and the groups."""
    return math.ceil((2 * accounts + 3) / BATCH_ITEMS) + 2


def listing_requests(tenant_accounts: int) -> int:
    """Graph requests of the all-users snapshot of a tenant of `tenant_accounts` accounts:
    the two lists' pages, the SKUs, the role lists' `$batch` and the groups."""
    pages = math.ceil(tenant_accounts / USERS_PAGE) + math.ceil(tenant_accounts / CONFIGS_PAGE)
    return pages + 3


def known_size(summary: Mapping[str, object] | None) -> int | None:
    """The tenant size a check record carries, if any."""
    size = (summary or {}).get(SIZE_KEY)
    return size if isinstance(size, int) and not isinstance(size, bool) else None


def choose_scope(
    user_ids: Sequence[UserId], *, tenant_accounts: int | None, full_read_from: int
) -> SnapshotScope:
    """Scoped below `full_read_from` accounts (at most about a hundred requests, whatever the
    tenant's size); from there the all-users read when it costs no more requests, or when the
    tenant's size is not known yet (that read tells it)."""
    if len(user_ids) < full_read_from:
        return SnapshotScope(user_ids=user_ids)
    if tenant_accounts is None or listing_requests(tenant_accounts) <= scoped_requests(
        len(user_ids)
    ):
        return SnapshotScope(all_users=True)
    return SnapshotScope(user_ids=user_ids)
