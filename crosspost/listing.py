"""Reading posts back: what `posts list` and `posts show` display, as plain rows.

Counts and audit actions are fetched with one grouped query each, not one query per post, so a
listing of many posts stays a handful of statements. A listing reads the post's columns it
shows as plain rows (`ListedPost`), not ORM objects: 20,000 of those cost the listing twice the
time of the rest of `posts list --json`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crosspost.adapters.base import Platform
from crosspost.db.models import Account, Attempt, AuditEvent, Post, PostState
from crosspost.errors import UserError
from crosspost.posts.steps import StepProgress, progress_of


class ListedPost(NamedTuple):
    """The columns of a post a listing shows (and decides its waiting reason from)."""

    id: int
    content_id: int
    platform: str
    state: str
    scheduled_at: datetime
    next_attempt_at: datetime | None
    wait_reason: str | None
    attempt_count: int
    remote_id: str | None
    remote_url: str | None
    remote_extra_ids: list[str]
    last_error: str | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    reposted_from_id: int | None
    reason: str | None
    created_by: str
    published_at: datetime | None


P = TypeVar("P", Post, ListedPost)


@dataclass
class PostRow(Generic[P]):
    """A post with what its listing line needs: a `ListedPost` in a listing, the ORM post in
    `posts show` (which shows its content and draft too)."""

    post: P
    account_name: str
    paused_reason: str | None
    attempts: int
    audit: list[str]
    # The platform asked the account to wait (posts/gate.py keeps its posts back till then).
    rest_until: datetime | None = None
    rest_reason: str | None = None
    # How far a publish of several steps got (None: no step recorded yet).
    progress: StepProgress | None = None


@dataclass
class PostDetail:
    row: PostRow[Post]
    attempt_log: Sequence[Attempt] = field(default_factory=list)
    audit_log: Sequence[AuditEvent] = field(default_factory=list)


# Either kind of row: what the listing's views and the waiting rules read.
AnyPostRow = PostRow[Post] | PostRow[ListedPost]


@dataclass(frozen=True)
class PostFilter:
    """Which posts a listing shows: states, platforms, one content item, scheduled times in
    [since, until), and a keyset page (ids after `after`, at most `limit`)."""

    status: Sequence[str] = ()
    platform: Sequence[str] = ()
    content_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    after: int | None = None
    limit: int | None = None
    published_since: datetime | None = None

    def __post_init__(self) -> None:
        # Checked when the filter is made, before a listing prints anything (a streamed
        # `--json` must not have written its `[` when the filter turns out to be wrong).
        states = {s.value for s in PostState}
        for s in self.status:
            if s not in states:
                raise UserError(f"--state {s!r} is not one of {', '.join(sorted(states))}")
        platforms = {p.value for p in Platform}
        for p in self.platform:
            if p not in platforms:
                raise UserError(f"--platform {p!r} is not one of {', '.join(sorted(platforms))}")


def iter_posts(
    session: Session, where: PostFilter, *, page: int = 500
) -> Iterator[PostRow[ListedPost]]:
    """Every post `where` selects, fetched a keyset page at a time: a listing of 20,000 posts
    starts printing at once and holds one page in memory, not all of them."""
    after, left = where.after, where.limit
    while left is None or left > 0:
        size = page if left is None else min(page, left)
        rows = list_posts(
            session,
            status=where.status,
            platform=where.platform,
            content_id=where.content_id,
            since=where.since,
            until=where.until,
            after=after,
            limit=size,
            published_since=where.published_since,
        )
        yield from rows
        if len(rows) < size:
            return
        after = rows[-1].post.id
        left = None if left is None else left - len(rows)


def list_posts(
    session: Session,
    *,
    status: Sequence[str] = (),
    platform: Sequence[str] = (),
    content_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: int | None = None,
    limit: int | None = None,
    published_since: datetime | None = None,
) -> list[PostRow[ListedPost]]:
    """Posts in id order. A page is keyed by the last id seen (`after`), never by an offset,
    so a page costs the same at post 20,000 as at post 1 and a post added meanwhile does not
    shift the next page."""
    PostFilter(status=status)  # the same check as a filter's
    query = select(
        *(getattr(Post, name) for name in ListedPost._fields),
        Account.name,
        Account.paused_reason,
        Account.rest_until,
        Account.rest_reason,
    ).join(Account, Account.id == Post.account_id)
    if status:
        query = query.where(Post.state.in_(status))
    if platform:
        query = query.where(Post.platform.in_(platform))
    if content_id is not None:
        query = query.where(Post.content_id == content_id)
    if since is not None:
        query = query.where(Post.scheduled_at >= since)
    if until is not None:
        query = query.where(Post.scheduled_at < until)
    if published_since is not None:
        query = query.where(Post.published_at >= published_since)
    if after is not None:
        query = query.where(Post.id > after)
    query = query.order_by(Post.id)
    if limit is not None:
        query = query.limit(limit)
    # On the session's connection, as Core rows: the ORM's result layer costs half as much
    # again for the same columns (flushed first, as the ORM's own execute would).
    session.flush()
    connection = session.connection()
    rows = connection.execute(query).all()
    # The listed ids as a subquery of the same filters, never as bound parameters: a listing
    # of 100,000 posts would pass PostgreSQL's 65,535-parameter limit.
    listed = select(query.with_only_columns(Post.id).subquery().c.id).scalar_subquery()
    attempts: dict[int, int] = {}
    audit: dict[int, list[str]] = {}
    if rows:
        attempts = {
            post_id: count
            for post_id, count in connection.execute(
                select(Attempt.post_id, func.count(Attempt.id))
                .where(Attempt.post_id.in_(listed))
                .group_by(Attempt.post_id)
            )
        }
        for post_id, action in connection.execute(
            select(AuditEvent.post_id, AuditEvent.action)
            .where(AuditEvent.post_id.in_(listed))
            .order_by(AuditEvent.id)
        ):
            if post_id is not None:  # always, given the filter; the column is nullable
                audit.setdefault(post_id, []).append(action)
    progress = progress_of(session, listed) if rows else {}
    width = len(ListedPost._fields)
    listed_rows = []
    for row in rows:
        post = ListedPost._make(row[:width])
        name, paused, until, why = row[width:]
        listed_rows.append(
            PostRow(
                post,
                name,
                paused,
                attempts.get(post.id, 0),
                audit.get(post.id, []),
                until,
                why,
                progress.get(post.id),
            )
        )
    return listed_rows


def post_detail(session: Session, post_id: int) -> PostDetail:
    from crosspost.scheduling import get_post  # not at the top: it loads rendering, for one post

    post = get_post(session, post_id)
    attempt_log = session.scalars(
        select(Attempt).where(Attempt.post_id == post_id).order_by(Attempt.id)
    ).all()
    audit_log = session.scalars(
        select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(AuditEvent.id)
    ).all()
    row = PostRow(
        post,
        post.account.name,
        post.account.paused_reason,
        len(attempt_log),
        [e.action for e in audit_log],
        post.account.rest_until,
        post.account.rest_reason,
        progress_of(session, [post_id], published_too=True).get(post_id),
    )
    return PostDetail(row, attempt_log, audit_log)
