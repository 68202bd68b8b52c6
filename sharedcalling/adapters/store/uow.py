"""SqlUnitOfWork: one connection, one transaction per use case; rolled back unless committed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from sharedcalling.adapters.store.audit_repo import SqlAuditLog
from sharedcalling.adapters.store.engine import SQLITE_BEGIN
from sharedcalling.adapters.store.flags_repo import SqlControlFlagRepository
from sharedcalling.adapters.store.hazards_repo import SqlHazardRepository, SqlLeaseRepository
from sharedcalling.adapters.store.messaging_repo import (
    SqlCardCopyRepository,
    SqlConversationRepository,
    SqlNotificationLedger,
)
from sharedcalling.adapters.store.requests_repo import SqlLockRepository, SqlRequestRepository
from sharedcalling.services.unit_of_work import UnitOfWork, UnitOfWorkFactory


class SqlUnitOfWork(UnitOfWork):
    """On SQLite the transaction begins IMMEDIATE (it will write after reading); on PostgreSQL
    it is READ COMMITTED, with optimistic versions and FOR UPDATE where order matters."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None

    async def _begin(self) -> None:
        if self._connection is not None:
            raise RuntimeError("a unit of work is used once")
        connection = await self._engine.connect()
        if connection.dialect.name == "sqlite":
            await connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        self._connection = connection
        self._transaction = await connection.begin()
        self.requests = SqlRequestRepository(connection)
        self.locks = SqlLockRepository(connection)
        self.audit = SqlAuditLog(connection)
        self.conversations = SqlConversationRepository(connection)
        self.card_copies = SqlCardCopyRepository(connection)
        self.notifications = SqlNotificationLedger(connection)
        self.leases = SqlLeaseRepository(connection)
        self.hazards = SqlHazardRepository(connection)
        self.flags = SqlControlFlagRepository(connection)

    async def _end(self) -> None:
        connection, transaction = self._connection, self._transaction
        try:
            if transaction is not None and transaction.is_active:
                await transaction.rollback()
        finally:
            if connection is not None:
                await connection.close()

    async def commit(self) -> None:
        if self._transaction is None:
            raise RuntimeError("commit() outside `async with`")
        await self._transaction.commit()

    async def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            await self._transaction.rollback()


class SqlUnitOfWorkFactory(UnitOfWorkFactory):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine)
