"""The bench's articles: one approved article and one scheduled post per due time, each with
the stored draft `schedule` would give it, inserted in bulk so setting up 6,000 posts is quick."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from benchlib import (
    ACCOUNTS,
    HASHTAGS,
    LINK,
    SUMMARY,
    TABLES,
    TITLE,
    BenchDatabase,
    platform_of,
)
from sqlalchemy import insert

from crosspost.accounts import sync_accounts
from crosspost.config import Config
from crosspost.db.engine import transaction
from crosspost.timeutil import utcnow


def add_articles(db: BenchDatabase, config: Config, due: Sequence[datetime]) -> None:
    """One approved article and one scheduled post per time in `due` (post n is due at
    due[n-1]), inserted with SQLAlchemy core in one transaction, with explicit ids 1..n."""
    now = utcnow()
    with transaction(db.factory) as session:
        rows = sync_accounts(session, config)
        account_ids = {p: rows[name].id for p, name in ACCOUNTS.items()}
    contents = [
        {
            "id": n,
            "kind": "article",
            "title": TITLE.format(n=n),
            "summary": SUMMARY,
            "body": "",
            "link": LINK.format(n=n),
            "hashtags": HASHTAGS,
            "unit": "HN",
            "language": "vi",
            "overrides": {},
            "review_state": "approved",
            "created_by": "bench",
            "created_at": now,
            "submitted_by": "bench",
            "submitted_at": now,
            "reviewed_by": "bench",
            "reviewed_at": now,
        }
        for n in range(1, len(due) + 1)
    ]
    drafts = stored_drafts(config, contents)
    posts = [
        {
            "id": n,
            "content_id": n,
            "account_id": account_ids[platform_of(n)],
            "draft": drafts[n - 1],
            "platform": platform_of(n),
            "scheduled_at": at,
            "next_attempt_at": at,
            "state": "scheduled",
            "attempt_count": 0,
            "remote_extra_ids": [],
            "created_by": "bench",
            "created_at": now,
            "updated_at": now,
        }
        for n, at in enumerate(due, start=1)
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(TABLES["content"]), contents)
        conn.execute(insert(TABLES["post"]), posts)
    db.fix_sequences()


def stored_drafts(config: Config, contents: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each post's stored draft, made as `schedule` makes it (one adapter per platform), so
    the worker sends stored drafts as it does in production instead of drafting at claim."""
    from crosspost.accounts import build_adapter
    from crosspost.adapters.base import ContentKind, ContentSnapshot
    from crosspost.drafting import draft_for, draft_source
    from crosspost.posts.drafts import stored_document

    adapters = {p: build_adapter(config, name) for p, name in ACCOUNTS.items()}
    try:
        documents = []
        for n, row in enumerate(contents, start=1):
            adapter = adapters[platform_of(n)]
            snap = ContentSnapshot(
                content_id=row["id"],
                kind=ContentKind(row["kind"]),
                title=row["title"],
                summary=row["summary"],
                link=row["link"],
                hashtags=tuple(row["hashtags"]),
                unit=row["unit"],
            )
            draft = draft_for(config, adapter.account.name, snap, adapter=adapter)
            if draft.problems:
                raise RuntimeError(f"bench article {n} has problems: {draft.problems}")
            documents.append(stored_document(draft, draft_source(adapter, snap.kind)))
        return documents
    finally:
        for adapter in adapters.values():
            adapter.close()
