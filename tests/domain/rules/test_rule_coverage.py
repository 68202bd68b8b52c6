"""Every registered rule has focused tests: adding a rule is one function plus its tests."""

from __future__ import annotations

import ast
from pathlib import Path

from sharedcalling.domain.rules import RULES, Severity, check
from tests.domain.rules.builders import desired, healthy

HERE = Path(__file__).parent
MINIMUM = 2
"""One test that makes the rule fire and one that shows it silent."""


def _test_functions() -> dict[str, str]:
    """Source of every test function in this folder (decorators included), keyed by name."""
    sources: dict[str, str] = {}
    for path in sorted(HERE.glob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                body = "\n".join(lines[first - 1 : node.end_lineno])
                sources[f"{path.name}::{node.name}"] = body
    return sources


def _mentions(code: str, name: str, source: str) -> bool:
    return code in source or code.lower().replace("-", "_") in name.lower()


def test_every_registered_rule_has_a_firing_and_a_silent_test() -> None:
    sources = _test_functions()
    untested = {
        rule.code: count
        for rule in RULES
        if (count := sum(_mentions(rule.code, n, s) for n, s in sources.items())) < MINIMUM
    }
    assert untested == {}, f"rules with fewer than {MINIMUM} focused tests: {untested}"


def test_a_test_counts_for_a_rule_only_when_its_name_or_body_names_the_code() -> None:
    assert _mentions("SC-R06", "test_sc_r06_is_silent", "assert True")
    assert _mentions("SC-R06", "test_payg", 'findings("SC-R06")')
    assert not _mentions("SC-R06", "test_sc_r05_warns", 'findings("SC-R05")')


def test_the_healthy_tenant_raises_only_the_calling_plan_reminders() -> None:
    # The "is silent" tests vary one fact of this tenant, so it must itself be nearly clean.
    found = {(f.code, f.severity) for f in check(desired(), healthy())}
    assert found == {("SC-R05", Severity.WARN), ("SC-R07", Severity.WARN)}
