"""one live post per content and account (partial unique index); post.alerted_at

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LIVE = "state IN ('scheduled', 'publishing', 'retry_wait', 'unknown')"


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "uq_post_live",
        "post",
        ["content_id", "account_id"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )


def downgrade() -> None:
    raise NotImplementedError("crosspost migrations go forward only")
