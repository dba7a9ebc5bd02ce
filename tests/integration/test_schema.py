"""The migrations build exactly the models' schema, and the database guards one live post."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from crosspost.db.models import Base, Post
from crosspost.timeutil import utcnow
from tests.support.factories import make_content, schedule_now


def test_migrations_match_the_models(db):
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_a_second_live_post_for_one_content_and_account_is_refused_by_the_database(
    db, memory_config
):
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, memory_config, item.id, delay=60, platforms=["x"])
    with db.factory() as session:
        first = session.get_one(Post, post_id)

    def second_post():
        with db.factory.begin() as session:
            now = utcnow()
            session.add(
                Post(
                    content_id=first.content_id,
                    account_id=first.account_id,
                    platform="x",
                    scheduled_at=now,
                    next_attempt_at=now,
                    state="scheduled",
                    created_by="t",
                    created_at=now,
                    updated_at=now,
                )
            )

    with pytest.raises(IntegrityError):
        second_post()
    # Once the first is no longer live, another may be scheduled (a repost).
    with db.factory.begin() as session:
        session.execute(update(Post).where(Post.id == post_id).values(state="published"))
    second_post()
