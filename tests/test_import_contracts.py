"""The layer contracts beyond what lint-imports can see: app.py is a module, not a package.

import-linter builds its graph from packages only, so it checks that nothing imports app.py;
this test checks what app.py imports, and that the contracts stay as tight as issue 10 set.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APP_MAY_IMPORT = (
    "aiohttp",
    "bot.adapter",
    "bot.audit_answers",
    "bot.downloads",
    "bot.edge",
    "bot.tokens",
    "sharedcalling.bootstrap",
    "sharedcalling.config",
    "sharedcalling.correlation",
    "sharedcalling.log_format",
    "sharedcalling.metrics",
    "sharedcalling.services",
)
"""The composition root: settings, the chosen adapters (through bootstrap), the edge, its
HTTP routes (messages, downloads, /metrics) and logging."""


def _imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _allowed(module: str) -> bool:
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return True
    return any(module == a or module.startswith(a + ".") for a in APP_MAY_IMPORT)


def test_app_py_imports_only_the_edge_settings_bootstrap_and_services() -> None:
    imported = _imported(REPO / "app.py")
    assert {m for m in imported if not _allowed(m)} == set()
    assert "bot.edge" in imported
    assert "sharedcalling.bootstrap" in imported


def test_the_check_would_catch_app_py_reaching_an_adapter_or_a_card() -> None:
    assert not _allowed("sharedcalling.adapters.tenant.emulated")
    assert not _allowed("cards.setup.review")
    assert not _allowed("dialogs.setup_dialog")
    assert not _allowed("botbuilder.core")


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_no_contract_allows_indirect_imports() -> None:
    assert all("allow_indirect_imports" not in c for c in _contracts())


def test_the_edge_and_the_adapters_may_not_read_settings_or_choose_adapters() -> None:
    [contract] = [
        c
        for c in _contracts()
        if c["type"] == "forbidden" and "sharedcalling.bootstrap" in c["forbidden_modules"]  # type: ignore[operator]
    ]
    assert set(contract["source_modules"]) >= {  # type: ignore[call-overload]
        "bot", "dialogs", "cards", "manifest", "sharedcalling.adapters"}  # fmt: skip
    assert "sharedcalling.config" in contract["forbidden_modules"]  # type: ignore[operator]
