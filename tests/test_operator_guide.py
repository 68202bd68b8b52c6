"""The operator guide's settings table names every setting sharedcalling/config.py reads, with
its default, so that it stays complete as settings are added."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from sharedcalling.config import Settings

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "operator-guide.md"
HEADING = "### Every setting"
COLUMNS = ["Setting", "Default", "Meaning", "Required"]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def settings_table(text: str) -> dict[str, list[str]]:
    """The rows of the table under HEADING, by the setting's name (the first cell, in backticks)."""
    assert HEADING in text, f"docs/operator-guide.md has no {HEADING!r} section"
    lines = text.split(HEADING, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    assert _cells(lines[start]) == COLUMNS, f"the table's columns must be {COLUMNS}"
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = _cells(line)
        rows[cells[0].strip("`")] = cells
    return rows


def read_settings() -> dict[str, Any]:
    """Every variable Settings reads (load_settings reads aliases only), with its default."""
    found = {}
    for name, field in Settings.model_fields.items():
        assert field.alias, f"Settings.{name} has no alias: load_settings would never read it"
        found[field.alias] = field.default
    return found


def documented_default(value: Any) -> str:
    """A default as the table writes it: `empty`, or the value in backticks."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    value = getattr(value, "value", value)  # enums
    if value is None or value == "":
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"


def test_every_setting_config_reads_has_a_row_in_the_operator_guide() -> None:
    rows = settings_table(GUIDE.read_text(encoding="utf-8"))

    missing = [name for name in read_settings() if name not in rows]

    assert not missing, (
        f"docs/operator-guide.md, {HEADING!r}: no row for {', '.join(missing)}. Add one per "
        "setting: | `NAME` | default | meaning | when required |"
    )


def test_the_guide_names_no_setting_config_does_not_read() -> None:
    rows = settings_table(GUIDE.read_text(encoding="utf-8"))

    unknown = [name for name in rows if name not in read_settings()]

    assert not unknown, f"docs/operator-guide.md, {HEADING!r}: config.py reads no {unknown}"


def test_each_row_gives_the_default_config_uses_and_every_column() -> None:
    rows = settings_table(GUIDE.read_text(encoding="utf-8"))
    settings = read_settings()

    wrong = {
        name: (row[1], documented_default(settings[name]))
        for name, row in rows.items()
        if name in settings and row[1] != documented_default(settings[name])
    }
    empty = [name for name, row in rows.items() if len(row) != 4 or not all(row)]

    assert not wrong, f"defaults in the guide differ from config.py (guide, config): {wrong}"
    assert not empty, f"rows without every column: {empty}"


def test_the_parser_reads_each_row_and_stops_after_the_table() -> None:
    guide = f"{HEADING}\n\n| Setting | Default | Meaning | Required |\n|---|---|---|---|\n"
    guide += "| `PORT` | `3978` | the port | No |\n\nAfter.\n"

    rows = settings_table(guide)

    assert list(rows) == ["PORT"]
    assert re.fullmatch(r"`\d+`", rows["PORT"][1])
