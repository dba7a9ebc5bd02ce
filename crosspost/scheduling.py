"""Posts: schedule approved content per account, cancel, retry, repost.

Everything is checked before anything is written, inside one transaction: a refusal leaves the
database as it was. The checks run what publishing will run (the adapter's kind check, the
rendering and its problems, the media files), so a post is refused now rather than at its time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crosspost import audit
from crosspost.accounts import sync_accounts
from crosspost.adapters.base import ContentKind, Platform
from crosspost.config import Config
from crosspost.content import get_content, snapshot
from crosspost.db.models import LIVE_POST_STATES, Content, Post, PostState, ReviewState
from crosspost.drafting import draft_for
from crosspost.errors import NotFoundError, StateError, UserError
from crosspost.media import missing_media
from crosspost.posts.queue import CANCELLABLE, RETRIABLE, add_post, cancel_post, requeue_post
from crosspost.timeutil import format_local, utcnow

# "now" typed a moment ago is not in the past.
PAST_TOLERANCE = timedelta(seconds=60)


class SchedulingProblems(UserError):
    """Several problems at once; the CLI prints a line each."""

    def __init__(self, content_id: int, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"content {content_id} cannot be scheduled: " + "; ".join(self.problems))


@dataclass(frozen=True)
class Target:
    account_name: str
    platform: Platform


def resolve_targets(
    config: Config, platforms: Sequence[str] = (), accounts: Sequence[str] = ()
) -> list[Target]:
    """The accounts to post to: named ones, every enabled account of the named platforms, or all."""
    targets: dict[str, Target] = {}
    for name in accounts:
        account = config.account(name)
        if not account.enabled:
            raise UserError(f"account {name!r} is disabled in config; enable it or pick another")
        targets[name] = Target(name, account.platform)
    allowed = ", ".join(p.value for p in Platform)
    for platform_name in platforms:
        try:
            platform = Platform(platform_name)
        except ValueError:
            raise UserError(f"unknown platform {platform_name!r}; use one of {allowed}") from None
        found = config.accounts_for(platform)
        if not found:
            raise UserError(
                f"no enabled {platform} account in config; add one under [accounts.NAME]"
            )
        for account in found:
            targets.setdefault(account.name, Target(account.name, platform))
    if not platforms and not accounts:
        targets = {
            a.name: Target(a.name, a.platform) for a in config.accounts.values() if a.enabled
        }
        if not targets:
            raise UserError("no accounts in config; add [accounts.NAME] tables to crosspost.toml")
    return list(targets.values())


def takers(config: Config, targets: Sequence[Target], kind: ContentKind) -> list[Target]:
    """With no account or platform named, "everywhere" means every account that takes this
    kind: an article is not refused because a platform takes only videos."""
    from crosspost.adapters.registry import adapter_class

    found = [
        t
        for t in targets
        if kind in adapter_class(t.platform, config.account(t.account_name).adapter).supported_kinds
    ]
    if not found:
        raise UserError(f"no enabled account takes {kind} content; check [accounts] in config")
    return found


def check_content_for(config: Config, content: Content, targets: Sequence[Target]) -> list[str]:
    """Every reason these targets would refuse this content (empty: it can be scheduled)."""
    problems = missing_media([(m.path, m.size) for m in content.media])
    if problems:
        return problems
    snap = snapshot(content)
    for target in targets:
        draft = draft_for(config, target.account_name, snap)
        problems.extend(f"{target.account_name}: {p}" for p in draft.problems)
    return problems


def schedule(
    session: Session,
    config: Config,
    content_id: int,
    at: datetime,
    *,
    actor: str,
    platforms: Sequence[str] = (),
    accounts: Sequence[str] = (),
    now: datetime | None = None,
    reposted_from: Post | None = None,
    reason: str | None = None,
) -> list[Post]:
    """Create one post per target; refuse (changing nothing) on any problem."""
    now = now or utcnow()
    content = get_content(session, content_id)
    if content.review_state != ReviewState.APPROVED:
        raise StateError(
            f"content {content_id} is {content.review_state}, not approved; "
            f"an editor must approve it first (crosspost content approve {content_id} --by NAME)"
        )
    if at < now - PAST_TOLERANCE:
        raise UserError(
            f"{format_local(at, config.timezone)} ({config.timezone.key}) is in the past; "
            f"give a later --at, or --at now"
        )
    targets = resolve_targets(config, platforms, accounts)
    if not platforms and not accounts:
        targets = takers(config, targets, ContentKind(content.kind))
    rows = sync_accounts(session, config)
    problems: list[str] = []
    for target in targets:
        live = session.scalar(
            select(Post).where(
                Post.content_id == content_id,
                Post.account_id == rows[target.account_name].id,
                Post.state.in_([s.value for s in LIVE_POST_STATES]),
            )
        )
        if live is not None:
            problems.append(
                f"{target.account_name}: already has post {live.id} ({live.state}); cancel it "
                f"or use `crosspost repost`"
            )
    if problems:
        raise SchedulingProblems(content_id, problems)
    problems = check_content_for(config, content, targets)
    if problems:
        raise SchedulingProblems(content_id, problems)
    posts = []
    for target in targets:
        post = add_post(
            session,
            content_id=content_id,
            account_id=rows[target.account_name].id,
            platform=target.platform.value,
            at=max(at, now),
            actor=actor,
            now=now,
            reposted_from_id=reposted_from.id if reposted_from else None,
            reason=reason,
        )
        if post is None:
            raise SchedulingProblems(
                content_id,
                [
                    f"{target.account_name}: was scheduled by someone else a moment ago; "
                    "see `crosspost posts list`"
                ],
            )
        audit.record(
            session,
            actor,
            "repost" if reposted_from else "schedule",
            content_id=content_id,
            post_id=post.id,
            account=target.account_name,
            at=at.isoformat(),
            **({"reason": reason, "reposted_from": reposted_from.id} if reposted_from else {}),
        )
        posts.append(post)
    return posts


def get_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFoundError(f"no post with id {post_id}; see `crosspost posts list`")
    return post


def cancel(session: Session, post_id: int, *, actor: str, reason: str | None = None) -> Post:
    post = get_post(session, post_id)
    if post.state not in CANCELLABLE:
        hint = {
            PostState.PUBLISHING: "it is being published right now",
            PostState.UNKNOWN: "its outcome is being checked with the platform",
        }.get(PostState(post.state), f"it is already {post.state}")
        raise StateError(f"post {post_id} cannot be cancelled: {hint}")
    cancel_post(session, post_id)
    audit.record(
        session, actor, "cancel", content_id=post.content_id, post_id=post_id, reason=reason
    )
    session.refresh(post)
    return post


def retry(session: Session, post_id: int, *, actor: str, now: datetime | None = None) -> Post:
    """Send a failed (or waiting) post again now, with a fresh retry budget."""
    now = now or utcnow()
    post = get_post(session, post_id)
    if post.state not in RETRIABLE:
        raise StateError(
            f"post {post_id} is {post.state}; only failed or retry_wait posts can be retried"
            + ("; to publish it again use `crosspost repost`" if post.state == "published" else "")
        )
    requeue_post(session, post_id, now)
    audit.record(session, actor, "retry", content_id=post.content_id, post_id=post_id)
    session.refresh(post)
    return post


def repost(
    session: Session,
    config: Config,
    content_id: int,
    platform: str,
    at: datetime,
    *,
    actor: str,
    reason: str,
    now: datetime | None = None,
) -> list[Post]:
    """A new post of content already posted on a platform, linked to the earlier post."""
    if not reason.strip():
        raise UserError("a repost needs a reason; pass --reason TEXT")
    get_content(session, content_id)
    try:
        Platform(platform)
    except ValueError:
        allowed = ", ".join(p.value for p in Platform)
        raise UserError(f"unknown platform {platform!r}; use one of {allowed}") from None
    earlier = session.scalar(
        select(Post)
        .where(Post.content_id == content_id, Post.platform == platform)
        .order_by(Post.id.desc())
        .limit(1)
    )
    if earlier is None:
        raise UserError(
            f"content {content_id} has no earlier {platform} post; use `crosspost schedule`"
        )
    return schedule(
        session,
        config,
        content_id,
        at,
        actor=actor,
        platforms=[platform],
        now=now,
        reposted_from=earlier,
        reason=reason.strip(),
    )
