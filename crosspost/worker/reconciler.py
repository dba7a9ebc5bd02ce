"""Reconciliation: for a post whose outcome is unknown, ask the platform before trying again.

A worker that died mid-publish, a timeout, a dropped connection or a duplicate-content answer
leaves a post `unknown`. Here the adapter looks for a copy published since the first attempt:
found → `published` with that remote id; not found → back to the queue; the look-up itself
failing → still `unknown`, asked again later.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from crosspost import accounts as accounts_mod
from crosspost.adapters.base import AuthenticationError, PublishError
from crosspost.db.engine import transaction
from crosspost.db.models import Attempt, PostState
from crosspost.timeutil import utcnow
from crosspost.worker import claims
from crosspost.worker.claims import Claim, LostLease
from crosspost.worker.dbfaults import log_failure
from crosspost.worker.executor import Executor, Outcome, Unrecorded, describe

log = logging.getLogger("crosspost.reconciler")

# Platforms' clocks and ours differ a little; look a bit before the first attempt.
CLOCK_SLACK = timedelta(minutes=2)


class Reconciler:
    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    def reconcile(self, claim: Claim) -> Outcome:
        ex = self.executor
        owner = ex.worker_id
        try:
            request = ex.build_request(claim, check=False)
            adapter = ex.adapters.get(claim.account_name)
            found = adapter.find_existing(request, since=claim.first_attempt_at - CLOCK_SLACK)
        except PublishError as error:
            return self._undecided(claim, error)
        except Exception as error:
            log_failure(f"post {claim.post_id}: look-up failed", error)
            return self._undecided(claim, error)
        now = utcnow()
        gave_up = ""

        def record() -> None:
            nonlocal gave_up
            with transaction(ex.factory) as session:
                attempt = Attempt(
                    post_id=claim.post_id,
                    number=claim.attempt_number + 1,
                    worker=owner,
                    started_at=now,
                    ended_at=now,
                    outcome="reconciled" if found else "not_found",
                    remote_id=found.remote_id if found else None,
                    remote_url=found.url if found else None,
                    message="found the copy already on the platform"
                    if found
                    else "no copy on the platform: publishing again",
                )
                session.add(attempt)
                if found:
                    claims.mark_published(
                        session,
                        claim.post_id,
                        owner,
                        remote_id=found.remote_id,
                        remote_url=found.url,
                        extra_ids=found.extra_ids,
                        from_state=PostState.UNKNOWN,
                    )
                elif claim.charged_attempts >= ex.config.retry.max_attempts:
                    gave_up = (
                        f"gave up after {claim.charged_attempts} attempts "
                        "(the last outcome was unknown and no copy was found)"
                    )
                    claims.mark_failed(
                        session, claim.post_id, owner, error=gave_up, from_state=PostState.UNKNOWN
                    )
                else:
                    claims.mark_retry(
                        session,
                        claim.post_id,
                        owner,
                        next_attempt_at=now,
                        error="no copy found on the platform after an unknown outcome",
                        wait_reason="retrying: the platform has no copy",
                        from_state=PostState.UNKNOWN,
                    )

        what = f"found as {found.remote_id}" if found else "no copy found"
        try:
            ex.keep_outcome(record, claim, what)
        except Unrecorded:
            return Outcome(claim.post_id, "unrecorded", what)
        except LostLease:
            return Outcome(claim.post_id, "lost_lease")
        if gave_up:
            ex.alerts.post_failed(claim.post_id, claim.account_name, gave_up)
            return Outcome(claim.post_id, "fail", gave_up)
        state = "published" if found else "retry"
        log.info("post %s reconciled: %s", claim.post_id, state)
        return Outcome(claim.post_id, state, found.remote_id if found else "")

    def _undecided(self, claim: Claim, error: BaseException) -> Outcome:
        ex = self.executor
        text = describe(error)

        def record() -> None:
            with transaction(ex.factory) as session:
                if isinstance(error, AuthenticationError):
                    accounts_mod.pause_account(
                        session, claim.account_id, f"account paused: {error.message}"
                    )
                claims.release_unknown(
                    session,
                    claim.post_id,
                    ex.worker_id,
                    # ask again at the next reconcile interval
                    retry_at=utcnow() + timedelta(seconds=ex.config.worker.reconcile_seconds),
                    note=f"could not ask the platform yet: {text}",
                )

        try:
            ex.keep_outcome(record, claim, "still unknown")
        except Unrecorded:
            return Outcome(claim.post_id, "unrecorded", text)
        except LostLease:
            return Outcome(claim.post_id, "lost_lease")
        return Outcome(claim.post_id, "unknown", text)
