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

    def second_post(reposted_from_id=None):
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
                    reposted_from_id=reposted_from_id,
                )
            )

    with pytest.raises(IntegrityError):
        second_post()
    with pytest.raises(IntegrityError):  # a repost waits until the first is no longer live
        second_post(reposted_from_id=post_id)
    # Published, it is still the one first post (uq_post_once): only a repost may follow.
    with db.factory.begin() as session:
        session.execute(update(Post).where(Post.id == post_id).values(state="published"))
    with pytest.raises(IntegrityError):
        second_post()
    second_post(reposted_from_id=post_id)


def test_a_failed_first_post_leaves_room_for_a_new_first_post(db, memory_config):
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, memory_config, item.id, delay=60, platforms=["x"])
    with db.factory.begin() as session:
        session.execute(update(Post).where(Post.id == post_id).values(state="failed"))
    with db.factory.begin() as session:
        (again,) = schedule_now(session, memory_config, item.id, delay=60, platforms=["x"])
    assert again != post_id
