"""One MetaData holding every table: the whole schema on one screen."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so that Alembic batch mode on SQLite can find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# JSON documents: JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
Document = JSON().with_variant(JSONB(), "postgresql")

# SQLite has no 64-bit autoincrement type other than INTEGER PRIMARY KEY.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both dialects.

    SQLite stores timestamps without an offset and hands back naive values; this type refuses
    naive input and marks what it reads as UTC, so callers always see aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


bot_state = Table(
    "bot_state",
    metadata,
    Column("key", Text, primary_key=True),
    Column("data", Document, nullable=False),
    Column("etag", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

emulated_tenant_objects = Table(
    "emulated_tenant_objects",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("kind", String(64), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("document", Document, nullable=False),
)

conversation_references = Table(
    "conversation_references",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("conversation_id", Text, primary_key=True),
    Column("reference", Document, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("event", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("details", Document, nullable=False),
    Column("correlation_id", String(64), nullable=True),
    Index("ix_audit_log_subject_at", "subject", "at"),
    Index("ix_audit_log_at", "at"),
)
