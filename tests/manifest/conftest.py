"""Fixtures for the manifest tests: the official Teams manifest schema, vendored in manifest/."""

from __future__ import annotations

import json
from typing import Any

import pytest

from manifest.package import SCHEMA_PATH

APP_ID = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
BOT_DOMAIN = "sharedcalling.it.fabrikam-telecom.net"
# What an operator sets for `make package` (docs/operator-guide.md): no demo tenant's values.
PACKAGE_ENV = {
    "DEVELOPER_NAME": "Fabrikam Telecom IT",
    "DEVELOPER_WEBSITE_URL": "https://it.fabrikam-telecom.net/shared-calling",
    "DEVELOPER_PRIVACY_URL": "https://it.fabrikam-telecom.net/privacy",
    "DEVELOPER_TERMS_URL": "https://it.fabrikam-telecom.net/terms",
    "MicrosoftAppId": APP_ID,
    "BOT_DOMAIN": BOT_DOMAIN,
}


@pytest.fixture(scope="session")
def manifest_schema() -> dict[str, Any]:
    # Part of the repository (manifest/schema/README.md): a missing file is a broken checkout.
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema
