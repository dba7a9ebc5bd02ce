"""Recording a leased post's result: one call, one transaction, whatever the result.

After the platform answered (or the reconciler asked it), the attempt row, the post's next
state, and the account's rest or pause are written together, or not at all. The platform's
answer must not be dropped by a database outage, so the write is retried while the database is
unavailable, for as long as the lease lasts; after that the lease expires and the reconciler
asks the platform again, so a post is never lost nor published twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from crosspost.accounts import pause_account, rest_account
from crosspost.adapters.base import Pacing, PermanentError, PublishError, Receipt, StepReceipt
from crosspost.db.engine import driver_message, transaction
from crosspost.db.models import PostState, StepState
from crosspost.db.outages import is_database_outage, retry_while_unavailable
from crosspost.posts import moves
from crosspost.posts.claims import Claim
from crosspost.posts.states import AttemptOutcome, LostLease, RetryAction
from crosspost.posts.steps import confirmed_steps, save_steps, summarise
from crosspost.timeutil import utcnow

log = logging.getLogger("crosspost.posts")


@dataclass(frozen=True)
class Decision:
    """What happens to a post after a failed attempt (the retry policy decides it)."""

    action: RetryAction
    next_attempt_at: datetime | None = None
    reason: str = ""
    refund_attempt: bool = False
    # The platform limited the account, not the post: none of its posts before this time.
    rest_account_until: datetime | None = None


def describe(error: BaseException) -> str:
    """An error in the words stored as the post's last error."""
    if isinstance(error, PublishError):
        bits = [error.message]
        if error.http_status:
            bits.append(f"HTTP {error.http_status}")
        if error.platform_code:
            bits.append(f"code {error.platform_code}")
        return " · ".join(bits)
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class Published:
    """The platform took the post."""

    receipt: Receipt

    @property
    def what(self) -> str:
        return f"published as {self.receipt.remote_id}"


@dataclass(frozen=True)
class Failed:
    """The platform (or preparing the post) failed, and what the retry policy decided."""

    error: PublishError
    decision: Decision

    @property
    def what(self) -> str:
        return f"{self.error.outcome} ({describe(self.error)})"


@dataclass(frozen=True)
class Found:
    """Reconciliation found the copy an uncertain attempt made."""

    receipt: Receipt

    @property
    def what(self) -> str:
        return f"found as {self.receipt.remote_id}"


@dataclass(frozen=True)
class NotFound:
    """Reconciliation found no copy: the post goes again now, or, with `gave_up`, fails."""

    gave_up: str | None = None

    @property
    def what(self) -> str:
        return "no copy found"


@dataclass(frozen=True)
class Undecided:
    """The platform could not be asked yet: the post stays unknown until `retry_at`."""

    retry_at: datetime
    note: str
    pause_reason: str | None = None  # the look-up failed on the account's credentials

    @property
    def what(self) -> str:
        return "still unknown"


AttemptResult = Published | Failed | Found | NotFound | Undecided


class Recorded(StrEnum):
    WRITTEN = "written"
    UNRECORDED = "unrecorded"  # the database stayed unavailable until the lease ran out
    LOST_LEASE = "lost_lease"  # someone else holds the post now: nothing was written


@dataclass(frozen=True)
class Recording:
    status: Recorded
    paused_account: bool = False  # this call paused the account (alert once)


def record_result(
    factory: sessionmaker[Session],
    claim: Claim,
    result: AttemptResult,
    *,
    lease_seconds: float,
    pacing: Pacing | None = None,
) -> Recording:
    """Write `result` for the post `claim` leases, with the platform's `pacing` (rest the
    account), in one transaction; through a database outage if it ends within the lease."""
    now = utcnow()
    paused = False

    def write() -> None:
        nonlocal paused
        with transaction(factory) as session:
            paused = _write(session, claim, result, now)
            if pacing is not None:
                rest_account(session, claim.account_id, pacing.until, pacing.reason)

    what = result.what
    try:
        retry_while_unavailable(write, f"post {claim.post_id}: recording {what}", lease_seconds)
    except LostLease:
        log.warning("post %s: %s, but its lease was lost; recorded nothing", claim.post_id, what)
        return Recording(Recorded.LOST_LEASE)
    except Exception as error:
        if not is_database_outage(error):
            raise
        log.error(
            "post %s: %s, but the database stayed unavailable (%s); when its lease expires "
            "the reconciler will ask the platform",
            claim.post_id,
            what,
            driver_message(error),
        )
        return Recording(Recorded.UNRECORDED)
    return Recording(Recorded.WRITTEN, paused)


def _write(session: Session, claim: Claim, result: AttemptResult, now: datetime) -> bool:
    """The statements for one result; True if they paused the account."""
    match result:
        case Published(receipt):
            _published(session, claim, receipt)
        case Failed(error, decision):
            return _failed(session, claim, error, decision, now)
        case Found(receipt):
            _found(session, claim, receipt, now)
        case NotFound(gave_up):
            _not_found(session, claim, gave_up, now)
        case Undecided(retry_at, note, pause_reason):
            if pause_reason is not None:
                pause_account(session, claim.account_id, pause_reason)
            moves.release_unknown(session, claim.post_id, claim.owner, retry_at=retry_at, note=note)
    return False


def _intent(claim: Claim) -> int:
    if claim.attempt_id is None:
        raise ValueError(f"post {claim.post_id} was leased for reconciliation, not claimed")
    return claim.attempt_id


def _published(session: Session, claim: Claim, receipt: Receipt) -> None:
    save_steps(session, claim.post_id, claim.attempt_number, receipt.steps, utcnow())
    note = "; ".join(receipt.warnings) or None
    moves.finish_attempt(
        session,
        _intent(claim),
        AttemptOutcome.PUBLISHED,
        remote_id=receipt.remote_id,
        remote_url=receipt.url,
        message=note,
    )
    _mark_published(session, claim, receipt, note=note)


def _mark_published(
    session: Session,
    claim: Claim,
    receipt: Receipt,
    *,
    note: str | None = None,
    from_state: PostState = PostState.PUBLISHING,
) -> None:
    """The post is whole on the platform: its receipt's ids on the post, its lease released."""
    moves.mark_published(
        session,
        claim.post_id,
        claim.owner,
        remote_id=receipt.remote_id,
        remote_url=receipt.url,
        extra_ids=receipt.extra_ids,
        note=note,
        from_state=from_state,
    )


def _failed(
    session: Session, claim: Claim, error: PublishError, decision: Decision, now: datetime
) -> bool:
    moves.finish_attempt(
        session,
        _intent(claim),
        AttemptOutcome(error.outcome),
        error_class=type(error).__name__,
        http_status=error.http_status,
        platform_code=error.platform_code,
        message=error.message,
    )
    text = describe(error)
    post_id, owner = claim.post_id, claim.owner
    paused = False
    if decision.action == RetryAction.FAIL:
        _fail(session, claim, error, decision.reason or text, now)
    elif decision.action == RetryAction.RECONCILE:
        moves.mark_unknown(
            session,
            post_id,
            owner,
            error=text,
            reconcile_at=now,
            refund_attempt=decision.refund_attempt,
        )
    else:
        if decision.action == RetryAction.PAUSE:
            paused = pause_account(session, claim.account_id, decision.reason)
        if decision.next_attempt_at is None:
            raise ValueError(f"a {decision.action} decision needs the next attempt's time")
        moves.mark_retry(
            session,
            post_id,
            owner,
            next_attempt_at=decision.next_attempt_at,
            error=text,
            wait_reason=decision.reason,
            refund_attempt=decision.refund_attempt,
        )
    if decision.rest_account_until is not None:
        rest_account(session, claim.account_id, decision.rest_account_until, text)
    return paused


def _fail(
    session: Session,
    claim: Claim,
    error: PublishError | None,
    reason: str,
    now: datetime,
    from_state: PostState = PostState.PUBLISHING,
) -> None:
    """Fail the post for good. If some of its steps are out (a thread cut by a refused reply),
    it fails partway: the first steps' links stay with the post and the reason says so."""
    done = confirmed_steps(session, claim.post_id)
    if error is not None and error.step is not None and done and isinstance(error, PermanentError):
        kind, number = error.step
        refused = StepReceipt(kind, number, "")
        save_steps(
            session,
            claim.post_id,
            claim.attempt_number,
            [refused],
            now,
            state=StepState.REFUSED,
            message=error.message,
        )
    if not done:
        moves.mark_failed(session, claim.post_id, claim.owner, error=reason, from_state=from_state)
        return
    first = done[0]
    out = summarise(done)
    moves.mark_failed(
        session,
        claim.post_id,
        claim.owner,
        error=f"failed partway ({out} out, first at {first.url or first.remote_id}): {reason}",
        remote_id=first.remote_id,
        remote_url=first.url,
        extra_ids=[s.remote_id for s in done[1:]],
        from_state=from_state,
    )


def _found(session: Session, claim: Claim, receipt: Receipt, now: datetime) -> None:
    save_steps(session, claim.post_id, claim.attempt_number, receipt.steps, now)
    where = summarise(confirmed_steps(session, claim.post_id))
    moves.log_finding(
        session,
        claim.post_id,
        claim.attempt_number + 1,
        claim.owner,
        now,
        outcome=AttemptOutcome.RECONCILED,
        message=(
            "found the copy already on the platform"
            if receipt.complete
            else f"found {where} on the platform: resuming after them"
        ),
        remote_id=receipt.remote_id,
        remote_url=receipt.url,
    )
    if receipt.complete:
        _mark_published(session, claim, receipt, from_state=PostState.UNKNOWN)
        return
    # The first steps are on the platform, not all: resume after them now.
    moves.mark_retry(
        session,
        claim.post_id,
        claim.owner,
        next_attempt_at=now,
        error=f"incomplete: {where} out, the rest to publish",
        wait_reason=f"resuming: {where} out",
        from_state=PostState.UNKNOWN,
    )


def _not_found(session: Session, claim: Claim, gave_up: str | None, now: datetime) -> None:
    moves.log_finding(
        session,
        claim.post_id,
        claim.attempt_number + 1,
        claim.owner,
        now,
        outcome=AttemptOutcome.NOT_FOUND,
        message="no copy on the platform: publishing again",
    )
    if gave_up is not None:
        _fail(session, claim, None, gave_up, now, from_state=PostState.UNKNOWN)
        return
    moves.mark_retry(
        session,
        claim.post_id,
        claim.owner,
        next_attempt_at=now,
        error="no copy found on the platform after an unknown outcome",
        wait_reason="retrying: the platform has no copy",
        from_state=PostState.UNKNOWN,
    )
