"""Apply jobs as the apply engine runs them: planned rows, outcome, schedule, report, outbox.

0002 created `apply_jobs` with its lease columns; the engine also needs to know whether a job's
rows were planned yet, how it ended, when it runs next (group assignments are re-verified on a
schedule until `verify_until`), its verification report, a job-level error, and when its final
report was sent (the outbox that survives a crash between the end and the notification).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Spelled out rather than imported from tables.py: a revision must not change when tables do.
DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)

_ADDED = ("planned", "outcome", "next_run_at", "verify_until", "report", "error", "notified_at")


def upgrade() -> None:
    with op.batch_alter_table("apply_jobs") as batch:
        batch.add_column(
            sa.Column("planned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("outcome", sa.String(24), nullable=True))
        batch.add_column(sa.Column("next_run_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("verify_until", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("report", DOCUMENT, nullable=True))
        batch.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("notified_at", TIMESTAMP, nullable=True))
    op.create_index("ix_apply_jobs_tenant_state", "apply_jobs", ["tenant_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_apply_jobs_tenant_state", table_name="apply_jobs")
    with op.batch_alter_table("apply_jobs") as batch:
        for column in reversed(_ADDED):
            batch.drop_column(column)
