"""What a real tenant sees names nobody from the demo tenant, and the model assumes no country.

The demo tenant (its seed and the emulated service that plays it) may name its people; every
other string literal of the product (messages, card text, help examples, errors) may not.
Docstrings and comments are not shown to anyone and are not scanned.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from sharedcalling.adapters.tenant.emulated_seed import seed_names
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.tenant import User

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("sharedcalling", "cards", "bot", "dialogs", "app.py")
DEMO_TENANT = ("sharedcalling/adapters/tenant/emulated", "sharedcalling/adapters/tenant/seeds/")
"""The emulated tenant's own modules: they are the demo tenant."""
DEMO_NAMES = re.compile(
    r"\b(contoso|fabrikam|megan|wilber|adele|lee gu|leeg|diego|isaiah|johanna|nestor|patti|"
    r"lynne|grady|pradeep|henrietta|miriam|joni)\b",
    re.IGNORECASE,
)


def product_files() -> Iterator[Path]:
    for name in SCANNED:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            relative = file.relative_to(ROOT).as_posix()
            if not relative.startswith(DEMO_TENANT) and "/migrations/" not in relative:
                yield file


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (module, class, function, attribute)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for statement in body:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                found.add(id(statement.value))
    return found


def string_literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def test_no_product_string_names_the_demo_tenant() -> None:
    seeds = set(seed_names())  # a seed's name is a setting's value, not a message
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in product_files()
        for line, text in string_literals(path)
        if text not in seeds and DEMO_NAMES.search(text)
    ]
    assert found == []


def test_the_scan_would_catch_a_demo_name(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""Adele is fine here."""\nMESSAGE = "ask AdeleV@contoso.example"\n')
    assert [text for _, text in string_literals(sample) if DEMO_NAMES.search(text)] == [
        "ask AdeleV@contoso.example"
    ]


def test_the_domain_model_assumes_no_usage_location() -> None:
    user = User(UserId("00000000-0000-4000-9000-000000000001"), "a@example.test", "A")
    assert user.usage_location is None


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def test_the_teams_app_manifest_names_nobody_from_the_demo_tenant() -> None:
    """The package's texts (descriptions, command hints) are what every real tenant's users read."""
    import json

    template = json.loads((ROOT / "manifest" / "manifest.template.json").read_text("utf-8"))
    strings = list(_json_strings(template))
    assert any("call out as" in text for text in strings)  # the scan reads the command texts
    assert [text for text in strings if DEMO_NAMES.search(text)] == []
