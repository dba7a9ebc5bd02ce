"""One attempt: claimed post → adapter → receipt or error → recorded outcome.

The attempt row (the intent) was written when the post was claimed. Here the platform is
called, and the post store writes the receipt (or the error and the retry policy's decision)
and the post's new state together in one transaction (`posts.results.record_result`).
Anything unexpected after the call may have reached the platform, so it becomes `unknown`
(reconciliation asks the platform) rather than going straight back to the queue.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from crosspost import accounts as accounts_mod
from crosspost.adapters.base import (
    Adapter,
    AmbiguousOutcomeError,
    AuthenticationError,
    Draft,
    Pacing,
    PermanentError,
    ProgressCallback,
    PublishError,
    PublishRequest,
    Receipt,
    RetryableError,
    StepCallback,
    StepReceipt,
)
from crosspost.alerts import Alerts
from crosspost.config import Config
from crosspost.content import get_content, snapshot
from crosspost.credentials import CredentialsError
from crosspost.db.engine import driver_message
from crosspost.db.outages import is_database_outage, log_failure
from crosspost.drafting import draft_for, draft_source
from crosspost.media import changed_media, missing_media
from crosspost.posts.claims import Claim
from crosspost.posts.drafts import draft_of, read_stored, store_legacy_draft, stored_document
from crosspost.posts.results import (
    AttemptResult,
    Failed,
    Published,
    Recorded,
    Recording,
    describe,
    record_result,
)
from crosspost.posts.states import LostLease, RetryAction
from crosspost.posts.steps import confirmed_steps, ids_held_by_others, record_step
from crosspost.timeutil import utcnow
from crosspost.worker.retry import RetryPolicy

log = logging.getLogger("crosspost.worker")

# The disk (or the user's quota) is full, or a file may grow no further.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class OutcomeState(StrEnum):
    """How a claim ended for the worker: the retry policy's action, or one of these."""

    PUBLISHED = "published"
    RETRY = RetryAction.RETRY.value
    FAIL = RetryAction.FAIL.value
    PAUSE = RetryAction.PAUSE.value
    RECONCILE = RetryAction.RECONCILE.value
    UNKNOWN = "unknown"  # reconciliation could not ask the platform yet
    UNRECORDED = Recorded.UNRECORDED.value  # left to lease expiry and reconciliation
    LOST_LEASE = Recorded.LOST_LEASE.value  # another worker holds the post now


