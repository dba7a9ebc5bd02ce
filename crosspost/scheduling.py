"""Posts: schedule approved content per account, cancel, retry, repost.

Everything is checked before anything is written, inside one transaction: a refusal leaves the
database as it was. The checks run what publishing will run (the adapter's kind check, the
rendering and its problems, the media files), so a post is refused now rather than at its time;
the checked draft is stored on the post and is what the worker publishes (`redraft` replaces it,
audited). Content live or published on an account is not scheduled again there: `repost` is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crosspost import audit
from crosspost.accounts import build_adapter, sync_accounts
from crosspost.adapters.base import ContentKind, Platform
from crosspost.config import Config
from crosspost.content import get_content, snapshot
from crosspost.db.models import LIVE_POST_STATES, Content, Post, PostState, ReviewState
from crosspost.drafting import draft_for, draft_source
from crosspost.errors import NotFoundError, Problems, StateError, UserError
from crosspost.hygiene import clean_note
from crosspost.media import missing_media
from crosspost.posts.drafts import store_draft, stored_document
from crosspost.posts.queue import CANCELLABLE, RETRIABLE, add_post, cancel_post, requeue_post
from crosspost.posts.steps import confirmed_steps, summarise
from crosspost.timeutil import format_local, utcnow

# "now" typed a moment ago is not in the past.
PAST_TOLERANCE = timedelta(seconds=60)


class SchedulingProblems(Problems):
    """Every reason an item cannot be scheduled: one line when there is one, else a summary
    and a line each (not all of them run together on one line)."""

    def __init__(self, content_id: int, problems: Sequence[str]) -> None:
        head = f"content {content_id} cannot be scheduled"
        super().__init__(f"{head} ({len(problems)} problems):", list(problems), head=head)


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
    return drafts_for(config, content, targets)[1]


def drafts_for(
    config: Config, content: Content, targets: Sequence[Target]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Each target's checked draft as it will be stored (`posts.drafts.stored_document`), and
    every reason a target would refuse it (none: it can be scheduled)."""
    problems = missing_media([(m.path, m.size) for m in content.media])
    if problems:
        return {}, problems
    snap = snapshot(content)
    documents: dict[str, dict[str, Any]] = {}
    for target in targets:
        adapter = build_adapter(config, target.account_name)
        try:
            draft = draft_for(config, target.account_name, snap, adapter=adapter)
            source = draft_source(adapter, snap.kind)
        finally:
            adapter.close()
        problems.extend(f"{target.account_name}: {p}" for p in draft.problems)
        documents[target.account_name] = stored_document(draft, source)
    return documents, problems


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
    problems = [
        problem
        for target in targets
        if (
            problem := already_posted(
                session,
                content_id,
                target,
                rows[target.account_name].id,
                reposting=reposted_from is not None,
            )
        )
    ]
    if problems:
        raise SchedulingProblems(content_id, problems)
    documents, problems = drafts_for(config, content, targets)
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
            draft=documents[target.account_name],
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
            draft_sha256=documents[target.account_name]["sha256"],
            **({"reason": reason, "reposted_from": reposted_from.id} if reposted_from else {}),
        )
        posts.append(post)
    return posts


def already_posted(
    session: Session, content_id: int, target: Target, account_id: int, *, reposting: bool
) -> str | None:
    """Why the account cannot take another post of this content: a live post (cancel it first)
    or, for `schedule`, a published one (`repost` is the one way to publish again)."""
    states = [s.value for s in LIVE_POST_STATES]
    if not reposting:
        states.append(PostState.PUBLISHED.value)
    earlier = session.scalar(
        select(Post)
        .where(Post.content_id == content_id, Post.account_id == account_id, Post.state.in_(states))
        .order_by(Post.id)
        .limit(1)
    )
    if earlier is None:
        return None
    again = f"crosspost repost {content_id} --platform {target.platform} --now --reason TEXT"
    if earlier.state == PostState.PUBLISHED:
        return (
            f"{target.account_name}: already published as post {earlier.id}; "
            f"to publish it again use `{again}`"
        )
    return (
        f"{target.account_name}: already has post {earlier.id} ({earlier.state}); cancel it "
        f"or use `{again}`"
    )


def get_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFoundError(f"no post with id {post_id}; see `crosspost posts list`")
    return post


def cancel(session: Session, post_id: int, *, actor: str, reason: str | None = None) -> Post:
    if reason is not None:
        reason = clean_note(reason, "--reason")
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


def redraft(session: Session, config: Config, post_id: int, *, actor: str, reason: str) -> Post:
    """Render a waiting post again from its current content and config, store that draft in
    place of the approved one and audit both hashes; a draft with problems changes nothing."""
    if not reason.strip():
        raise UserError("a redraft needs a reason; pass --reason TEXT")
    if reason is not None:
        reason = clean_note(reason, "--reason")
    post = get_post(session, post_id)
    if post.state not in CANCELLABLE:
        raise StateError(
            f"post {post_id} is {post.state}; only scheduled or retry_wait posts can be redrafted"
        )
    out = confirmed_steps(session, post_id)
    if out:
        raise StateError(
            f"post {post_id} has {summarise(out)} out already and resumes after them; a new "
            "draft would mix two drafts in one post: let it finish, then `crosspost repost` "
            "the content if it must go out again"
        )
    target = Target(post.account.name, Platform(post.platform))
    documents, problems = drafts_for(config, post.content, [target])
    if problems:
        raise UserError(f"post {post_id} cannot be redrafted: " + "; ".join(problems))
    old = (post.draft or {}).get("sha256")
    new = documents[target.account_name]
    if not store_draft(session, post_id, new, CANCELLABLE):
        raise StateError(
            f"post {post_id} was claimed a moment ago (or its first steps went out); "
            "see `crosspost posts show`"
        )
    audit.record(
        session,
        actor,
        "redraft",
        content_id=post.content_id,
        post_id=post_id,
        reason=reason.strip(),
        old_draft_sha256=old,
        new_draft_sha256=new["sha256"],
    )
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
    reason = clean_note(reason, "--reason")
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
