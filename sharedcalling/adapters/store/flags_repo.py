"""SqlControlFlagRepository: control flags inside a unit of work (with their audit entry)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from sharedcalling.adapters.store.dialect import upsert
from sharedcalling.adapters.store.tables import control_flags
from sharedcalling.domain.ids import TenantId
from sharedcalling.services.unit_of_work import ControlFlagRepository


class SqlControlFlagRepository(ControlFlagRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def set(
        self, tenant_id: TenantId, name: str, value: Mapping[str, Any], by: str, at: datetime
    ) -> None:
        statement = upsert(self._connection, control_flags, ["value", "updated_at", "updated_by"])
        row = {
            "tenant_id": tenant_id,
            "name": name,
            "value": dict(value),
            "updated_at": at,
            "updated_by": by,
        }
        await self._connection.execute(statement, row)