@dataclass(frozen=True)
class Outcome:
    post_id: int
    state: OutcomeState
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
            try:
                adapter = accounts_mod.build_adapter(self.config, account_name)
            except CredentialsError as exc:
                # The account's secrets cannot be read: pause it (as a refused token does),
                # never fail its posts; `accounts check` resumes it once the file is fixed.
                raise AuthenticationError(str(exc)) from None
            cache[account_name] = adapter
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
        """One attempt for a claim from `posts.claims.claim_due` (which wrote its attempt row)."""
        if claim.attempt_id is None:
            raise ValueError(f"post {claim.post_id} was leased for reconciliation, not claimed")
        made: list[StepReceipt] = []  # the steps this attempt confirmed (and recorded)
        try:
            request = self.build_request(claim, on_step=self._step_recorder(claim, made))
        except PublishError as error:
            return self._record_error(claim, error)
        except OSError as error:
            if error.errno not in DISK_FULL_ERRNOS:
                return self._prepare_failed(claim, error)
            # A full disk passes: the post waits and tries again, it does not fail for good.
            log.warning("post %s: no room on disk to prepare it: %s", claim.post_id, error)
            full = RetryableError(f"no room on disk to prepare the post: {error}")
            return self._record_error(claim, full)
        except Exception as error:
            if is_database_outage(error):  # reading the content failed: nothing was sent
                log_failure(f"post {claim.post_id}: could not read it to publish", error)
                later = RetryableError(f"database unavailable: {driver_message(error)}")
                return self._record_error(claim, later)
            return self._prepare_failed(claim, error)
        try:
            adapter = self.adapters.get(claim.account_name)
            progress = self.progress(claim.post_id) if self.progress else None
            receipt = adapter.publish(request, progress)
        except StepNotRecorded as stop:
            return self._step_not_recorded(claim, stop)
        except PublishError as error:
            return self._record_error(claim, error, progressed=bool(made))
        except Exception as error:  # a bug or an unmapped library error: it may have posted
            log.exception("post %s: unexpected error while publishing", claim.post_id)
            ambiguous = AmbiguousOutcomeError(f"unexpected {type(error).__name__}: {error}")
            return self._record_error(claim, ambiguous)
        return self._record_receipt(claim, receipt)

    def _prepare_failed(self, claim: Claim, error: Exception) -> Outcome:
        """Nothing was sent: rendering or media preparation failed, and will again."""
        log.exception("post %s: could not prepare the post", claim.post_id)
        failure = PermanentError(f"could not prepare the post: {type(error).__name__}: {error}")
        return self._record_error(claim, failure)

    def _step_recorder(self, claim: Claim, made: list[StepReceipt]) -> StepCallback:
        """The callback an adapter reports each confirmed step to: the step is written (its
        own transaction, guarded by this worker's lease) before the adapter goes on."""

        def record(step: StepReceipt) -> None:
            try:
                new = record_step(
                    self.factory, claim, step, lease_seconds=self.config.worker.lease_seconds
                )
            except Exception as error:
                raise StepNotRecorded(step, error) from error
            if new:  # only a step new to the record is progress (it bounds the refunds)
                made.append(step)
            log.info(
                "post %s: %s %s confirmed: %s",
                claim.post_id,
                step.kind,
                step.number,
                step.remote_id,
            )

        return record

    def _step_not_recorded(self, claim: Claim, stop: StepNotRecorded) -> Outcome:
        """A confirmed step could not be written: stop the publish there. Another worker
        holds the post now, or the database stayed away: its lease expires, and the
        reconciler finds the step on the platform (it exists: it was confirmed)."""
        if isinstance(stop.cause, LostLease):
            log.warning("post %s: lost its lease during the publish; stopped", claim.post_id)
            return Outcome(claim.post_id, OutcomeState.LOST_LEASE, str(stop.cause))
        if not is_database_outage(stop.cause):
            log.error("post %s: could not record %s", claim.post_id, stop.what, exc_info=stop.cause)
        else:
            log.error(
                "post %s: could not record %s (%s); the reconciler will find it when the lease "
                "expires",
                claim.post_id,
                stop.what,
                driver_message(stop.cause),
            )
        return Outcome(claim.post_id, OutcomeState.UNRECORDED, stop.what)

    def build_request(
        self, claim: Claim, *, check: bool = True, on_step: StepCallback | None = None
    ) -> PublishRequest:
        """The post's stored draft (one short read), never rendered again: what was approved at
        scheduling (or by `redraft`) is what goes out. With `check`, a stored media file that is
        gone or changed raises PermanentError naming it; reconciliation builds the same request
        without checking, only to recognise the copy. A post from before stored drafts is
        drafted once here and that draft stored.
        """
        with self.factory() as session:
            document = read_stored(session, claim.post_id)
            done = confirmed_steps(session, claim.post_id)
            # Only a look-up needs the ids other posts hold (publishing makes new ones).
            held = (
                frozenset()
                if check
                else ids_held_by_others(
                    session, claim.post_id, claim.account_id, claim.first_attempt_at
                )
            )
        if document is not None:
            draft = draft_of(document)
        else:
            draft = self._draft_legacy(claim, check=check)
        if check:
            problems = changed_media(draft.media)
            if problems:
                raise PermanentError("; ".join(problems))
        return PublishRequest(
            post_id=claim.post_id,
            attempt_number=claim.attempt_number,
            draft=draft,
            scheduled_at=claim.scheduled_at,
            first_attempt_at=claim.first_attempt_at,
            done=done,
            exclude_ids=held,
            marker=claim.marker,
            on_step=on_step,
        )

    def _draft_legacy(self, claim: Claim, *, check: bool) -> Draft:
        """Render a post scheduled before drafts were stored, once, and store that draft.
        Without `check` (reconciliation) a draft with problems is used to look, not stored."""
        with self.factory() as session:
            content = get_content(session, claim.content_id)
            problems = missing_media([(m.path, m.size) for m in content.media])
            if problems and check:
                raise PermanentError("; ".join(problems))
            snap = snapshot(content)
        adapter = self.adapters.get(claim.account_name)
        draft = draft_for(self.config, claim.account_name, snap, adapter=adapter)
        if draft.problems or problems:
            if check:
                raise PermanentError("; ".join(draft.problems))
            if not (draft.parts or draft.title):
                # The draft could not be made again (its podcast video, say): there is nothing
                # to recognise a copy by, and an empty text would match any post. Ask later.
                raise RetryableError("cannot rebuild the draft: " + "; ".join(draft.problems))
            return draft
        document = stored_document(draft, draft_source(adapter, snap.kind))
        with self.factory.begin() as session:
            store_legacy_draft(session, claim, document, actor=self.worker_id)
        log.info(
            "post %s had no stored draft (scheduled before 0004): drafted once now, %s",
            claim.post_id,
            document["sha256"][:12],
        )
        return draft

    def _record_receipt(self, claim: Claim, receipt: Receipt) -> Outcome:
        pacing = self._pacing(claim)
        recording = self.record(claim, Published(receipt), pacing=pacing)
        if recording.status is not Recorded.WRITTEN:
            return unwritten(claim, recording, receipt.remote_id)
        self._log_rest(claim, pacing)
        log.info("post %s published: %s %s", claim.post_id, receipt.remote_id, receipt.url or "")
        return Outcome(claim.post_id, OutcomeState.PUBLISHED, receipt.remote_id)

    def _record_error(
        self, claim: Claim, error: PublishError, *, progressed: bool = False
    ) -> Outcome:
        """`progressed`: this attempt confirmed a step before failing (a thread got further);
        such an attempt is not charged, so a long thread under faults is not given up on for
        the attempts it needed, only for its age (`max_age_hours`)."""
        decision = self.policy.decide(
            error,
            charged_attempts=claim.charged_attempts - (1 if progressed else 0),
            created_at=claim.created_at,
            now=utcnow(),
        )
        if progressed and decision.action in (RetryAction.RETRY, RetryAction.RECONCILE):
            decision = replace(decision, refund_attempt=True)
        text = describe(error)
        pacing = self._pacing(claim)
        recording = self.record(claim, Failed(error, decision), pacing=pacing)
        if recording.status is not Recorded.WRITTEN:
            return unwritten(claim, recording, text)
        self._log_rest(claim, pacing)
        if decision.action == RetryAction.FAIL:
            self.alerts.post_failed(claim.post_id, claim.account_name, decision.reason or text)
        if recording.paused_account:
            self.alerts.account_paused(claim.account_name, decision.reason)
        if isinstance(error, AuthenticationError):
            self.adapters.drop(claim.account_name)
        log.info("post %s: %s → %s", claim.post_id, text, decision.action)
        return Outcome(claim.post_id, OutcomeState(decision.action), text)

    def record(
        self, claim: Claim, result: AttemptResult, *, pacing: Pacing | None = None
    ) -> Recording:
        """The store's one write of a result, given this worker's lease to outlast an outage."""
        return record_result(
            self.factory,
            claim,
            result,
            lease_seconds=self.config.worker.lease_seconds,
            pacing=pacing,
        )

    def _pacing(self, claim: Claim) -> Pacing | None:
        """Whether the platform's usage figures say the account is near its limit."""
        adapter = self.adapters.peek(claim.account_name)
        return adapter.pacing() if adapter is not None else None

    def _log_rest(self, claim: Claim, pacing: Pacing | None) -> None:
        if pacing is not None:
            log.info("account %s resting: %s", claim.account_name, pacing.reason)


class StepNotRecorded(Exception):
    """Recording a confirmed step failed: the publish must stop there (see `_step_recorder`)."""

    def __init__(self, step: StepReceipt, cause: Exception) -> None:
        self.step = step
        self.cause = cause
        self.what = f"{step.kind} {step.number} ({step.remote_id})"
        super().__init__(f"could not record {self.what}: {cause}")


def unwritten(claim: Claim, recording: Recording, detail: str) -> Outcome:
    """The outcome of a result the store could not write (it logged why)."""
    if recording.status is Recorded.LOST_LEASE:
        return Outcome(claim.post_id, OutcomeState.LOST_LEASE, detail)
    return Outcome(claim.post_id, OutcomeState.UNRECORDED, detail)
