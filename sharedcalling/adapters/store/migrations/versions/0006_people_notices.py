"""The personal caller-ID message of each person an applied request changed (issue 15).

One row per request and person, inserted before the message is sent (the claim), so that a
restart, a second run of the report or a second replica never sends it twice; the row then
records whether it was sent or why not.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "apply_people_notices",
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("claimed_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("request_id", "user_id", name="pk_apply_people_notices"),
    )


def downgrade() -> None:
    op.drop_table("apply_people_notices")
