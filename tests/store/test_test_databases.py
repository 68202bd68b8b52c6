from __future__ import annotations

import pytest

from tests import db


def test_postgres_tests_skip_without_a_server_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(db.POSTGRES_ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        db.postgres_server_url()


def test_postgres_tests_fail_without_a_server_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(db.POSTGRES_ENV, raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="TEST_DATABASE_URL"):
        db.postgres_server_url()


@pytest.mark.parametrize(
    "name", ["postgres", "template1", "sc_test_", 'sc_test_0"; DROP DATABASE postgres; --']
)
def test_only_generated_test_databases_are_created_or_dropped(name: str) -> None:
    with pytest.raises(ValueError, match="not a test database name"):
        db._quoted_test_database(name)
