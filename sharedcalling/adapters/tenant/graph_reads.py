"""Graph read plans: which requests, batched or paged, build accounts and groups cheaply."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sharedcalling.adapters.tenant import graph_mapping as gm
from sharedcalling.adapters.tenant.graph_http import (
    BatchRequest,
    GraphClient,
    GraphResponse,
    error_for,
    first_error,
)
from sharedcalling.adapters.tenant.graph_licenses import SKU_SELECT, SkuCatalog
from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.tenant import Group, User

Json = gm.Json

CONFIGS = "/admin/teams/userConfigurations"
LIST_PAGE = 999
"""The largest `$top` the directory lists accept."""


@dataclass(slots=True)
class Accounts:
    """Accounts by lower-case id, the groups through which they inherit policies, and the
    tenant's subscribed SKUs (read alongside, since they name the accounts' licenses)."""

    users: dict[UserId, User] = field(default_factory=dict)
    wins: set[gm.GroupWin] = field(default_factory=set)
    skus: list[Json] = field(default_factory=list)

    @property
    def group_ids(self) -> set[GroupId]:
        return {win[1] for win in self.wins}


def ok_body(response: GraphResponse | None, operation: str) -> Json | None:
    """The body of a successful item; None for 404 (unknown ids are left out); else raise."""
    if response is None or response.status == 404:
        return None
    if response.status >= 400:
        raise error_for(response, operation)
    return response.body


SKUS = f"/subscribedSkus?$select={SKU_SELECT}"


class AccountReader:
    """Reads accounts and groups with as few Graph requests as paging and `$batch` allow.

    Licenses come with the user objects (`assignedLicenses`, `assignedPlans`,
    `provisionedPlans`), named through `/subscribedSkus`: no per-user license request.
    """

    def __init__(self, client: GraphClient) -> None:
        self._client = client

    # ------------------------------------------------------------------ accounts

    async def accounts(
        self,
        ids: Sequence[UserId],
        *,
        configs: Mapping[UserId, Json] | None = None,
        basics: Mapping[UserId, Json] | None = None,
    ) -> Accounts:
        """Accounts by id: the user object and (unless given) the userConfiguration per id, the
        Teams admin role members and the tenant's SKUs, all in `$batch`es of 20."""
        known_configs, known_basics = configs or {}, basics or {}
        unique = list(dict.fromkeys(ids))
        requests = [*self._role_requests(), BatchRequest("s", SKUS)]
        for user_id in unique:
            if user_id not in known_basics:
                requests.append(
                    BatchRequest(f"u|{user_id}", f"/users/{user_id}?$select={gm.USER_SELECT}")
                )
            if user_id not in known_configs:
                requests.append(
                    BatchRequest(f"c|{user_id}", f"{CONFIGS}/{user_id}?$select={gm.CONFIG_SELECT}")
                )
        answers = await self._client.batch(requests)
        roles = await self._roles_from(answers)
        skus = answers.get("s")
        if skus is not None and skus.status == 404:  # the tenant's SKU list never is "absent"
            raise error_for(skus, "list subscribedSkus")
        result = Accounts(skus=await self._all_items(skus, "list subscribedSkus"))
        catalog = SkuCatalog(result.skus)
        for user_id in unique:
            basic = known_basics.get(user_id) or ok_body(answers.get(f"u|{user_id}"), "get user")
            if basic is None:
                continue
            config = known_configs.get(user_id) or ok_body(
                answers.get(f"c|{user_id}"), "get userConfiguration"
            )
            self._add(result, basic, catalog, config, roles)
        return result

    async def resource_accounts(self) -> Accounts:
        configs = await self._resource_account_configs()
        return await self.accounts(list(configs), configs=configs)

    async def scoped_accounts(self, ids: Sequence[UserId]) -> Accounts:
        """The requested accounts plus every resource account, which a snapshot always holds."""
        configs = await self._resource_account_configs()
        return await self.accounts([*ids, *configs], configs=configs)

    async def all_accounts(self) -> Accounts:
        """Every account, from list endpoints only: users (with their license properties) and
        userConfigurations page side by side, with the SKUs and role members read meanwhile."""
        users: list[Json] = []
        try:
            async with asyncio.TaskGroup() as tasks:
                configs_job = tasks.create_task(
                    # No $top: Graph documents no maximum page size for userConfigurations.
                    self._client.collect(f"{CONFIGS}?$select={gm.CONFIG_SELECT}")
                )
                roles_job = tasks.create_task(self._roles())
                skus_job = tasks.create_task(self._client.collect(SKUS))
                async for page in self._client.pages(
                    f"/users?$select={gm.USER_SELECT}&$top={LIST_PAGE}"
                ):
                    users.extend(page)
        except BaseExceptionGroup as failed:
            raise first_error(failed) from None
        configs = {UserId(str(c["id"]).lower()): c for c in configs_job.result()}
        roles = roles_job.result()
        result = Accounts(skus=skus_job.result())
        catalog = SkuCatalog(result.skus)
        for basic in users:
            user_id = UserId(str(basic["id"]).lower())
            self._add(result, basic, catalog, configs.get(user_id), roles)
        return result

    @staticmethod
    def _add(
        result: Accounts,
        basic: Json,
        catalog: SkuCatalog,
        config: Json | None,
        roles: Mapping[UserId, tuple[str, ...]],
    ) -> None:
        user_id = UserId(str(basic["id"]).lower())
        result.users[user_id] = gm.user_from_graph(
            basic, catalog=catalog, config=config, roles=roles.get(user_id, ())
        )
        result.wins |= gm.group_wins(user_id, config)

    async def _resource_account_configs(self) -> dict[UserId, Json]:
        url = f"{CONFIGS}?$filter=accountType eq 'resourceAccount'&$select={gm.CONFIG_SELECT}"
        items = await self._client.collect(url)
        return {UserId(str(item["id"]).lower()): item for item in items}

    # ------------------------------------------------------------------ roles

    @staticmethod
    def _role_requests() -> list[BatchRequest]:
        return [
            BatchRequest(
                f"r|{template}",
                f"/directoryRoles(roleTemplateId='{template}')/members?$select=id&$top={LIST_PAGE}",
            )
            for template in gm.ROLE_TEMPLATES
        ]

    async def teams_admins(self) -> list[UserId]:
        """Every holder of a Teams admin role: one `$batch` of the role member lists."""
        return sorted(await self._roles())

    async def _roles(self) -> dict[UserId, tuple[str, ...]]:
        return await self._roles_from(await self._client.batch(self._role_requests()))

    async def _roles_from(
        self, answers: Mapping[str, GraphResponse]
    ) -> dict[UserId, tuple[str, ...]]:
        """Teams admin roles by member id. A 404 means the role was never activated in the
        tenant, so nobody holds it."""
        roles: dict[UserId, list[str]] = {}
        for template, role_name in gm.ROLE_TEMPLATES.items():
            for member in await self._all_items(answers.get(f"r|{template}"), "list role members"):
                roles.setdefault(UserId(str(member["id"]).lower()), []).append(role_name)
        return {user_id: tuple(sorted(names)) for user_id, names in roles.items()}

    async def _all_items(self, response: GraphResponse | None, operation: str) -> list[Json]:
        """The items of a collection answered inside a batch, plus its further pages."""
        body = ok_body(response, operation)
        if body is None:
            return []
        items = list(body.get("value") or ())
        if body.get("@odata.nextLink"):
            items.extend(await self._client.collect(str(body["@odata.nextLink"])))
        return items

    # ------------------------------------------------------------------ groups

    async def groups(self, ids: Sequence[GroupId]) -> list[Group]:
        """Groups with their direct members; unknown ids are left out."""
        requests: list[BatchRequest] = []
        for group_id in ids:
            requests.append(
                BatchRequest(f"g|{group_id}", f"/groups/{group_id}?$select={gm.GROUP_SELECT}")
            )
            requests.append(
                BatchRequest(
                    f"m|{group_id}",
                    f"/groups/{group_id}/members?$select={gm.MEMBER_SELECT}&$top={LIST_PAGE}",
                )
            )
        answers = await self._client.batch(requests) if requests else {}
        found = []
        for group_id in ids:
            group = ok_body(answers.get(f"g|{group_id}"), "get group")
            if group is not None:
                members = await self._all_items(answers.get(f"m|{group_id}"), "list group members")
                found.append(gm.group_from_graph(group, members))
        return found
