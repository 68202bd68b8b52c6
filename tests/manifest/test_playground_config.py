"""The Playground config is the demo tenant's people, with any of them as the signed-in user."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.manifest.scripts import load_script

REPO_ROOT = Path(__file__).resolve().parents[2]
config = load_script("playground_config")


def _current_user_block(text: str) -> str:
    return text.split("currentUser:\n", 1)[1].split("users:\n", 1)[0]


def _user_blocks(text: str) -> list[str]:
    users = text.split("users:\n", 1)[1].split("personalChat:", 1)[0]
    return [block for block in users.split("  - ")[1:]]


def test_the_committed_config_is_what_the_generator_writes_for_adele() -> None:
    committed = (REPO_ROOT / ".m365agentsplayground.yml").read_text(encoding="utf-8")

    assert committed == config.render()
    assert "aadObjectId: 00000000-0000-4000-8000-000000000003" in _current_user_block(committed)


def test_the_config_names_the_demo_tenant_and_the_schema_version() -> None:
    text = config.render()

    assert 'version: "0.1.1"' in text
    assert "tenantId: 8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b" in text


def test_signing_in_as_megan_moves_adele_among_the_five_other_users() -> None:
    text = config.render("MeganB")
    others = _user_blocks(text)

    assert "name: Megan Bowen" in _current_user_block(text)
    assert len(others) == 5
    assert any("name: Adele Vance" in block for block in others)
    assert not any("Megan" in block for block in others)


@pytest.mark.parametrize("nick", [person[3] for person in config.ROSTER])
def test_every_demo_person_gets_a_valid_config(nick: str) -> None:
    text = config.render(nick.lower())
    object_ids = re.findall(r"aadObjectId: (\S+)", text)

    assert len(object_ids) == 6
    assert len(set(object_ids)) == 6
    assert all(re.fullmatch(r"00000000-0000-4000-8000-0000000000\d\d", o) for o in object_ids)
    for block in [_current_user_block(text), *_user_blocks(text)]:
        keys = re.findall(r"^\s*(\w+):", block, re.MULTILINE)
        assert keys == list(config.REQUIRED_USER_KEYS)


def test_every_upn_is_in_the_demo_domain() -> None:
    upns = re.findall(r"userPrincipleName: (\S+)", config.render())

    assert upns
    assert all(upn.endswith("@contoso.example") for upn in upns)


def test_an_unknown_person_is_refused_with_the_names_to_pick_from() -> None:
    with pytest.raises(SystemExit, match="pick one of: MeganB, AlexW"):
        config.render("Nobody")


def test_the_npm_packages_are_pinned_to_exact_versions() -> None:
    package = json.loads((REPO_ROOT / "package.json").read_text(encoding="utf-8"))
    pins = package["devDependencies"]

    assert pins["@microsoft/m365agentsplayground"] == "0.2.28"
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in pins.values())
