"""The fake Graph's endpoints over one tenant snapshot: routing, $select, $filter and paging."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlencode

from sharedcalling.domain.tenant import SubscribedSku, TenantSnapshot, User
from sharedcalling.services.ports import TenantError, TenantNotFound, TenantValidationError
from tests.fakes import fake_graph_json as gj

Json = dict[str, Any]
Query = dict[str, str]

NUMBERS = "/admin/teams/telephoneNumberManagement/numberAssignments"
OPERATIONS = "/admin/teams/telephoneNumberManagement/operations"
OPERATION_TYPE = "#microsoft.graph.teamsAdministration.telephoneNumberLongRunningOperation"
USERS_PAGE = (100, 999)
"""Default and maximum `$top` of directory lists."""
CONFIGS_PAGE = (100, 100)
"""userConfigurations: Graph documents no maximum; the fake assumes a conservative 100."""
NUMBERS_PAGE = (500, 1000)


@dataclass
class Reply:
    status: int
    body: Json | None
    headers: dict[str, str] = field(default_factory=dict)
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def error(status: int, code: str, message: str) -> Reply:
    """Graph's error body (concepts/errors.md): error {code, message, innerError {date,
    request-id}}; the request-id header carries the same id."""
    reply = Reply(status, None)
    reply.body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": "2025-01-01T00:00:00", "request-id": reply.request_id},
        }
    }
    return reply


class Owner(Protocol):
    base_url: str
    operations: dict[str, Json]
    page_size: int | None
    number_writes_async: bool
    failing_number_write: str | None

    @property
    def tenant(self) -> Any: ...


Handler = Callable[..., Awaitable[Reply]]

_STARTSWITH = re.compile(r"startswith\((\w+),'((?:[^']|'')*)'\)")
_ACCOUNT_TYPE = re.compile(r"accountType eq '(\w+)'")
_SEARCH = re.compile(r'"(\w+):((?:[^"\\]|\\.)*)"')
_USER_PROPS = {"displayName", "userPrincipalName", "mailNickname", "mail", "givenName"}


class Routes:
    def __init__(self, snapshot: TenantSnapshot, owner: Owner) -> None:
        self.snapshot = snapshot
        self.owner = owner
        self.users = sorted(snapshot.users.values(), key=lambda u: u.id)
        self.by_key = {u.id.lower(): u for u in self.users} | {
            u.user_principal_name.lower(): u for u in self.users
        }
        self.catalog = gj.catalog_of(snapshot)
        self._configs: dict[str, Json] = {}
        self._user_data: dict[str, Json] = {}
        self.table: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/users"), self.list_users),
            ("GET", re.compile(r"/users/([^/]+)"), self.get_user),
            ("GET", re.compile(r"/users/([^/]+)/licenseDetails"), self.license_details),
            ("GET", re.compile(r"/subscribedSkus"), self.skus),
            ("GET", re.compile(r"/groups/([^/]+)"), self.get_group),
            ("GET", re.compile(r"/groups/([^/]+)/members"), self.group_members),
            ("GET", re.compile(r"/directoryRoles\(roleTemplateId='([^']+)'\)/members"), self.role),
            ("GET", re.compile(r"/admin/teams/userConfigurations"), self.list_configs),
            ("GET", re.compile(r"/admin/teams/userConfigurations/([^/]+)"), self.get_config),
            ("GET", re.compile(NUMBERS), self.numbers),
            ("POST", re.compile(NUMBERS + "/updateNumber"), self.update_number),
            # assignNumber's Location names operations('{id}'); the Get page shows
            # operations/{id}: both reach the operation.
            ("GET", re.compile(OPERATIONS + r"\('([^']+)'\)"), self.operation),
            ("GET", re.compile(OPERATIONS + r"/([^/]+)"), self.operation),
            ("POST", re.compile(r"/users/([^/]+)/teamwork/installedApps"), self.install_app),
        ]

    async def install_app(self, user_key: str, **fields: Any) -> Reply:
        from tests.fakes.fake_graph_apps import install_app

        return await install_app(self, user_key, **fields)

    async def dispatch(
        self, method: str, path: str, query: Query, body: Any, headers: dict[str, str]
    ) -> Reply:
        path = unquote(path)
        for verb, pattern, handler in self.table:
            found = pattern.fullmatch(path)
            if found and verb == method:
                return await handler(
                    *found.groups(), query=query, body=body, headers=headers, path=path
                )
        return error(400, "BadRequest", f"Resource not found for the segment '{path}'.")

    # ------------------------------------------------------------------ helpers

    def page(self, path: str, items: list[Json], query: Query, size: tuple[int, int]) -> Reply:
        """A collection page (concepts/paging.md): `value`, and an opaque `@odata.nextLink`
        while items remain; `@odata.count` with `$count=true`."""
        top = int(query.get("$top", size[0]))
        if top < 1 or top > size[1]:
            return error(400, "BadRequest", f"Invalid page size specified: '{top}'.")
        # Graph may serve fewer items than `$top` asks for; the nextLink brings the rest.
        top = min(top, self.owner.page_size or top)
        offset = int(query.get("$skiptoken", "0") or 0)
        body: Json = {
            "@odata.context": f"{self.owner.base_url}/v1.0/$metadata#{path}",
            "value": [gj.select(i, query.get("$select")) for i in items[offset : offset + top]],
        }
        if query.get("$count") == "true":
            body["@odata.count"] = len(items)
        if offset + top < len(items):
            params = {k: v for k, v in query.items() if k != "$skiptoken"}
            params["$skiptoken"] = str(offset + top)
            encoded = urlencode(params, quote_via=quote, safe="$,()'")
            body["@odata.nextLink"] = f"{self.owner.base_url}/v1.0{path}?{encoded}"
        return Reply(200, body)

    def user(self, key: str) -> User | None:
        return self.by_key.get(unquote(key).lower())

    def user_data(self, user: User) -> Json:
        if user.id not in self._user_data:
            self._user_data[user.id] = gj.user_json(user, self.catalog)
        return self._user_data[user.id]

    def config(self, user: User) -> Json:
        if user.id not in self._configs:
            self._configs[user.id] = gj.user_configuration_json(user, self.snapshot)
        return self._configs[user.id]

    # ------------------------------------------------------------------ users

    async def list_users(self, *, query: Query, headers: dict[str, str], **_: Any) -> Reply:
        users = self.users
        advanced = headers.get("ConsistencyLevel") == "eventual" and query.get("$count") == "true"
        if "$filter" in query:
            clauses = _STARTSWITH.findall(query["$filter"])
            if not clauses or any(prop not in _USER_PROPS for prop, _ in clauses):
                return error(400, "Request_UnsupportedQuery", "Unsupported filter clause.")
            users = [u for u in users if _starts(u, clauses)]
        if "$search" in query:
            if headers.get("ConsistencyLevel") != "eventual":
                return error(400, "Request_UnsupportedQuery", "$search needs ConsistencyLevel.")
            terms = [(p, _unescape(v)) for p, v in _SEARCH.findall(query["$search"])]
            if not terms or any(prop not in _USER_PROPS for prop, _ in terms):
                return error(400, "Request_UnsupportedQuery", "Unsupported search clause.")
            users = [u for u in users if _search_hit(u, terms)]
        if "$orderby" in query:
            if "$filter" in query and not advanced:
                return error(
                    400, "Request_UnsupportedQuery", "Sorting not supported for current query."
                )
            users = sorted(users, key=lambda u: u.display_name.lower())
        return self.page("/users", [self.user_data(u) for u in users], query, USERS_PAGE)

    async def get_user(self, key: str, *, query: Query, **_: Any) -> Reply:
        user = self.user(key)
        if user is None:
            return error(404, "Request_ResourceNotFound", f"Resource '{key}' does not exist.")
        return Reply(200, gj.select(self.user_data(user), query.get("$select")))

    async def license_details(self, key: str, **_: Any) -> Reply:
        # List licenseDetails, permissions table: "Application: Not supported." Every token the
        # fake issues is an application (client credentials) token.
        return error(
            403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
        )

    async def skus(self, *, query: Query, **_: Any) -> Reply:
        listed = {s.sku_part_number: s for s in self.snapshot.subscribed_skus}
        skus = [
            listed.get(name) or SubscribedSku(name, plans, self._holders(name), self._holders(name))
            for name, plans in self.catalog.items()
        ]
        items = [gj.select(gj.sku_json(s), query.get("$select")) for s in skus]
        return Reply(200, {"value": items})

    def _holders(self, sku_part_number: str) -> int:
        return sum(
            1
            for u in self.users
            if any(lic.sku_part_number == sku_part_number for lic in u.licenses)
        )

    async def role(self, template: str, *, query: Query, path: str, **_: Any) -> Reply:
        # directoryRole by roleTemplateId, its members (directoryrole-list-members.md).
        names = {v: k for k, v in gj.ROLE_TEMPLATES.items()}
        members = gj.role_members(self.users, names.get(template, ""))
        if not members:
            # An inactive role has no directoryRole object in the tenant.
            return error(404, "Request_ResourceNotFound", f"Role '{template}' does not exist.")
        return self.page(path, members, query, USERS_PAGE)

    # ------------------------------------------------------------------ groups

    async def get_group(self, group_id: str, *, query: Query, **_: Any) -> Reply:
        group = self.snapshot.groups.get(group_id.lower())  # type: ignore[call-overload]
        if group is None:
            return error(404, "Request_ResourceNotFound", f"Resource '{group_id}' does not exist.")
        return Reply(
            200,
            gj.select(
                {
                    "id": group.id,
                    "displayName": group.display_name,
                    "mailEnabled": False,
                    "securityEnabled": True,
                },
                query.get("$select"),
            ),
        )

    async def group_members(self, group_id: str, *, query: Query, path: str, **_: Any) -> Reply:
        # List group members (group-list-members.md): directoryObjects told apart by @odata.type.
        group = self.snapshot.groups.get(group_id.lower())  # type: ignore[call-overload]
        if group is None:
            return error(404, "Request_ResourceNotFound", f"Resource '{group_id}' does not exist.")
        members = [gj.member_json(m) for m in group.member_ids]
        members += [gj.member_json(g, group=True) for g in group.nested_group_ids]
        return self.page(path, members, query, USERS_PAGE)

    # ------------------------------------------------------------------ Teams

    async def list_configs(self, *, query: Query, **_: Any) -> Reply:
        users = self.users
        if "$filter" in query:
            found = _ACCOUNT_TYPE.fullmatch(query["$filter"].strip())
            if found is None:
                return error(400, "BadRequest", "Unsupported filter.")
            users = [u for u in users if self.config(u)["accountType"] == found.group(1)]
        items = [self.config(u) for u in users]
        return self.page("/admin/teams/userConfigurations", items, query, CONFIGS_PAGE)

    async def get_config(self, key: str, *, query: Query, **_: Any) -> Reply:
        user = self.by_key.get(key.lower()) if re.fullmatch(r"[0-9a-fA-F-]{36}", key) else None
        if user is None:
            return error(404, "NotFound", f"User configuration '{key}' was not found.")
        return Reply(200, gj.select(self.config(user), query.get("$select")))

    async def numbers(self, *, query: Query, **_: Any) -> Reply:
        # List numberAssignments: `$top` (default 500, at most 1000) with `$skip`, no nextLink.
        top, skip = int(query.get("$top", NUMBERS_PAGE[0])), int(query.get("$skip", 0))
        if top < 1 or top > NUMBERS_PAGE[1]:
            return error(400, "BadRequest", "$top must be between 1 and 1000.")
        ordered = sorted(self.snapshot.numbers.values(), key=lambda n: n.telephone_number)
        items = [gj.select(gj.number_json(n), query.get("$select")) for n in ordered]
        return Reply(200, {"value": items[skip : skip + top]})

    async def update_number(self, *, body: Any, **_: Any) -> Reply:
        number, location = (body or {}).get("telephoneNumber"), (body or {}).get("locationId")
        if not number or location is None:
            return error(400, "BadRequest", "telephoneNumber and locationId are required.")
        failure = self.owner.failing_number_write
        if failure is not None and not self.owner.number_writes_async:
            return error(400, "BadRequest", failure)
        if failure is None:
            try:
                await self.owner.tenant.set_number_location(number, location)
            except TenantNotFound as exc:
                return error(404, "NotFound", str(exc))
            except TenantValidationError as exc:
                return error(400, "BadRequest", str(exc))
            except TenantError as exc:
                return error(409, "Conflict", str(exc))
        if not self.owner.number_writes_async:
            # numberAssignment: updateNumber: "If successful, this method returns a 200 OK
            # response code." No body, no operation.
            return Reply(200, None)
        # The asynchronous form assignNumber documents: 202 Accepted, Location names the
        # operation (numberAssignment: assignNumber, Response).
        operation = str(uuid.uuid4())
        self.owner.operations[operation] = {"polls": 0, "number": number}
        return Reply(202, None, {"Location": f"{self._root()}/operations('{operation}')"})

    def _root(self) -> str:
        return f"{self.owner.base_url}/v1.0/admin/teams/telephoneNumberManagement"

    async def operation(self, operation: str, **_: Any) -> Reply:
        state = self.owner.operations.get(operation)
        if state is None:
            return error(404, "NotFound", f"Operation '{operation}' was not found.")
        state["polls"] += 1
        # The first poll finds it still running, as the real service often does.
        status, detail = "running", None
        if state["polls"] > 1:
            failure = self.owner.failing_number_write
            status, detail = ("failed", failure) if failure else ("succeeded", None)
        number = {"resourceLocation": f"{self._root()}/numberAssignments/{operation}"}
        number |= {"status": status} | ({"statusDetail": detail} if detail else {})
        # telephoneNumberLongRunningOperation: id, createdDateTime, status, numbers[] of
        # telephoneNumberLongRunningOperationDetails {resourceLocation, status, statusDetail};
        # wrapped in `value` as the Get telephoneNumberLongRunningOperation example shows it.
        body = {
            "@odata.type": OPERATION_TYPE,
            "id": operation,
            "createdDateTime": "2025-01-01T00:00:00Z",
            "status": status,
            "numbers": [number],
        }
        return Reply(200, {"value": body})


def _starts(user: User, clauses: list[tuple[str, str]]) -> bool:
    data = gj.user_json(user)
    return any(
        str(data.get(prop) or "").lower().startswith(value.replace("''", "'").lower())
        for prop, value in clauses
    )


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def _search_hit(user: User, terms: list[tuple[str, str]]) -> bool:
    """Graph's $search tokenizes: displayName matches at the start of any word."""
    data = gj.user_json(user)
    for prop, value in terms:
        text = str(data.get(prop) or "").lower()
        words = [text, *text.split()] if prop == "displayName" else [text]
        if any(word.startswith(value.lower()) for word in words):
            return True
    return False
