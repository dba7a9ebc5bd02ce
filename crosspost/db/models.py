"""The tables: content and its media, accounts, posts, attempts and the audit trail.

Every datetime is stored as UTC; `UTCDateTime` hands it back aware (SQLite forgets the zone).
States are plain strings checked by the code that moves them (posts/ against its declared
transitions, content.py), so a migration never has to alter a database enum.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; crosspost stores UTC-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}  # noqa: RUF012


class ReviewState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class PostState(enum.StrEnum):
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    RETRY_WAIT = "retry_wait"
    UNKNOWN = "unknown"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A post in one of these may still reach the platform; at most one per content and account.
LIVE_POST_STATES = (
    PostState.SCHEDULED,
    PostState.PUBLISHING,
    PostState.RETRY_WAIT,
    PostState.UNKNOWN,
)
# States the worker claims when due.
DUE_POST_STATES = (PostState.SCHEDULED, PostState.RETRY_WAIT)


class Content(Base):
    __tablename__ = "content"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(Text)
    hashtags: Mapped[list[str]] = mapped_column(default=list)
    unit: Mapped[str | None] = mapped_column(String(64), index=True)
    period: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM the unit submitted it for
    language: Mapped[str] = mapped_column(String(16), default="vi")
    overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    review_state: Mapped[str] = mapped_column(String(16), default=ReviewState.DRAFT)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    submitted_by: Mapped[str | None] = mapped_column(String(128))
    submitted_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str | None] = mapped_column(Text)

    media: Mapped[list[MediaFileRow]] = relationship(
        back_populates="content", order_by="MediaFileRow.id", cascade="all, delete-orphan"
    )
    posts: Mapped[list[Post]] = relationship(back_populates="content", order_by="Post.id")


class MediaFileRow(Base):
    __tablename__ = "media_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    mime_type: Mapped[str | None] = mapped_column(String(64))
    duration_seconds: Mapped[float | None]

    content: Mapped[Content] = relationship(back_populates="media")


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # An authentication failure pauses the account until `crosspost accounts check` passes.
    paused_at: Mapped[datetime | None]
    paused_reason: Mapped[str | None] = mapped_column(Text)
    # The platform asked us to wait (rate limit, quota, usage near its cap): none of the
    # account's posts is claimed before this time.
    rest_until: Mapped[datetime | None]
    rest_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


LIVE_STATES_SQL = "state IN ('scheduled', 'publishing', 'retry_wait', 'unknown')"
# A first post (not a repost) that may still reach the platform or already did.
ONCE_SQL = (
    "reposted_from_id IS NULL AND "
    "state IN ('scheduled', 'publishing', 'retry_wait', 'unknown', 'published')"
)


class Post(Base):
    __tablename__ = "post"
    __table_args__ = (
        Index("ix_post_due", "state", "next_attempt_at"),
        Index("ix_post_content_account", "content_id", "account_id"),
        # Reconciliation reads the ids an account's recent posts hold (posts/steps.py).
        Index("ix_post_account_updated", "account_id", "updated_at"),
        # At most one post per content and account that may still reach the platform: the
        # database itself refuses a second, whatever races the application checks lose.
        Index(
            "uq_post_live",
            "content_id",
            "account_id",
            unique=True,
            sqlite_where=text(LIVE_STATES_SQL),
            postgresql_where=text(LIVE_STATES_SQL),
        ),
        # Published included: a second `schedule` of content already out is refused by the
        # database too; `repost` (reposted_from_id set) is the one way to publish it again.
        Index(
            "uq_post_once",
            "content_id",
            "account_id",
            unique=True,
            sqlite_where=text(ONCE_SQL),
            postgresql_where=text(ONCE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    scheduled_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default=PostState.SCHEDULED)
    # When the worker may next claim it (== scheduled_at until a retry moves it).
    next_attempt_at: Mapped[datetime | None]
    # Why it waits, in words, for `posts list` (rate limit, quota, paused account…).
    wait_reason: Mapped[str | None] = mapped_column(Text)
    # Attempts counted against the retry budget (auth failures are not counted).
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    remote_id: Mapped[str | None] = mapped_column(String(256))
    remote_url: Mapped[str | None] = mapped_column(Text)
    remote_extra_ids: Mapped[list[str]] = mapped_column(default=list)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None]
    reposted_from_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    # When an alert went out for it being stuck `unknown` (so it goes out once).
    alerted_at: Mapped[datetime | None]
    # The checked draft stored at scheduling (posts/drafts.py): what is published, never
    # rendered again. None only for a post from before migration 0004 (drafted at its claim).
    # Deferred: listings never load it; the worker reads it with one select of the column.
    draft: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True), nullable=True, deferred=True
    )
    # A random per-post token, set when the post is created; an adapter puts it where the
    # platform carries it unseen by the public (a YouTube tag) so reconciliation has proof.
    marker: Mapped[str | None] = mapped_column(String(32))

    content: Mapped[Content] = relationship(back_populates="posts")
    account: Mapped[Account] = relationship()
    attempts: Mapped[list[Attempt]] = relationship(back_populates="post", order_by="Attempt.id")
    steps: Mapped[list[PostStep]] = relationship(
        back_populates="post", order_by="(PostStep.kind, PostStep.number)"
    )


class StepState(enum.StrEnum):
    CONFIRMED = "confirmed"  # the platform made it: never made again
    REFUSED = "refused"  # the platform refused it for good (a thread cut by a policy refusal)


class PostStep(Base):
    """One step of a post's publish (a thread part, an upload, a thumbnail, a playlist item),
    written the moment the platform confirmed it, so a retry resumes after it."""

    __tablename__ = "post_step"
    __table_args__ = (UniqueConstraint("post_id", "kind", "number", name="uq_post_step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=StepState.CONFIRMED)
    remote_id: Mapped[str | None] = mapped_column(String(256), index=True)
    remote_url: Mapped[str | None] = mapped_column(Text)
    attempt_number: Mapped[int] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]

    post: Mapped[Post] = relationship(back_populates="steps")


class Attempt(Base):
    """One try. Written before the platform is called (the intent), completed after it."""

    __tablename__ = "attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(index=True)  # budgets count recent attempts
    ended_at: Mapped[datetime | None]
    # None while in flight; then published, reconciled, retryable, rate_limited,
    # quota_exhausted, auth_failed, permanent, ambiguous, duplicate, lease_expired, error.
    outcome: Mapped[str | None] = mapped_column(String(32))
    error_class: Mapped[str | None] = mapped_column(String(64))
    http_status: Mapped[int | None]
    platform_code: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(String(256))
    remote_url: Mapped[str | None] = mapped_column(Text)

    post: Mapped[Post] = relationship(back_populates="attempts")


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    content_id: Mapped[int | None] = mapped_column(ForeignKey("content.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class User(Base):
    """A person who signs in to the web workspace: a role, a unit for a contributor, and an
    argon2 hash of the password (None until `crosspost users passwd` sets one)."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(128))
    # Sessions opened before this time end (a changed password signs everyone out).
    password_changed_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    # The sha256 of the user's API token (`crosspost users token`); the token itself is shown
    # once and never kept.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_created_at: Mapped[datetime | None]
