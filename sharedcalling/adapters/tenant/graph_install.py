"""Install the bot's Teams app for a person through Microsoft Graph.

`POST /users/{id}/teamwork/installedApps` with the app's id in the organisation's app catalog
("Install app for user", Graph v1.0; application permission
TeamsAppInstallation.ReadWriteSelfForUser.All, admin-consented). Success is 201 Created; Teams
then sends the bot an installationUpdate in the person's new personal chat, which is when the
bot can reach them. An app that is already installed answers 409 Conflict: nothing to do.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from sharedcalling.adapters.tenant.graph_http import GraphClient
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.services.approvals.runtime import AppInstaller, InstallUnsupported
from sharedcalling.services.ports import TenantConflict, TenantPermissionDenied

logger = logging.getLogger(__name__)

PERMISSION = "TeamsAppInstallation.ReadWriteSelfForUser.All"


class GraphAppInstaller(AppInstaller):
    def __init__(self, client: GraphClient, catalog_app_id: str) -> None:
        self._client = client
        self._app = catalog_app_id

    async def install_for(self, tenant_id: TenantId, user_id: UserId) -> None:
        payload = {"teamsApp@odata.bind": f"{self._client.root}/appCatalogs/teamsApps/{self._app}"}
        try:
            await self._client.call(
                "POST",
                f"/users/{quote(str(user_id), safe='')}/teamwork/installedApps",
                payload=payload,
                operation="install_app",
            )
        except TenantConflict:
            logger.info("The app is already installed for %s", user_id)
        except TenantPermissionDenied:
            raise InstallUnsupported(
                "Teams refused to install the app: the bot's app registration needs the Graph "
                f"application permission {PERMISSION}, with admin consent."
            ) from None
        logger.info("Installed the app for %s through Graph", user_id)
