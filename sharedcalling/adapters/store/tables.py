"""One MetaData holding every table: the whole schema on one screen."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
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
    Column("conversation_id", Text, primary_key=True),
    Column("conversation_type", String(32), nullable=False),
    Column("user_id", String(64), nullable=True),
    Column("reference", Document, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_conversation_references_user", "tenant_id", "user_id", "updated_at"),
)

# ---------------------------------------------------------------- requests, approvals, audit

change_requests = Table(
    "change_requests",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("state", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("requester_id", String(64), nullable=False),
    Column("requester_name", Text, nullable=False),
    Column("beneficiary_id", String(64), nullable=True),
    Column("parent_id", String(32), nullable=True),
    Column("justification", Text, nullable=False),
    Column("fingerprint", String(80), nullable=False),
    Column("required_approvals", Integer, nullable=False),
    Column("decisions", Document, nullable=False),
    Column("user_ids", Document, nullable=False),
    Column("attested", Document, nullable=False),
    Column("desired", Document, nullable=False),
    Column("plan", Document, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("reminded_at", UtcDateTime, nullable=True),
    Index("ix_change_requests_state", "tenant_id", "state", "created_at"),
    Index("ix_change_requests_requester", "tenant_id", "requester_id", "created_at"),
)

request_locks = Table(
    "request_locks",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("request_id", String(32), nullable=False),
    Column("locked_at", UtcDateTime, nullable=False),
    Index("ix_request_locks_request", "request_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("chain", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("actor_name", Text, nullable=False),
    Column("event", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("request_id", String(32), nullable=True),
    Column("from_state", String(32), nullable=True),
    Column("to_state", String(32), nullable=True),
    Column("fingerprint", String(80), nullable=True),
    Column("reason", Text, nullable=False),
    Column("details", Document, nullable=False),
    Column("correlation_id", String(64), nullable=True),
    Column("prev_hash", String(80), nullable=False),
    Column("hash", String(80), nullable=False),
    Index("ix_audit_log_request", "chain", "request_id"),
)

audit_heads = Table(
    "audit_heads",
    metadata,
    Column("chain", String(64), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(80), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

card_copies = Table(
    "card_copies",
    metadata,
    Column("request_id", String(32), primary_key=True),
    Column("conversation_id", Text, primary_key=True),
    Column("activity_id", Text, primary_key=True),
    Column("purpose", String(32), nullable=False),
    Column("recipient_id", String(64), nullable=True),
    Column("sent_at", UtcDateTime, nullable=False),
    # 0007: the request version the copy last showed (None: unknown), failed updates so far.
    Column("rendered_version", Integer, nullable=True),
    Column("sync_failures", Integer, nullable=False, server_default="0"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("first_at", UtcDateTime, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),
    Column("count", Integer, nullable=False),
)

# ---------------------------------------------------------------- apply jobs and leases

apply_jobs = Table(
    "apply_jobs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("request_id", String(32), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("lease_owner", String(128), nullable=True),
    Column("lease_expires_at", UtcDateTime, nullable=True),
    Column("heartbeat_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    # 0005: the engine's own bookkeeping (docs/storage.md, "Apply jobs").
    Column("planned", Boolean, nullable=False, server_default=false()),
    Column("outcome", String(24), nullable=True),
    Column("next_run_at", UtcDateTime, nullable=True),
    Column("verify_until", UtcDateTime, nullable=True),
    Column("report", Document, nullable=True),
    Column("error", Text, nullable=True),
    Column("notified_at", UtcDateTime, nullable=True),
    UniqueConstraint("request_id", "attempt", name="uq_apply_jobs_request_attempt"),
    Index("ix_apply_jobs_state", "state", "lease_expires_at"),
    Index("ix_apply_jobs_tenant_state", "tenant_id", "state"),
)

apply_job_changes = Table(
    "apply_job_changes",
    metadata,
    Column("job_id", String(40), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("subject_id", Text, nullable=False),
    Column("change", Document, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("result", Document, nullable=True),
    Column("started_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Index("ix_apply_job_changes_status", "job_id", "status"),
)

apply_people_notices = Table(
    "apply_people_notices",
    metadata,
    # 0006: the one personal message per person whose caller ID a request changed (issue 15).
    Column("request_id", String(32), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("display_name", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("reason", Text, nullable=True),
    Column("owner", String(128), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("owner", String(128), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

control_flags = Table(
    "control_flags",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Document, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
)

# ---------------------------------------------------------------- hazard watch (issue 14)

hazard_findings = Table(
    "hazard_findings",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("key", Text, nullable=False),
    Column("code", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("hazard_class", String(32), nullable=False),
    Column("subject_kind", String(32), nullable=False),
    Column("subject_id", Text, nullable=False),
    Column("subject_display", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("expected", Text, nullable=False),
    Column("observed", Text, nullable=False),
    Column("changes", Document, nullable=False),
    Column("facts", Document, nullable=True),
    Column("policy_names", Document, nullable=False),
    Column("request_ids", Document, nullable=False),
    Column("affected_user_ids", Document, nullable=False),
    Column("affected_count", Integer, nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("resolution", Text, nullable=False),
    Column("announced_at", UtcDateTime, nullable=True),
    Column("deliveries", Document, nullable=False),
    Column("fix_request_id", String(32), nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_hazard_findings_open", "tenant_id", "closed_at"),
)

hazard_facts = Table(
    "hazard_facts",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("subject_key", Text, primary_key=True),
    Column("facts", Document, nullable=False),
    Column("seen_at", UtcDateTime, nullable=False),
)

hazard_checks = Table(
    "hazard_checks",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("owner", String(128), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("summary", Document, nullable=False),
    Index("ix_hazard_checks_started", "tenant_id", "started_at"),
)

# ---------------------------------------------------------------- plan export download links

export_links = Table(
    "export_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("filename", Text, nullable=False),
    Column("media_type", String(128), nullable=False),
    Column("content", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index("ix_export_links_expires", "expires_at"),
)
