"""The emulated tenant's app installer: records who got the app, as Graph would install it.

A real install (`POST /users/{id}/teamwork/installedApps`, permission
TeamsAppInstallation.ReadWriteSelfForUser.All) makes Teams send the bot an installationUpdate
in the person's new personal chat; in the demo that activity comes from the Playground or a test.
"""

from __future__ import annotations

import logging

from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.names import fold
from sharedcalling.services.approvals.runtime import AppInstaller

logger = logging.getLogger(__name__)


class EmulatedAppInstaller(AppInstaller):
    def __init__(self) -> None:
        self.installed: set[tuple[str, str]] = set()

    async def install_for(self, tenant_id: TenantId, user_id: UserId) -> None:
        self.installed.add((fold(tenant_id), fold(user_id)))
        logger.info("Emulated tenant: installed the app for %s", user_id)
