"""GraphTenantGateway: the tenant read through Microsoft Graph v1.0 (and number locations)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from sharedcalling.adapters.tenant import graph_mapping as gm
from sharedcalling.adapters.tenant.graph_http import BatchRequest, GraphClient, gather_all
from sharedcalling.adapters.tenant.graph_reads import AccountReader, ok_body
from sharedcalling.domain.ids import GroupId, TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.domain.tenant import (
    Group,
    PhoneNumber,
    TenantSnapshot,
    User,
)
from sharedcalling.services.ports import (
    SnapshotScope,
    TenantError,
    TenantNotFound,
    TenantReader,
    TenantUnavailable,
    TenantValidationError,
)

logger = logging.getLogger(__name__)

NUMBERS = "/admin/teams/telephoneNumberManagement/numberAssignments"
NUMBER_PAGE = 1000
"""numberAssignments pages with $top/$skip; 1000 is its documented maximum."""


class GraphWriteUnsupported(TenantError):
    """Graph has no API for this write; the Teams PowerShell backend must do it."""


class GraphTenantGateway(TenantReader):
    """Reads users, licenses, Teams configurations, groups, numbers and SKUs from Graph.

    A reader only: Graph has no API for the writes of the plan (docs/graph.md) except a
    number's emergency location (`set_number_location`), which the composite backend uses.

    Graph cannot read policy definitions or group policy assignments, so snapshots leave those
    empty: the composite backend merges them from PowerShell. Users carry their direct policy
    assignments from `effectivePolicyAssignments`. Groups are the configured `group_ids` plus
    every group through which a read user inherits a policy.
    """

    def __init__(
        self,
        client: GraphClient,
        tenant_id: str,
        *,
        group_ids: Collection[str] = (),
        operation_poll_interval: float = 2.0,
        operation_poll_attempts: int = 30,
        number_page: int = NUMBER_PAGE,
    ) -> None:
        self.tenant_id = TenantId(tenant_id)
        self.client = client
        self._group_ids = tuple(GroupId(g.lower()) for g in group_ids if g)
        self._reader = AccountReader(client)
        self._poll_interval = operation_poll_interval
        self._poll_attempts = operation_poll_attempts
        self._number_page = number_page

    async def close(self) -> None:
        """Close the HTTP session; the gateway must not be used afterwards."""
        await self.client.close()

    async def __aenter__(self) -> GraphTenantGateway:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ reads

    async def get_user(self, key: str) -> User:
        user_id, basics = UserId(key.lower()), {}
        if not _is_guid(key):
            basic = await self.client.get(f"/users/{_segment(key)}?$select={gm.USER_SELECT}")
            user_id = UserId(str(basic["id"]).lower())
            basics = {user_id: basic}
        accounts = await self._reader.accounts([user_id], basics=basics)
        found = accounts.users.get(user_id)
        if found is None:
            raise TenantNotFound(f"no user {key!r}", operation="get_user")
        return found

    async def find_users(self, keys: Sequence[str]) -> dict[str, User | None]:
        """Many accounts in `$batch`es: the user objects of the UPNs (20 to a batch), then one
        `accounts` read of every id, so the role lists and SKUs are read once, not per key."""
        wanted = list(dict.fromkeys(fold(key) for key in keys if key.strip()))
        by_name = [key for key in wanted if not _is_guid(key)]
        requests = [
            BatchRequest(f"n|{index}", f"/users/{_segment(key)}?$select={gm.USER_SELECT}")
            for index, key in enumerate(by_name)
        ]
        answers = await self.client.batch(requests) if requests else {}
        ids: dict[str, UserId] = {key: UserId(key) for key in wanted if _is_guid(key)}
        basics: dict[UserId, Any] = {}
        for index, key in enumerate(by_name):
            body = ok_body(answers.get(f"n|{index}"), "get_user")
            if body is not None:
                ids[key] = UserId(str(body["id"]).lower())
                basics[ids[key]] = body
        accounts = await self._reader.accounts(list(dict.fromkeys(ids.values())), basics=basics)
        return {key: accounts.users.get(ids[key]) if key in ids else None for key in wanted}

    async def search_users(self, text: str, *, limit: int = 25) -> list[User]:
        if limit <= 0:
            return []
        query = f"$select={gm.USER_SELECT}&$top={limit}&$orderby=displayName&$count=true"
        if text:
            # $search matches the start of any word of displayName (startswith in $filter would
            # only match the start of the whole name); it is an advanced query.
            query += "&$search=" + quote(gm.search_clause(text), safe="")
        page = await self.client.get(f"/users?{query}", headers={"ConsistencyLevel": "eventual"})
        basics = {UserId(str(item["id"]).lower()): item for item in page.get("value") or ()}
        ids = list(basics)[:limit]
        accounts = await self._reader.accounts(ids, basics=basics)
        users = [accounts.users[i] for i in ids if i in accounts.users]
        return sorted(users, key=lambda u: (fold(u.display_name), fold(u.user_principal_name)))

    async def list_resource_accounts(self) -> list[User]:
        accounts = await self._reader.resource_accounts()
        return sorted(accounts.users.values(), key=lambda u: fold(u.user_principal_name))

    async def get_group(self, group_id: GroupId) -> Group:
        groups = await self._reader.groups([GroupId(group_id.lower())])
        if not groups:
            raise TenantNotFound(f"no group {group_id!r}", operation="get_group")
        return groups[0]

    async def list_numbers(self) -> list[PhoneNumber]:
        items = await self.client.collect_skip(NUMBERS, top=self._number_page)
        numbers = (gm.number_from_graph(item) for item in items)
        return sorted((n for n in numbers if n is not None), key=lambda n: n.telephone_number)

    async def list_teams_admins(self) -> list[UserId] | None:
        return await self._reader.teams_admins()

    async def snapshot(self, scope: SnapshotScope) -> TenantSnapshot:
        if scope.all_users:
            accounts_task = self._reader.all_accounts()
        else:
            accounts_task = self._reader.scoped_accounts(
                [UserId(i.lower()) for i in scope.user_ids]
            )
        accounts, numbers = await gather_all(accounts_task, self.list_numbers())
        skus = sorted(map(gm.sku_from_graph, accounts.skus), key=lambda s: s.sku_part_number)
        found = await self._reader.groups(sorted(set(self._group_ids) | accounts.group_ids))
        groups = {g.id: g for g in found}
        return TenantSnapshot(
            tenant_id=self.tenant_id,
            users=dict(accounts.users),
            numbers={n.telephone_number: n for n in numbers},
            groups=groups,
            group_assignments=gm.infer_group_assignments(accounts.wins, groups),
            subscribed_skus=tuple(skus),
        )

    # ------------------------------------------------------------------ writes

    async def set_number_location(self, telephone_number: str, location_id: str) -> None:
        """`POST numberAssignments/updateNumber`. Documented as `200 OK` with no body and no
        operation to poll; a `202` that names an operation in `Location` (as assignNumber
        answers) is polled until the operation ends."""
        response = await self.client.call(
            "POST",
            f"{NUMBERS}/updateNumber",
            payload={"telephoneNumber": telephone_number, "locationId": location_id},
            operation="set_number_location",
        )
        location = _header(response.headers, "Location")
        if response.status == 202 and location:
            await self._await_operation(location)

    async def _await_operation(self, location: str) -> None:
        """Poll a telephoneNumberLongRunningOperation: `status` is notStarted, running,
        succeeded, failed or skipped; `numbers[]` carry each number's `status`/`statusDetail`."""
        operation = "set_number_location"
        for _ in range(self._poll_attempts):
            response = await self.client.call("GET", location, operation=operation)
            body = _operation_of(response.body)
            status = fold(str(body.get("status") or ""))
            if status == "succeeded":
                return
            if status in ("failed", "skipped"):
                raise TenantValidationError(
                    f"{operation}: operation {status}: {_operation_detail(body)}",
                    operation=operation,
                    request_id=_header(response.headers, "request-id"),
                )
            await self.client.retry.sleep(self._poll_interval)
        raise TenantUnavailable(
            f"{operation}: operation did not finish in time", operation=operation
        )


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _segment(value: str) -> str:
    """A UPN as a URL path segment (`#`, `/` and `?` would end the path)."""
    return quote(value, safe="@.-_")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _operation_of(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The operation object; the Get telephoneNumberLongRunningOperation example wraps it in
    `value`, the resource page shows it bare."""
    inner = body.get("value")
    return inner if isinstance(inner, Mapping) else body


def _operation_detail(body: Mapping[str, Any]) -> str:
    details = [
        str(number.get("statusDetail") or number.get("status") or "")
        for number in body.get("numbers") or ()
        if fold(str(number.get("status") or "")) != "succeeded"
    ]
    return "; ".join(d for d in details if d) or "the service gave no detail"
