"""Fills manifest.template.json from the environment and writes appPackage.zip.

Every value that names the publisher or the deployment is required: a package never falls back
to the demo tenant's names or URLs. The filled manifest is checked against the vendored Teams
schema before anything is written, and a problem writes nothing.
"""

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
SCHEMA_PATH = ICON_DIR / "schema" / "MicrosoftTeams.schema.v1.29.json"
DEFAULT_OUTPUT = Path("appPackage.zip")

# The same variable name as Settings.app_id (the Bot Framework samples' name).
APP_ID_VARIABLE = "MicrosoftAppId"
TEAMS_APP_ID_VARIABLE = "TEAMS_APP_ID"
BOT_DOMAIN_VARIABLE = "BOT_DOMAIN"
APP_VERSION_VARIABLE = "APP_VERSION"
DEVELOPER_NAME_VARIABLE = "DEVELOPER_NAME"
URL_VARIABLES = ("DEVELOPER_WEBSITE_URL", "DEVELOPER_PRIVACY_URL", "DEVELOPER_TERMS_URL")

REQUIRED: Mapping[str, str] = {
    DEVELOPER_NAME_VARIABLE: "the publisher's name Teams shows, at most 32 characters",
    "DEVELOPER_WEBSITE_URL": "https URL of the app's support page",
    "DEVELOPER_PRIVACY_URL": "https URL of the privacy statement",
    "DEVELOPER_TERMS_URL": "https URL of the terms of use",
    APP_ID_VARIABLE: "the bot's Microsoft Entra app (client) id, a GUID",
    BOT_DOMAIN_VARIABLE: "the bot's public host name, e.g. sharedcalling.it.yourorg.com",
}
"""Variable: what it is. Named in this order when missing."""

OPTIONAL: Mapping[str, str] = {APP_VERSION_VARIABLE: "1.0.0", "ACCENT_COLOR": ACCENT_COLOR}

_PLACEHOLDER = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
_HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# The demo tenant's organisation and the names reserved for examples and tests (RFC 2606, RFC
# 6761): a package carrying them would send Teams users to pages nobody owns.
_DEMO_NAME = re.compile(r"contoso", re.IGNORECASE)
_RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local")
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org", "localhost")
# Zip entries get a fixed timestamp so that the same inputs give the same package bytes.
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


