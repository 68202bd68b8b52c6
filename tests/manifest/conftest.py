"""Fixtures for the manifest tests: the official Teams manifest schema, vendored in manifest/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = "MicrosoftTeams.schema.v1.29.json"
SCHEMA_PATH = REPO_ROOT / "manifest" / "schema" / SCHEMA_FILE
APP_ID = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture(scope="session")
def manifest_schema() -> dict[str, Any]:
    # Part of the repository (manifest/schema/README.md): a missing file is a broken checkout.
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema
