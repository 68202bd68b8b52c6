import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "sharedcalling" / "domain"


def _imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = {}
    for path in sorted(DOMAIN.rglob("*.py")):
        foreign = {
            name
            for name in _imported_top_level_modules(path)
            if name not in sys.stdlib_module_names and name != "sharedcalling"
        }
        if foreign:
            offenders[str(path.relative_to(DOMAIN))] = sorted(foreign)
    assert offenders == {}


def test_domain_reaches_no_other_part_of_the_product() -> None:
    offenders = []
    for path in sorted(DOMAIN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and node.module
                and node.module.startswith("sharedcalling.")
                and not node.module.startswith("sharedcalling.domain")
            ):
                offenders.append(f"{path.name}: {node.module}")
    assert offenders == []


def test_purity_check_detects_a_third_party_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nfrom phonenumbers import parse\n", encoding="utf-8")
    assert _imported_top_level_modules(sample) == {"json", "phonenumbers"}
