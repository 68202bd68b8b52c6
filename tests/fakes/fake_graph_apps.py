"""The fake Graph's "Install app for user" (userteamwork-post-installedapps, v1.0): 201 with no
body; 409 Conflict when that app is already in the user's personal scope; 404 unknown user."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.fake_graph_routes import Reply, error

_BIND = re.compile(r"/appCatalogs/teamsApps/([^/]+)$")


async def install_app(routes: Any, user_key: str, *, body: Any, **_: Any) -> Reply:
    user = routes.user(user_key)
    if user is None:
        return error(404, "Request_ResourceNotFound", f"Resource '{user_key}' does not exist.")
    found = _BIND.search(str((body or {}).get("teamsApp@odata.bind", "")))
    if found is None:
        return error(400, "BadRequest", "teamsApp@odata.bind is required.")
    installed: list[tuple[str, str]] = routes.owner.installed_apps
    key = (str(user.id), found.group(1))
    if key in installed:
        return error(409, "Conflict", "App is already installed for this user.")
    installed.append(key)
    return Reply(201, None)
