"""post.draft (the checked draft stored at scheduling); one first post per content and account,
published included (uq_post_once)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ONCE_STATES = "state IN ('scheduled', 'publishing', 'retry_wait', 'unknown', 'published')"
ONCE = f"reposted_from_id IS NULL AND {ONCE_STATES}"

# Before the guard, a second `schedule` of published content made a real duplicate. Such a
# later post is what a repost is: link it to the first so the index can be built, with a reason.
FIRST_POSTS = "('scheduled', 'publishing', 'retry_wait', 'unknown', 'published')"
LINK_DUPLICATES = f"""
UPDATE post SET
    reposted_from_id = (
        SELECT MIN(p2.id) FROM post p2
        WHERE p2.content_id = post.content_id AND p2.account_id = post.account_id
          AND p2.reposted_from_id IS NULL AND p2.state IN {FIRST_POSTS}
    ),
    reason = COALESCE(reason, 'scheduled again before migration 0004; linked as a repost')
WHERE {ONCE} AND EXISTS (
    SELECT 1 FROM post p3
    WHERE p3.content_id = post.content_id AND p3.account_id = post.account_id
      AND p3.reposted_from_id IS NULL AND p3.state IN {FIRST_POSTS} AND p3.id < post.id
)
"""


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft", sa.JSON(), nullable=True))
    op.execute(LINK_DUPLICATES)
    op.create_index(
        "uq_post_once",
        "post",
        ["content_id", "account_id"],
        unique=True,
        sqlite_where=sa.text(ONCE),
        postgresql_where=sa.text(ONCE),
    )


def downgrade() -> None:
    raise NotImplementedError("crosspost migrations go forward only")
