"""The hazard watch (issue 14): findings with first and last seen, facts per subject, checks.

Findings are closed, never deleted; `hazard_facts` keeps what the latest check saw of each
watched subject, so that a drift can say what a fact was before; `hazard_checks` records every
check (the lease in `leases`, from 0002, makes one replica run it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Spelled out rather than imported from tables.py: a revision must not change when tables do.
DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, TIMESTAMP, nullable=nullable)


def _doc(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, DOCUMENT, nullable=nullable)


def _findings() -> None:
    op.create_table(
        "hazard_findings",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        _text("key"),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("hazard_class", sa.String(32), nullable=False),
        sa.Column("subject_kind", sa.String(32), nullable=False),
        _text("subject_id"),
        _text("subject_display"),
        _text("message"),
        _text("expected"),
        _text("observed"),
        _doc("changes"),
        _doc("facts", nullable=True),
        _doc("policy_names"),
        _doc("request_ids"),
        _doc("affected_user_ids"),
        sa.Column("affected_count", sa.Integer(), nullable=False),
        _ts("first_seen"),
        _ts("last_seen"),
        _ts("closed_at", nullable=True),
        _text("resolution"),
        _ts("announced_at", nullable=True),
        _doc("deliveries"),
        sa.Column("fix_request_id", sa.String(32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hazard_findings"),
    )
    op.create_index("ix_hazard_findings_open", "hazard_findings", ["tenant_id", "closed_at"])


def upgrade() -> None:
    _findings()
    op.create_table(
        "hazard_facts",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        _text("subject_key"),
        _doc("facts"),
        _ts("seen_at"),
        sa.PrimaryKeyConstraint("tenant_id", "subject_key", name="pk_hazard_facts"),
    )
    op.create_table(
        "hazard_checks",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        _ts("started_at"),
        _ts("finished_at"),
        sa.Column("outcome", sa.String(16), nullable=False),
        _doc("summary"),
        sa.PrimaryKeyConstraint("id", name="pk_hazard_checks"),
    )
    op.create_index("ix_hazard_checks_started", "hazard_checks", ["tenant_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_hazard_checks_started", table_name="hazard_checks")
    op.drop_table("hazard_checks")
    op.drop_table("hazard_facts")
    op.drop_index("ix_hazard_findings_open", table_name="hazard_findings")
    op.drop_table("hazard_findings")
