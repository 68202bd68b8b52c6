"""Which request version each card copy last showed, and how often updating it failed.

A decision is committed before its card copies are updated in place; a process that dies in
between (or a connector 5xx) left the other copies showing the old state. With the version a
copy last rendered, the `approval.resync` job finds copies behind their request and updates
them; `sync_failures` bounds how often it tries (docs/decisions.md, "Card copies catch up").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("card_copies") as batch:
        batch.add_column(sa.Column("rendered_version", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("sync_failures", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("card_copies") as batch:
        batch.drop_column("sync_failures")
        batch.drop_column("rendered_version")
