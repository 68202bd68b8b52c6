"""Fixtures for the manifest tests: the official Teams manifest schema from shared/schemas."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO_ROOT.parent / "shared" / "schemas" / "MicrosoftTeams.schema.v1.29.json"
APP_ID = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture(scope="session")
def manifest_schema() -> dict[str, Any]:
    if not SCHEMA_PATH.is_file():
        message = (
            f"Teams manifest schema not found at {SCHEMA_PATH}; CI lays shared/ beside the checkout"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema
