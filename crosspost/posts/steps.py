"""Each step of a post's publish, recorded the moment the platform confirms it.

An X thread is several posts, a YouTube publish an upload, a thumbnail and a playlist item. A
step's receipt is written on its own, before the adapter goes on, so when the next step fails,
the worker dies or an answer is lost, the next attempt (or the reconciler) knows exactly which
steps exist and resumes after them: a confirmed step is never made twice, and a post is
`published` only when every step is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from crosspost.adapters.base import StepKind, StepReceipt
from crosspost.db.engine import transaction
from crosspost.db.models import Post, PostState, PostStep, StepState
from crosspost.db.outages import retry_while_unavailable
from crosspost.posts.claims import Claim
from crosspost.posts.moves import rowcount
from crosspost.posts.states import LostLease
from crosspost.timeutil import utcnow

# Other posts' ids are looked at as far back as this before the post's first attempt: a copy
# the reconciler may accept was made after that, and nothing older can be confused with it.
HELD_IDS_LOOKBACK = timedelta(days=2)


def confirmed_steps(session: Session, post_id: int) -> tuple[StepReceipt, ...]:
    """The post's confirmed steps, in the order a publish makes them."""
    rows = session.execute(
        select(PostStep.kind, PostStep.number, PostStep.remote_id, PostStep.remote_url).where(
            PostStep.post_id == post_id, PostStep.state == StepState.CONFIRMED.value
        )
    ).all()
    steps = [
        StepReceipt(StepKind(kind), number, remote_id or "", url)
        for kind, number, remote_id, url in rows
    ]
    return tuple(sorted(steps, key=step_order))


def summarise(steps: Iterable[StepReceipt]) -> str:
    """Steps in words for a reason or a listing: "parts 1–3", "video, thumbnail"."""
    numbers: dict[StepKind, list[int]] = {}
    for step in sorted(steps, key=step_order):
        numbers.setdefault(step.kind, []).append(step.number)
    words = []
    for kind, found in numbers.items():
        if kind is not StepKind.PART:
            words.append(kind.value)
        elif len(found) == 1:
            words.append(f"part {found[0]}")
        elif found == list(range(found[0], found[-1] + 1)):
            words.append(f"parts {found[0]}–{found[-1]}")
        else:
            words.append("parts " + ", ".join(map(str, found)))
    return ", ".join(words) or "nothing"


def step_order(step: StepReceipt) -> tuple[int, int]:
    """Steps in the order a publish makes them: the post or video first, then the rest."""
    return (list(StepKind).index(step.kind), step.number)


def save_steps(
    session: Session,
    post_id: int,
    attempt_number: int,
    steps: Iterable[StepReceipt],
    now: datetime,
    *,
    state: StepState = StepState.CONFIRMED,
    message: str | None = None,
) -> int:
    """Write the steps not yet recorded (a confirmed step keeps its first receipt, so the same
    receipt reported twice, by publish and again in its final receipt, is one row). A step
    recorded as refused and now confirmed (a failed post retried by hand got further) becomes
    confirmed: the record must never miss a step that exists. Returns how many rows were
    written (new or turned confirmed)."""
    wanted = {s.key: s for s in steps}
    if not wanted:
        return 0
    have = {
        (StepKind(kind), number): (row_id, row_state)
        for row_id, kind, number, row_state in session.execute(
            select(PostStep.id, PostStep.kind, PostStep.number, PostStep.state).where(
                PostStep.post_id == post_id
            )
        )
    }
    written = 0
    for key, step in wanted.items():
        known = have.get(key)
        if known is None:
            session.add(
                PostStep(
                    post_id=post_id,
                    kind=step.kind.value,
                    number=step.number,
                    state=state.value,
                    remote_id=step.remote_id or None,
                    remote_url=step.url,
                    attempt_number=attempt_number,
                    message=message,
                    recorded_at=now,
                )
            )
            written += 1
        elif state is StepState.CONFIRMED and known[1] == StepState.REFUSED.value:
            session.execute(
                update(PostStep)
                .where(PostStep.id == known[0])
                .values(
                    state=StepState.CONFIRMED.value,
                    remote_id=step.remote_id or None,
                    remote_url=step.url,
                    attempt_number=attempt_number,
                    message=None,
                    recorded_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            written += 1
    if written:
        session.flush()
    return written


def record_step(
    factory: sessionmaker[Session], claim: Claim, step: StepReceipt, *, lease_seconds: float
) -> int:
    """Write one confirmed step for the post `claim` leases, in its own transaction, through a
    database outage within the lease. Raises LostLease if another worker holds the post now
    (the caller must stop: it no longer owns the publish), or the outage's error. Returns 1 if
    the step was new to the record, 0 if it was there already."""

    def write() -> int:
        with transaction(factory) as session:
            held = session.execute(
                update(Post)
                .where(
                    Post.id == claim.post_id,
                    Post.lease_owner == claim.owner,
                    Post.state.in_([PostState.PUBLISHING.value, PostState.UNKNOWN.value]),
                )
                .values(updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if rowcount(held) != 1:
                raise LostLease(f"post {claim.post_id} is no longer leased to {claim.owner}")
            return save_steps(session, claim.post_id, claim.attempt_number, [step], utcnow())

    what = f"post {claim.post_id}: recording {step.kind} {step.number} ({step.remote_id})"
    return retry_while_unavailable(write, what, lease_seconds)


def ids_held_by_others(
    session: Session, post_id: int, account_id: int, since: datetime
) -> frozenset[str]:
    """Remote ids that other posts of the account hold (their main id, further ids and every
    step), among posts touched since `since` minus the look-back: none of them can be this
    post's copy, whatever its text (a repost is never its original)."""
    horizon = since - HELD_IDS_LOOKBACK
    others = (
        select(Post.id)
        .where(Post.account_id == account_id, Post.id != post_id, Post.updated_at >= horizon)
        .scalar_subquery()
    )
    held: set[str] = set()
    for remote_id, extra in session.execute(
        select(Post.remote_id, Post.remote_extra_ids).where(
            Post.id.in_(others),
            or_(Post.remote_id.is_not(None), Post.state == PostState.PUBLISHED.value),
        )
    ):
        if remote_id:
            held.add(remote_id)
        held.update(str(i) for i in extra or ())
    held.update(
        session.scalars(
            select(PostStep.remote_id).where(
                PostStep.post_id.in_(others), PostStep.remote_id.is_not(None)
            )
        )
    )
    return frozenset(held)


@dataclass(frozen=True)
class StepProgress:
    """How far a post's publish got, for listings: what is out, what comes next, what the
    platform refused."""

    done: tuple[StepReceipt, ...]
    parts_total: int | None  # the stored draft's parts (None for a post without one)
    refused: str | None = None  # the step the platform refused for good, if one was

    @property
    def parts_done(self) -> int:
        return sum(1 for s in self.done if s.kind is StepKind.PART)

    @property
    def next_step(self) -> str | None:
        """The thread part a resumed publish makes next (None when none is left)."""
        if self.parts_total is None or self.parts_done >= self.parts_total:
            return None
        return f"part {self.parts_done + 1}/{self.parts_total}"

    def words(self) -> str:
        """E.g. "3/7 parts out, next part 4/7" or "video, thumbnail out"."""
        if self.parts_total and self.parts_total > 1 and self.parts_done:
            text = f"{self.parts_done}/{self.parts_total} parts out"
        else:
            text = f"{summarise(self.done)} out"
        if self.refused:
            return f"{text}, {self.refused} refused"
        return f"{text}, next {self.next_step}" if self.next_step else text


def progress_of(
    session: Session, post_ids: Any, *, published_too: bool = False
) -> dict[int, StepProgress]:
    """How far each post's publish got, for `post_ids` (a list, or a scalar subquery of a
    listing's ids: never sent as bound parameters, whatever the listing's size). Posts with no
    step are left out, and published ones too unless `published_too` (`posts show`): a
    listing shows progress where a post is not whole yet."""
    wanted = select(Post.id).where(Post.id.in_(post_ids))
    if not published_too:
        wanted = wanted.where(Post.state != PostState.PUBLISHED.value)
    with_steps = (
        select(PostStep.post_id)
        .where(PostStep.post_id.in_(wanted.scalar_subquery()))
        .distinct()
        .scalar_subquery()
    )
    done: dict[int, list[StepReceipt]] = {}
    refused: dict[int, str] = {}
    rows = session.execute(
        select(
            PostStep.post_id, PostStep.kind, PostStep.number, PostStep.state, PostStep.remote_id
        ).where(PostStep.post_id.in_(with_steps))
    )
    for post_id, kind, number, state, remote_id in rows:
        if state == StepState.REFUSED.value:
            refused[post_id] = f"{kind} {number}"
        else:
            done.setdefault(post_id, []).append(
                StepReceipt(StepKind(kind), number, remote_id or "")
            )
    totals: dict[int, int | None] = {}
    if done or refused:
        # The draft's part count, read only for the posts with steps that are not whole yet.
        for post_id, document in session.execute(
            select(Post.id, Post.draft).where(Post.id.in_(with_steps))
        ):
            parts = ((document or {}).get("draft") or {}).get("parts")
            totals[post_id] = len(parts) if isinstance(parts, list) else None
    return {
        post_id: StepProgress(
            tuple(sorted(done.get(post_id, []), key=step_order)),
            totals.get(post_id),
            refused.get(post_id),
        )
        for post_id in set(done) | set(refused)
    }
