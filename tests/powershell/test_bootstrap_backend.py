from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from sharedcalling.adapters.store.engine import make_engine
from sharedcalling.adapters.tenant.composite import CompositeTenantGateway
from sharedcalling.bootstrap import open_tenant
from sharedcalling.config import load_settings
from sharedcalling.services.ports import TenantUnavailable


async def test_the_graph_powershell_backend_is_chosen_by_tenant_backend(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "TENANT_BACKEND": "graph+powershell",
            "GRAPH_CLIENT_ID": "11111111-2222-4333-8444-555555555555",
            "GRAPH_CLIENT_SECRET": "not-used-here",
            "GRAPH_CERTIFICATE_PATH": str(tmp_path / "app.pem"),
            "GRAPH_CERTIFICATE_THUMBPRINT": "00" * 20,
            "GRAPH_BASE_URL": "http://127.0.0.1:9",
            "AUTHORITY_HOST": "http://127.0.0.1:9",
            "PWSH_PATH": str(tmp_path / "no-pwsh-here"),
        }
    )
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    async with AsyncExitStack() as stack:
        gateway = await open_tenant(settings, engine, stack)
        assert isinstance(gateway, CompositeTenantGateway)
        # The worker starts on first use, so a missing pwsh shows there, as unavailable.
        with pytest.raises(TenantUnavailable, match="cannot start the PowerShell worker"):
            await gateway.powershell.health()
    await engine.dispose()
