"""Fills manifest.template.json from the environment and writes appPackage.zip (stdlib only)."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manifest.icons import ACCENT_COLOR, COLOR_FILE, ICON_DIR, OUTLINE_FILE

TEMPLATE = ICON_DIR / "manifest.template.json"
DEFAULT_OUTPUT = Path("appPackage.zip")

# The same variable name as Settings.app_id (the Bot Framework samples' name).
APP_ID_VARIABLE = "MicrosoftAppId"
TEAMS_APP_ID_VARIABLE = "TEAMS_APP_ID"
BOT_DOMAIN_VARIABLE = "BOT_DOMAIN"
APP_VERSION_VARIABLE = "APP_VERSION"

_DEFAULTS = {
    "APP_VERSION": "1.0.0",
    "DEVELOPER_NAME": "Contoso IT",
    "DEVELOPER_WEBSITE_URL": "https://contoso.example/shared-calling",
    "DEVELOPER_PRIVACY_URL": "https://contoso.example/shared-calling/privacy",
    "DEVELOPER_TERMS_URL": "https://contoso.example/shared-calling/terms",
    "ACCENT_COLOR": ACCENT_COLOR,
}
_PLACEHOLDER = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_DOMAIN = re.compile(r"^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]+)?$")
# Zip entries get a fixed timestamp so that the same inputs give the same package bytes.
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


class PackagingError(ValueError):
    """The manifest cannot be filled; `problems` names every missing or invalid variable."""

    def __init__(self, problems: list[str]):
        super().__init__(
            "Cannot package the Teams app:\n" + "\n".join(f"  - {p}" for p in problems)
        )
        self.problems = problems


@dataclass(frozen=True)
class ManifestValues:
    """The values the template's {{placeholders}} take."""

    values: Mapping[str, str]

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ManifestValues:
        """Read the bot's app id (required) and the optional overrides; raise PackagingError."""
        given = {k: v.strip() for k, v in environ.items() if v.strip()}
        values = {key: given.get(key, default) for key, default in _DEFAULTS.items()}
        app_id = given.get(APP_ID_VARIABLE, "")
        values[APP_ID_VARIABLE] = app_id
        values[TEAMS_APP_ID_VARIABLE] = given.get(TEAMS_APP_ID_VARIABLE, app_id)
        values[BOT_DOMAIN_VARIABLE] = given.get(BOT_DOMAIN_VARIABLE, "")
        problems = _problems(values)
        if problems:
            raise PackagingError(problems)
        return cls(values)


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _problems(values: Mapping[str, str]) -> list[str]:
    problems = []
    if not values[APP_ID_VARIABLE]:
        problems.append(
            f"{APP_ID_VARIABLE}: required; the bot's Microsoft Entra app (client) id, a GUID"
        )
    elif not _is_guid(values[APP_ID_VARIABLE]):
        problems.append(f"{APP_ID_VARIABLE}: must be a GUID, got {values[APP_ID_VARIABLE]!r}")
    teams_app_id = values[TEAMS_APP_ID_VARIABLE]
    if teams_app_id != values[APP_ID_VARIABLE] and not _is_guid(teams_app_id):
        problems.append(f"{TEAMS_APP_ID_VARIABLE}: must be a GUID")
    if not _SEMVER.match(values[APP_VERSION_VARIABLE]):
        problems.append(f"{APP_VERSION_VARIABLE}: must be MAJOR.MINOR.PATCH like 1.0.0")
    domain = values[BOT_DOMAIN_VARIABLE]
    if domain and not _DOMAIN.match(domain):
        problems.append(f"{BOT_DOMAIN_VARIABLE}: a host name like bot.contoso.example, no scheme")
    return problems


def _fill(node: Any, values: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], node)
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    if isinstance(node, dict):
        return {key: _fill(item, values) for key, item in node.items()}
    return node


def build_manifest(values: ManifestValues, template: Path = TEMPLATE) -> dict[str, Any]:
    """The filled manifest; an unset BOT_DOMAIN leaves validDomains empty (a bot needs none)."""
    manifest: dict[str, Any] = _fill(
        json.loads(template.read_text(encoding="utf-8")), values.values
    )
    manifest["validDomains"] = [domain for domain in manifest.get("validDomains", []) if domain]
    return manifest


def write_package(values: ManifestValues, output: Path, icon_dir: Path = ICON_DIR) -> Path:
    """Write the zip Teams uploads: manifest.json and both icons at its root."""
    manifest = json.dumps(build_manifest(values), indent=2, ensure_ascii=False) + "\n"
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "manifest.json", manifest.encode("utf-8"))
        for name in (COLOR_FILE, OUTLINE_FILE):
            _add(archive, name, (icon_dir / name).read_bytes())
    return output


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """`python -m manifest.package [--output appPackage.zip]`; exit 2 on a configuration problem."""
    parser = argparse.ArgumentParser(prog="python -m manifest.package", description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        values = ManifestValues.from_environ(os.environ if environ is None else environ)
    except PackagingError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    path = write_package(values, args.output)
    sys.stdout.write(f"Wrote {path} (upload it in Teams: Apps > Manage your apps > Upload)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
