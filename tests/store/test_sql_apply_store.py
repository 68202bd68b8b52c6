"""The ApplyStore contract on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.apply_store import SqlApplyStore
from sharedcalling.services.apply.store import ApplyStore
from tests.contract.apply_store_contract import ApplyStoreContract
from tests.db import database_url, store_engine

__all__ = ["database_url", "store_engine"]


class TestSqlApplyStore(ApplyStoreContract):
    @pytest.fixture
    def store(self, store_engine: AsyncEngine) -> ApplyStore:
        return SqlApplyStore(store_engine)
