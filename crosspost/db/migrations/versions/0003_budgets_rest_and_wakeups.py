"""account rest (a platform asked us to wait); attempt.started_at index for budgets;
PostgreSQL NOTIFY when a post becomes claimable

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Every worker LISTENs on this channel; a post that becomes claimable wakes them at once, so a
# post scheduled from another process or machine does not wait for a poll.
NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION crosspost_notify_due() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('crosspost_due', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
NOTIFY_TRIGGER = """
CREATE TRIGGER post_notify_due
AFTER INSERT OR UPDATE OF state, next_attempt_at ON post
FOR EACH ROW WHEN (NEW.state IN ('scheduled', 'retry_wait', 'unknown'))
EXECUTE FUNCTION crosspost_notify_due()
"""


def upgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rest_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("rest_reason", sa.Text(), nullable=True))
    op.create_index("ix_attempt_started_at", "attempt", ["started_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    raise NotImplementedError("crosspost migrations go forward only")
