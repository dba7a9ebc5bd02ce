"""One attempt: claimed post → adapter → receipt or error → recorded outcome.

The attempt row (the intent) was written when the post was claimed. Here the platform is
called, and the receipt and the post's new state are written together in one transaction.
Anything unexpected after the call may have reached the platform, so it becomes `unknown`
(reconciliation asks the platform) rather than going straight back to the queue.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from crosspost import accounts as accounts_mod
from crosspost.adapters.base import (
    Adapter,
    AmbiguousOutcomeError,
    AuthenticationError,
    PermanentError,
    ProgressCallback,
    PublishError,
    PublishRequest,
    Receipt,
    RetryableError,
)
from crosspost.alerts import Alerts
from crosspost.config import Config
from crosspost.content import get_content, snapshot
from crosspost.db.engine import driver_message, transaction
from crosspost.drafting import draft_for
from crosspost.media import missing_media
from crosspost.timeutil import utcnow
from crosspost.worker import claims
from crosspost.worker.claims import Claim, LostLease
from crosspost.worker.dbfaults import (
    is_database_outage,
    log_failure,
    retry_while_unavailable,
)
from crosspost.worker.retry import Decision, RetryPolicy

log = logging.getLogger("crosspost.worker")

# The disk (or the user's quota) is full, or a file may grow no further.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class Unrecorded(Exception):
    """The database stayed unavailable: the outcome could not be written."""


@dataclass(frozen=True)
class Outcome:
    post_id: int
    state: str
    detail: str = ""


class AdapterCache:
    """One adapter per account per thread: client libraries are not all thread-safe."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._local = threading.local()

    def get(self, account_name: str) -> Adapter:
        cache: dict[str, Adapter] | None = getattr(self._local, "adapters", None)
        if cache is None:
            cache = self._local.adapters = {}
        adapter = cache.get(account_name)
        if adapter is None:
            adapter = cache[account_name] = accounts_mod.build_adapter(self.config, account_name)
        return adapter

    def peek(self, account_name: str) -> Adapter | None:
        """This thread's adapter for the account if one was built (never builds one)."""
        cache: dict[str, Adapter] | None = getattr(self._local, "adapters", None)
        return cache.get(account_name) if cache else None

    def drop(self, account_name: str) -> None:
        """Forget an adapter (after an auth failure its credentials may have changed)."""
        cache: dict[str, Adapter] | None = getattr(self._local, "adapters", None)
        if cache and account_name in cache:
            cache.pop(account_name).close()


def describe(error: BaseException) -> str:
    if isinstance(error, PublishError):
        bits = [error.message]
        if error.http_status:
            bits.append(f"HTTP {error.http_status}")
        if error.platform_code:
            bits.append(f"code {error.platform_code}")
        return " · ".join(bits)
    return f"{type(error).__name__}: {error}"


