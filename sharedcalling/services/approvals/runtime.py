"""What the approval workflow keeps between calls: the card renderer the edge binds, the
approver roster cache, and the app installer of the tenant backend."""

from __future__ import annotations

import abc
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.requests import ChangeRequest
from sharedcalling.services.approvals.views import RequestView, Roster

ROSTER_TTL_SECONDS = 60.0
CACHED_REQUESTS = 32
"""Parsed requests kept per process: a 1,000-user plan is about 2 MB of JSON to decode."""
"""How long the approver group read is reused (card refreshes must be fast)."""

CardRenderer = Callable[[RequestView], Mapping[str, Any]]


class InstallUnsupported(Exception):
    """This backend cannot install the app for someone; the message says what to do instead."""


class AppInstaller(abc.ABC):
    """Installs the bot's Teams app in someone's personal scope, so the bot can reach them."""

    @abc.abstractmethod
    async def install_for(self, tenant_id: TenantId, user_id: UserId) -> None:
        """Install it; InstallUnsupported when the backend cannot, TenantError on failure."""


class NoAppInstaller(AppInstaller):
    """The backend has no way to install apps for people (the default)."""

    REASON = (
        "I can't install the app for people with this setup. Ask them to add "
        "\u201cShared Calling\u201d from Apps in Teams, or install it for them in the Teams "
        "admin center (Manage apps, then Install for users)."
    )

    def __init__(self, reason: str = REASON) -> None:
        self.reason = reason

    async def install_for(self, tenant_id: TenantId, user_id: UserId) -> None:
        raise InstallUnsupported(self.reason)


@dataclass
class _Cached:
    roster: Roster
    at: float


@dataclass
class ApprovalRuntime:
    """Mutable holder inside the frozen Services: bound once by the edge and bootstrap."""

    installer: AppInstaller = field(default_factory=NoAppInstaller)
    render: CardRenderer | None = None
    monotonic: Callable[[], float] = time.monotonic
    _roster: _Cached | None = None
    _requests: OrderedDict[RequestId, ChangeRequest] = field(default_factory=OrderedDict)

    def bind_renderer(self, render: CardRenderer) -> None:
        self.render = render

    def cached_roster(self) -> Roster | None:
        cached = self._roster
        if cached is None or self.monotonic() - cached.at > ROSTER_TTL_SECONDS:
            return None
        return cached.roster

    def keep_roster(self, roster: Roster) -> None:
        self._roster = _Cached(roster, self.monotonic())

    def cached_request(self, request_id: RequestId, version: int) -> ChangeRequest | None:
        found = self._requests.get(request_id)
        if found is None or found.version != version:
            return None
        self._requests.move_to_end(request_id)
        return found

    def keep_request(self, request: ChangeRequest) -> None:
        self._requests[request.id] = request
        self._requests.move_to_end(request.id)
        while len(self._requests) > CACHED_REQUESTS:
            self._requests.popitem(last=False)