class PackagingError(ValueError):
    """The package cannot be built; `problems` names every missing or invalid value."""

    def __init__(self, problems: list[str]):
        super().__init__(
            "Cannot package the Teams app (nothing was written):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
        self.problems = problems


@dataclass(frozen=True)
class ManifestValues:
    """The values the template's {{placeholders}} take."""

    values: Mapping[str, str]

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ManifestValues:
        """Read the required settings and the optional overrides; raise PackagingError naming
        every problem at once."""
        given = {k: v.strip() for k, v in environ.items() if isinstance(v, str) and v.strip()}
        values = {key: given.get(key, "") for key in REQUIRED}
        values.update({key: given.get(key, default) for key, default in OPTIONAL.items()})
        values[TEAMS_APP_ID_VARIABLE] = given.get(TEAMS_APP_ID_VARIABLE, values[APP_ID_VARIABLE])
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


def _reserved_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return (
        host in _RESERVED_DOMAINS
        or host.endswith(_RESERVED_SUFFIXES)
        or any(host.endswith("." + domain) for domain in _RESERVED_DOMAINS)
        or bool(_DEMO_NAME.search(host))
    )


def _url_problem(name: str, url: str) -> str | None:
    match = re.match(r"^https://([^/?#:]+)(:[0-9]+)?([/?#].*)?$", url)
    if match is None or not _HOST.match(match.group(1)) or len(url) > 2048:
        return f"{name}: must be an https URL like https://it.yourorg.com/shared-calling"
    if _reserved_host(match.group(1)):
        return f"{name}: {url} is a demo or example address; use your organisation's page"
    return None


def _problems(values: Mapping[str, str]) -> list[str]:
    missing = [key for key in REQUIRED if not values[key]]
    problems = [f"{key}: required; {REQUIRED[key]}" for key in missing]
    problems += _developer_problems(values)
    app_id = values[APP_ID_VARIABLE]
    if app_id and not _is_guid(app_id):
        problems.append(f"{APP_ID_VARIABLE}: must be a GUID, got {app_id!r}")
    teams_app_id = values[TEAMS_APP_ID_VARIABLE]
    if teams_app_id and teams_app_id != app_id and not _is_guid(teams_app_id):
        problems.append(f"{TEAMS_APP_ID_VARIABLE}: must be a GUID")
    if not _SEMVER.match(values[APP_VERSION_VARIABLE]):
        problems.append(f"{APP_VERSION_VARIABLE}: must be MAJOR.MINOR.PATCH like 1.0.0")
    if not _HEX_COLOR.match(values["ACCENT_COLOR"]):
        problems.append("ACCENT_COLOR: must be a colour like #4B53BC")
    domain = values[BOT_DOMAIN_VARIABLE]
    if domain and not _HOST.match(domain):
        problems.append(
            f"{BOT_DOMAIN_VARIABLE}: a host name like sharedcalling.it.yourorg.com "
            "(no scheme, port or path)"
        )
    elif domain and _reserved_host(domain):
        problems.append(f"{BOT_DOMAIN_VARIABLE}: {domain} is a demo or example host name")
    return problems


def _developer_problems(values: Mapping[str, str]) -> list[str]:
    problems = []
    name = values[DEVELOPER_NAME_VARIABLE]
    if name and len(name) > 32:
        problems.append(f"{DEVELOPER_NAME_VARIABLE}: at most 32 characters, got {len(name)}")
    elif name and _DEMO_NAME.search(name):
        problems.append(f"{DEVELOPER_NAME_VARIABLE}: {name!r} is the demo tenant's name")
    for key in URL_VARIABLES:
        problem = _url_problem(key, values[key]) if values[key] else None
        if problem:
            problems.append(problem)
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
    """The filled manifest."""
    manifest: dict[str, Any] = _fill(
        json.loads(template.read_text(encoding="utf-8")), values.values
    )
    return manifest


def schema_errors(manifest: Mapping[str, Any], schema_path: Path = SCHEMA_PATH) -> list[str]:
    """What the official Teams manifest schema says is wrong with `manifest` (empty: valid)."""
    try:
        from jsonschema import Draft4Validator, Draft7Validator, validators
    except ImportError as missing:  # a dev dependency; `make package` installs it
        raise PackagingError(
            ["jsonschema is not installed: run `make package` (it installs the dev tools)"]
        ) from missing
    # The schema declares draft-04 but also uses `const` (manifestVersion) and `if`/`then`,
    # which draft-04 validators silently ignore: they are taken from draft-07.
    keywords = {key: Draft7Validator.VALIDATORS[key] for key in ("const", "if")}
    teams_validator = validators.extend(Draft4Validator, keywords)
    validator = teams_validator(json.loads(schema_path.read_text(encoding="utf-8")))
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or 'manifest'}: {e.message}" for e in errors]


def manifest_problems(manifest: Mapping[str, Any]) -> list[str]:
    """The schema's errors plus what Teams checks on upload that the schema does not: the app
    version is MAJOR.MINOR.PATCH, and each scope has one command list."""
    problems = schema_errors(manifest)
    version = manifest.get("version")
    if isinstance(version, str) and not _SEMVER.match(version):
        problems.append(f"version: {version!r} is not MAJOR.MINOR.PATCH (Teams refuses it)")
    for bot in manifest.get("bots") or ():
        scopes = [s for entry in bot.get("commandLists") or () for s in entry.get("scopes") or ()]
        repeated = sorted({s for s in scopes if scopes.count(s) > 1})
        if repeated:
            problems.append(f"bots/commandLists: more than one list for {', '.join(repeated)}")
    return problems


def write_package(values: ManifestValues, output: Path, icon_dir: Path = ICON_DIR) -> Path:
    """Write the zip Teams uploads: manifest.json and both icons at its root. The manifest is
    validated first, and the zip is written beside `output` and then renamed, so a failure
    leaves no file behind."""
    manifest = build_manifest(values)
    errors = manifest_problems(manifest)
    if errors:
        raise PackagingError([f"manifest.json: {e}" for e in errors])
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _add(archive, "manifest.json", text.encode("utf-8"))
            for name in (COLOR_FILE, OUTLINE_FILE):
                _add(archive, name, (icon_dir / name).read_bytes())
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
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
        path = write_package(values, args.output)
    except PackagingError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    sys.stdout.write(
        f"Wrote {path}: upload it in the Teams admin center (Teams apps > Manage apps > Upload "
        "new app), or see docs/operator-guide.md for the other ways\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
