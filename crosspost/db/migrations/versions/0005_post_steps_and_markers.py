"""post_step (each confirmed step of a publish: thread parts, uploads, thumbnails, playlist
items); post.marker (a per-post token for proof in reconciliation); an index for the ids an
account's recent posts hold

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.String(length=256), nullable=True),
        sa.Column("remote_url", sa.Text(), nullable=True),
        sa.Column("attempt_number", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name="fk_post_step_post_id_post"),
        sa.PrimaryKeyConstraint("id", name="pk_post_step"),
        sa.UniqueConstraint("post_id", "kind", "number", name="uq_post_step"),
    )
    op.create_index("ix_post_step_post_id", "post_step", ["post_id"])
    op.create_index("ix_post_step_remote_id", "post_step", ["remote_id"])
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marker", sa.String(length=32), nullable=True))
    op.create_index("ix_post_account_updated", "post", ["account_id", "updated_at"])


def downgrade() -> None:
    raise NotImplementedError("crosspost migrations go forward only")