class Executor:
    def __init__(
        self,
        config: Config,
        factory: sessionmaker[Session],
        worker_id: str,
        *,
        adapters: AdapterCache | None = None,
        policy: RetryPolicy | None = None,
        progress: Callable[[int], ProgressCallback | None] | None = None,
        alerts: Alerts | None = None,
    ) -> None:
        self.config = config
        self.alerts = alerts or Alerts(config.notify_urls)
        self.factory = factory
        self.worker_id = worker_id
        self.adapters = adapters or AdapterCache(config)
        self.policy = policy or RetryPolicy(config.retry)
        self.progress = progress

    # ------------------------------------------------------------------------------------
    def publish(self, claim: Claim) -> Outcome:
        """One attempt for a claim from `claims.claim_due` (which wrote its attempt row)."""
        attempt_id = claim.attempt_id
        if attempt_id is None:
            raise ValueError(f"post {claim.post_id} was leased for reconciliation, not claimed")
        try:
            request = self.build_request(claim)
        except PublishError as error:
            return self._record_error(claim, attempt_id, error)
        except OSError as error:
            if error.errno not in DISK_FULL_ERRNOS:
                return self._prepare_failed(claim, attempt_id, error)
            # A full disk passes: the post waits and tries again, it does not fail for good.
            log.warning("post %s: no room on disk to prepare it: %s", claim.post_id, error)
            full = RetryableError(f"no room on disk to prepare the post: {error}")
            return self._record_error(claim, attempt_id, full)
        except Exception as error:
            if is_database_outage(error):  # reading the content failed: nothing was sent
                log_failure(f"post {claim.post_id}: could not read it to publish", error)
                later = RetryableError(f"database unavailable: {driver_message(error)}")
                return self._record_error(claim, attempt_id, later)
            return self._prepare_failed(claim, attempt_id, error)
        try:
            adapter = self.adapters.get(claim.account_name)
            progress = self.progress(claim.post_id) if self.progress else None
            receipt = adapter.publish(request, progress)
        except PublishError as error:
            return self._record_error(claim, attempt_id, error)
        except Exception as error:  # a bug or an unmapped library error: it may have posted
            log.exception("post %s: unexpected error while publishing", claim.post_id)
            ambiguous = AmbiguousOutcomeError(f"unexpected {type(error).__name__}: {error}")
            return self._record_error(claim, attempt_id, ambiguous)
        return self._record_receipt(claim, attempt_id, receipt)

    def _prepare_failed(self, claim: Claim, attempt_id: int, error: Exception) -> Outcome:
        """Nothing was sent: rendering or media preparation failed, and will again."""
        log.exception("post %s: could not prepare the post", claim.post_id)
        failure = PermanentError(f"could not prepare the post: {type(error).__name__}: {error}")
        return self._record_error(claim, attempt_id, failure)

    def build_request(self, claim: Claim, *, check: bool = True) -> PublishRequest:
        """Everything the adapter needs, read in one short transaction before the call.

        With `check`, a missing media file or a rendering problem raises PermanentError;
        reconciliation builds the same request without checking, only to recognise the copy.
        """
        with self.factory() as session:
            content = get_content(session, claim.content_id)
            problems = missing_media([(m.path, m.size) for m in content.media])
            if problems and check:
                raise PermanentError("; ".join(problems))
            snap = snapshot(content)
        adapter = self.adapters.get(claim.account_name)
        draft = draft_for(self.config, claim.account_name, snap, adapter=adapter)
        if draft.problems and check:
            raise PermanentError("; ".join(draft.problems))
        return PublishRequest(
            post_id=claim.post_id,
            attempt_number=claim.attempt_number,
            draft=draft,
            scheduled_at=claim.scheduled_at,
            first_attempt_at=claim.first_attempt_at,
        )

    def _record_receipt(self, claim: Claim, attempt_id: int, receipt: Receipt) -> Outcome:
        note = "; ".join(receipt.warnings) or None

        def record() -> None:
            with transaction(self.factory) as session:
                claims.finish_attempt(
                    session,
                    attempt_id,
                    "published",
                    remote_id=receipt.remote_id,
                    remote_url=receipt.url,
                    message=note,
                )
                claims.mark_published(
                    session,
                    claim.post_id,
                    self.worker_id,
                    remote_id=receipt.remote_id,
                    remote_url=receipt.url,
                    extra_ids=receipt.extra_ids,
                    note=note,
                )
                self._pace(session, claim)

        try:
            self.keep_outcome(record, claim, f"published as {receipt.remote_id}")
        except Unrecorded as unrecorded:
            return Outcome(claim.post_id, "unrecorded", str(unrecorded))
        except LostLease:
            log.warning(
                "post %s was published as %s but its lease was lost; the reconciler will find it",
                claim.post_id,
                receipt.remote_id,
            )
            return Outcome(claim.post_id, "lost_lease", receipt.remote_id)
        log.info("post %s published: %s %s", claim.post_id, receipt.remote_id, receipt.url or "")
        return Outcome(claim.post_id, "published", receipt.remote_id)

    def _record_error(self, claim: Claim, attempt_id: int, error: PublishError) -> Outcome:
        now = utcnow()
        decision = self.policy.decide(
            error,
            charged_attempts=claim.charged_attempts,
            created_at=claim.created_at,
            now=now,
        )
        text = describe(error)
        alert: Callable[[], None] | None = None

        def record() -> None:
            nonlocal alert
            with transaction(self.factory) as session:
                claims.finish_attempt(
                    session,
                    attempt_id,
                    error.outcome,
                    error_class=type(error).__name__,
                    http_status=error.http_status,
                    platform_code=error.platform_code,
                    message=error.message,
                )
                alert = self._apply(session, claim, decision, text)
                if decision.rest_account_until is not None:
                    accounts_mod.rest_account(
                        session, claim.account_id, decision.rest_account_until, text
                    )
                self._pace(session, claim)

        try:
            self.keep_outcome(record, claim, f"{error.outcome} ({text})")
        except Unrecorded as unrecorded:
            return Outcome(claim.post_id, "unrecorded", str(unrecorded))
        except LostLease:
            log.warning("post %s: lease lost before recording %s", claim.post_id, error.outcome)
            return Outcome(claim.post_id, "lost_lease", text)
        if alert is not None:
            alert()
        if isinstance(error, AuthenticationError):
            self.adapters.drop(claim.account_name)
        log.info("post %s: %s → %s", claim.post_id, text, decision.action)
        return Outcome(claim.post_id, decision.action, text)

    def keep_outcome(self, record: Callable[[], None], claim: Claim, what: str) -> None:
        """Write an outcome the platform already gave, through a database outage if it ends
        within the lease; else leave it to lease expiry and reconciliation (never lost)."""
        try:
            retry_while_unavailable(
                record, f"post {claim.post_id}: recording {what}", self.config.worker.lease_seconds
            )
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
            raise Unrecorded(what) from None

    def _pace(self, session: Session, claim: Claim) -> None:
        """Rest the account when the platform's usage figures say it is near its limit."""
        adapter = self.adapters.peek(claim.account_name)
        pacing = adapter.pacing() if adapter is not None else None
        if pacing is not None:
            accounts_mod.rest_account(session, claim.account_id, pacing.until, pacing.reason)
            log.info("account %s resting: %s", claim.account_name, pacing.reason)

    def _apply(
        self, session: Session, claim: Claim, decision: Decision, text: str
    ) -> Callable[[], None] | None:
        """Record the decision; return the alert to send once it is committed, if any."""
        owner = self.worker_id
        if decision.action == "fail":
            reason = decision.reason or text
            claims.mark_failed(session, claim.post_id, owner, error=reason)
            return partial(self.alerts.post_failed, claim.post_id, claim.account_name, reason)
        if decision.action == "reconcile":
            claims.mark_unknown(session, claim.post_id, owner, error=text, reconcile_at=utcnow())
            return None
        alert = None
        if decision.action == "pause" and accounts_mod.pause_account(
            session, claim.account_id, decision.reason
        ):
            alert = partial(self.alerts.account_paused, claim.account_name, decision.reason)
        assert decision.next_attempt_at is not None
        claims.mark_retry(
            session,
            claim.post_id,
            owner,
            next_attempt_at=decision.next_attempt_at,
            error=text,
            wait_reason=decision.reason,
            refund_attempt=decision.refund_attempt,
        )
        return alert
