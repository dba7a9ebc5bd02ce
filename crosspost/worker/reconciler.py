"""Reconciliation: for a post whose outcome is unknown, ask the platform before trying again.

A worker that died mid-publish, a timeout, a dropped connection or a duplicate-content answer
leaves a post `unknown`. Here the adapter looks for a copy of the post's stored draft (what was
sent, never a fresh rendering) published since the first attempt:
found → `published` with that remote id (found in part, e.g. a thread up to a part: those
steps recorded and the post resumes after them); not conclusive → still `unknown`; not found
→ back to the queue (or failed, once its attempts are used up); the look-up itself failing
→ still `unknown`, asked again later. The post store records each finding (posts/results.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from crosspost.adapters.base import AuthenticationError, InconclusiveError, PublishError
from crosspost.db.outages import log_failure
from crosspost.posts.claims import Claim
from crosspost.posts.results import Found, NotFound, Recorded, Undecided, describe
from crosspost.timeutil import utcnow
from crosspost.worker.executor import Executor, Outcome, OutcomeState, unwritten

log = logging.getLogger("crosspost.reconciler")

# Platforms' clocks and ours differ a little; look a bit before the first attempt.
CLOCK_SLACK = timedelta(minutes=2)


class Reconciler:
    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    def reconcile(self, claim: Claim) -> Outcome:
        ex = self.executor
        try:
            request = ex.build_request(claim, check=False)
            adapter = ex.adapters.get(claim.account_name)
            found = adapter.find_existing(request, since=claim.first_attempt_at - CLOCK_SLACK)
        except PublishError as error:
            return self._undecided(claim, error)
        except Exception as error:
            log_failure(f"post {claim.post_id}: look-up failed", error)
            return self._undecided(claim, error)
        if found is not None:
            recording = ex.record(claim, Found(found))
            if recording.status is not Recorded.WRITTEN:
                return unwritten(claim, recording, found.remote_id)
            if not found.complete:
                log.info("post %s reconciled: partly out, resuming", claim.post_id)
                return Outcome(claim.post_id, OutcomeState.RETRY, "resuming")
            log.info("post %s reconciled: published", claim.post_id)
            return Outcome(claim.post_id, OutcomeState.PUBLISHED, found.remote_id)
        gave_up = None
        if claim.charged_attempts >= ex.config.retry.max_attempts:
            gave_up = (
                f"gave up after {claim.charged_attempts} attempts "
                "(the last outcome was unknown and no copy was found)"
            )
        recording = ex.record(claim, NotFound(gave_up))
        if recording.status is not Recorded.WRITTEN:
            return unwritten(claim, recording, "no copy found")
        if gave_up is not None:
            ex.alerts.post_failed(claim.post_id, claim.account_name, gave_up)
            return Outcome(claim.post_id, OutcomeState.FAIL, gave_up)
        log.info("post %s reconciled: retry", claim.post_id)
        return Outcome(claim.post_id, OutcomeState.RETRY)

    def _undecided(self, claim: Claim, error: BaseException) -> Outcome:
        ex = self.executor
        text = describe(error)
        pause = None
        if isinstance(error, AuthenticationError):
            pause = f"account paused: {error.message}"
        note = f"could not ask the platform yet: {text}"
        if isinstance(error, InconclusiveError):
            note = f"not conclusive, left unknown (check on the platform): {text}"
        undecided = Undecided(
            # ask again at the next reconcile interval
            retry_at=utcnow() + timedelta(seconds=ex.config.worker.reconcile_seconds),
            note=note,
            pause_reason=pause,
        )
        recording = ex.record(claim, undecided)
        if recording.status is not Recorded.WRITTEN:
            return unwritten(claim, recording, text)
        return Outcome(claim.post_id, OutcomeState.UNKNOWN, text)
