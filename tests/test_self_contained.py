"""The repository is self-contained: no tracked file points at a document that only the team
holds (the team's reference notes, toolchain notes, style or architecture notes, or a sibling
`shared` checkout). Pointers go to docs/, to the code, or to a public page instead."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SKIPPED_DIRS = frozenset({"node_modules", ".venv", "schema", "schemas"})
"""Vendored or generated trees (the Teams manifest schema is Microsoft's own file)."""

# Assembled from pieces so that this file does not match its own patterns.
_SECTION = "\N{SECTION SIGN}"
OUTSIDE_POINTER = re.compile(
    "|".join(
        [
            r"\.\./" + r"shared\b",  # the sibling checkout, not the sharedcalling package
            r"(?i:shared-calling-" + r"reference)",
            r"(?i:toolchain-" + r"notes)",
            r"\bSTYLE" + r"\.md\b",  # case-sensitive: docs/architecture.md is ours
            r"\bARCHITECTURE" + r"\.md\b",
            r"(?i:\breference\s*" + _SECTION + r")",
        ]
    )
)


def tracked_files() -> list[Path]:
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    paths = [Path(p) for p in listing.decode("utf-8").split("\0") if p]
    return [REPO / p for p in paths if not SKIPPED_DIRS.intersection(p.parts)]


def outside_pointers(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every line that points outside the repository."""
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if OUTSIDE_POINTER.search(line)
    ]


def test_no_tracked_file_points_outside_the_repository() -> None:
    found = []
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary files (icons, screenshots); deleted but still staged
        found += [f"{path.relative_to(REPO)}:{n}: {line}" for n, line in outside_pointers(text)]
    assert not found, "pointers outside the repository:\n" + "\n".join(found)


def test_the_scan_covers_code_and_docs_but_not_the_vendored_schema() -> None:
    scanned = {p.relative_to(REPO).as_posix() for p in tracked_files()}
    ours = {"README.md", "docs/rules.md", "sharedcalling/domain/callerid.py"}
    assert ours <= scanned
    assert (REPO / "manifest/schema").is_dir()
    assert not [p for p in scanned if p.startswith("manifest/schema/")]


@pytest.mark.parametrize(
    "sample",
    [
        "see ../" + "shared/docs for the notes",
        "as the Shared-Calling-" + "Reference.md says",
        "the UMD bundle (toolchain-" + "notes.md)",
        "follow STYLE" + ".md",
        "layers as in ARCHITECTURE" + ".md",
        "first number reused (reference " + _SECTION + "10 #26)",
        "Reference " + _SECTION + "9 step 5",
    ],
)
def test_the_pattern_catches_an_outside_pointer(sample: str) -> None:
    assert outside_pointers(f"first line\n{sample}\n") == [(2, sample)]


@pytest.mark.parametrize(
    "sample",
    [
        "the flow is in docs/architecture.md",
        "import from ../sharedcalling/domain",
        "rule SC-R04 in docs/rules.md",
        "operator guide " + _SECTION + "9 (several replicas)",
        "the stored conversation reference of a chat",
    ],
)
def test_the_pattern_leaves_our_own_pointers_alone(sample: str) -> None:
    assert outside_pointers(sample) == []
