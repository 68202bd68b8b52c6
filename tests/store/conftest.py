"""Database fixtures for the store tests (see tests/db.py)."""

from tests.db import database_url, store_engine

__all__ = ["database_url", "store_engine"]
