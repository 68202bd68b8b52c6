"""Requests, approvals, a hash-chained audit log, card copies, notifications, apply jobs, leases.

Reshapes `audit_log` and `conversation_references`, which 0001 created but nothing wrote, so
they are dropped and created again rather than altered.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Spelled out rather than imported from tables.py: a revision must not change when tables do.
DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, TIMESTAMP, nullable=nullable)


def _drop_unused_tables() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_audit_log_subject_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("conversation_references")


def _conversations() -> None:
    op.create_table(
        "conversation_references",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("conversation_type", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("reference", DOCUMENT, nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("tenant_id", "conversation_id", name="pk_conversation_references"),
    )
    op.create_index(
        "ix_conversation_references_user",
        "conversation_references",
        ["tenant_id", "user_id", "updated_at"],
    )


def _requests() -> None:
    op.create_table(
        "change_requests",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.String(64), nullable=False),
        sa.Column("requester_name", sa.Text(), nullable=False),
        sa.Column("beneficiary_id", sa.String(64), nullable=True),
        sa.Column("parent_id", sa.String(32), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(80), nullable=False),
        sa.Column("required_approvals", sa.Integer(), nullable=False),
        sa.Column("decisions", DOCUMENT, nullable=False),
        sa.Column("user_ids", DOCUMENT, nullable=False),
        sa.Column("attested", DOCUMENT, nullable=False),
        sa.Column("desired", DOCUMENT, nullable=False),
        sa.Column("plan", DOCUMENT, nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("expires_at", nullable=True),
        _ts("reminded_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_change_requests"),
    )
    op.create_index(
        "ix_change_requests_state", "change_requests", ["tenant_id", "state", "created_at"]
    )
    op.create_index(
        "ix_change_requests_requester",
        "change_requests",
        ["tenant_id", "requester_id", "created_at"],
    )
    op.create_table(
        "request_locks",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        _ts("locked_at"),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", name="pk_request_locks"),
    )
    op.create_index("ix_request_locks_request", "request_locks", ["request_id"])


def _audit() -> None:
    op.create_table(
        "audit_log",
        sa.Column("chain", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False, autoincrement=False),
        _ts("at"),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=True),
        sa.Column("from_state", sa.String(32), nullable=True),
        sa.Column("to_state", sa.String(32), nullable=True),
        sa.Column("fingerprint", sa.String(80), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", DOCUMENT, nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=True),
        sa.Column("prev_hash", sa.String(80), nullable=False),
        sa.Column("hash", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("chain", "seq", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_request", "audit_log", ["chain", "request_id"])
    op.create_table(
        "audit_heads",
        sa.Column("chain", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(80), nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("chain", name="pk_audit_heads"),
    )


def _cards_and_notifications() -> None:
    op.create_table(
        "card_copies",
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("recipient_id", sa.String(64), nullable=True),
        _ts("sent_at"),
        sa.PrimaryKeyConstraint(
            "request_id", "conversation_id", "activity_id", name="pk_card_copies"
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        _ts("first_at"),
        _ts("last_at"),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "key", name="pk_notifications"),
    )


def _jobs() -> None:
    op.create_table(
        "apply_jobs",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        _ts("lease_expires_at", nullable=True),
        _ts("heartbeat_at", nullable=True),
        _ts("created_at"),
        _ts("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_apply_jobs"),
        sa.UniqueConstraint("request_id", "attempt", name="uq_apply_jobs_request_attempt"),
    )
    op.create_index("ix_apply_jobs_state", "apply_jobs", ["state", "lease_expires_at"])
    op.create_table(
        "apply_job_changes",
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.Text(), nullable=False),
        sa.Column("change", DOCUMENT, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", DOCUMENT, nullable=True),
        _ts("started_at", nullable=True),
        _ts("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("job_id", "seq", name="pk_apply_job_changes"),
    )
    op.create_index("ix_apply_job_changes_status", "apply_job_changes", ["job_id", "status"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        _ts("expires_at"),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )
    op.create_table(
        "control_flags",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", DOCUMENT, nullable=False),
        _ts("updated_at"),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "name", name="pk_control_flags"),
    )


def upgrade() -> None:
    _drop_unused_tables()
    _conversations()
    _requests()
    _audit()
    _cards_and_notifications()
    _jobs()


def downgrade() -> None:
    for table in (
        "control_flags",
        "leases",
        "apply_job_changes",
        "apply_jobs",
        "notifications",
        "card_copies",
        "audit_heads",
        "audit_log",
        "request_locks",
        "change_requests",
        "conversation_references",
    ):
        op.drop_table(table)
    # Back to 0001's shapes of the two reshaped tables.
    op.create_table(
        "conversation_references",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("reference", DOCUMENT, nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint(
            "tenant_id", "user_id", "conversation_id", name="pk_conversation_references"
        ),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", AUTO_ID, nullable=False, autoincrement=True),
        _ts("at"),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("details", DOCUMENT, nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_subject_at", "audit_log", ["subject", "at"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
