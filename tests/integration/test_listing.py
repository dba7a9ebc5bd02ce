"""`posts list` reads any number of posts: counts and history come with a few grouped queries,
never one bound parameter per post (PostgreSQL refuses more than 65,535)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from crosspost.accounts import sync_accounts
from crosspost.db.models import Account, Attempt, Post
from crosspost.listing import list_posts
from crosspost.timeutil import utcnow
from tests.support.factories import make_content

MANY = 70_000  # more than PostgreSQL's limit of bound parameters in one statement


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_listing_more_posts_than_a_statement_may_bind(db, memory_config):
    now = utcnow()
    with db.factory.begin() as session:
        item = make_content(session)
        sync_accounts(session, memory_config)
        account_id = session.scalar(select(Account.id).where(Account.name == "xacct"))
        # One first post and its reposts: uq_post_once allows a single first post published.
        row = {
            "content_id": item.id,
            "account_id": account_id,
            "platform": "x",
            "scheduled_at": now,
            "state": "published",
            "attempt_count": 1,
            "remote_extra_ids": [],
            "created_by": "bench",
            "created_at": now,
            "updated_at": now,
        }
        first = session.execute(insert(Post).values(**row).returning(Post.id)).scalar_one()
        session.execute(insert(Post), [{**row, "reposted_from_id": first}] * (MANY - 1))
        session.execute(
            insert(Attempt),
            [
                {
                    "post_id": first,
                    "number": 1,
                    "worker": "w",
                    "started_at": now,
                    "outcome": "published",
                }
            ],
        )
    with db.factory() as session:
        listed = list_posts(session, status=["published"])
    assert len(listed) == MANY
    assert listed[0].attempts == 1
    assert all(row.attempts == 0 for row in listed[1:])
