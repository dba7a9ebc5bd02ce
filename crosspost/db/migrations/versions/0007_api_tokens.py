"""app_user: one API token per user, kept only as its sha256 (the token is shown once)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("token_created_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint("uq_app_user_token_hash", ["token_hash"])


def downgrade() -> None:
    raise NotImplementedError("crosspost migrations go forward only")
