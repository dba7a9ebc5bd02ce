"""The publisher loop: wake at the next due time (not on a minute tick), claim, publish, repeat.

APScheduler holds one date job, "dispatch", set to the earliest time a post becomes claimable;
every change that could move that time (a post finishing, a PostgreSQL notification that a post
became claimable, a poll seeing new rows) re-plans it, and APScheduler's own wake-up fires it
to the millisecond. Publishing runs in a thread pool of `concurrency` threads; heartbeats keep
their leases alive; a stopped worker's leases expire and the reconciler takes over its posts.
A worker of this host whose process is gone (SIGKILL, a crash) does not make its posts wait for
the lease: at start-up and with every lease check they are taken back and reconciled at once.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crosspost.adapters.base import ProgressCallback
from crosspost.config import Config
from crosspost.db.outages import log_failure
from crosspost.posts import claims, leases
from crosspost.posts.claims import Claim
from crosspost.posts.due import next_claimable
from crosspost.timeutil import utcnow
from crosspost.worker.executor import Executor, Outcome, OutcomeState
from crosspost.worker.reconciler import Reconciler
from crosspost.worker.wakeups import CHANNEL, DueListener

log = logging.getLogger("crosspost.worker")

# Outcomes after which the post is never claimable again (published, failed for good, or
# no longer ours: lease lost, outcome left to lease expiry).
ENDED_OUTCOMES = frozenset(
    {OutcomeState.PUBLISHED, OutcomeState.FAIL, OutcomeState.LOST_LEASE, OutcomeState.UNRECORDED}
)


def new_worker_id() -> str:
    """`host:pid:tag`: the host and pid say whether the worker still runs
    (`posts.leases.holder_of`), the tag tells apart two workers that had the same pid."""
    return f"{leases.this_host()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, state: OutcomeState) -> int:
        return sum(1 for o in self.outcomes if o.state == state)


class Worker:
    def __init__(
        self,
        config: Config,
        factory: sessionmaker[Session],
        *,
        concurrency: int | None = None,
        worker_id: str | None = None,
        progress: Callable[[int], ProgressCallback | None] | None = None,
    ) -> None:
        self.config = config
        self.factory = factory
        self.concurrency = concurrency or config.worker.concurrency
        self.worker_id = worker_id or new_worker_id()
        self.lease = timedelta(seconds=config.worker.lease_seconds)
        self.budgets = {name: account.budget for name, account in config.accounts.items()}
        self.executor = Executor(config, factory, self.worker_id, progress=progress)
        self.reconciler = Reconciler(self.executor)
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="publish")
        self._lock = threading.Lock()
        self._in_flight: dict[int, Future[Outcome]] = {}
        self._stopping = threading.Event()
        self._dispatching = threading.Lock()
        self._again = threading.Event()
        self._scheduler: object | None = None
        self._listener: DueListener | None = None
        self.summary = Summary()
        self.left_in_flight = 0  # posts still publishing when the grace period ended
        # When an `unknown` post may next be reconciled (from the last re-plan); "now" at first.
        self._reconcile_at: datetime | None = utcnow()

    # -- one pass -------------------------------------------------------------------------
    def run_once(self) -> Summary:
        """Publish and reconcile everything claimable now, then return (`worker --once`)."""
        self._take_back()
        while not self._stopping.is_set():
            futures = [self.pool.submit(self._reconcile, c) for c in self._claim_unknown()]
            futures += [self.pool.submit(self._publish, c) for c in self._claim_due()]
            if not futures:
                break
            wait(futures)
        return self.summary

    # -- long-running ---------------------------------------------------------------------
    def run(self, stop: threading.Event) -> Summary:
        """Run until `stop` is set; then stop claiming and let in-flight work finish."""
        from apscheduler.schedulers.background import BackgroundScheduler

        self.warm_up()
        scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"misfire_grace_time": None})
        self._scheduler = scheduler
        settings = self.config.worker
        scheduler.add_job(self._replan, "interval", seconds=settings.poll_seconds, id="poll")
        scheduler.add_job(self._expire, "interval", seconds=settings.reconcile_seconds, id="expire")
        scheduler.add_job(
            self._heartbeat, "interval", seconds=settings.heartbeat_seconds, id="heartbeat"
        )
        scheduler.start()
        engine = self.factory.kw.get("bind")
        if isinstance(engine, Engine):
            self._listener = DueListener(engine, self._replan)
            if self._listener.start():
                log.info("listening for due posts on PostgreSQL (%s)", CHANNEL)
        log.info("worker %s started (concurrency %d)", self.worker_id, self.concurrency)
        self._expire()
        self._replan()
        stop.wait()
        self.left_in_flight = self.shutdown(settings.grace_seconds)
        return self.summary

    def warm_up(self) -> None:
        """Before the first claim, let each account's adapter load its libraries, templates
        and client: the first post of a run would otherwise wait for them (about 250 ms)."""
        for name, account in self.config.accounts.items():
            if not account.enabled:
                continue
            try:
                adapter = self.executor.adapters.get(name)
                adapter.warm_up()
                for notice in adapter.notices():
                    log.warning("account %s: %s", name, notice)
            except Exception as error:  # it will fail, and say why, when it publishes
                log.debug("account %s not warmed up: %s", name, error)

    def shutdown(self, grace_seconds: float) -> int:
        """Stop claiming, wait up to the grace period for in-flight posts; return those left."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.stop()
        scheduler = self._scheduler
        if scheduler is not None:
            scheduler.shutdown(wait=False)  # type: ignore[attr-defined]
        with self._dispatching:  # a dispatch mid-claim hands its claims to the pool first
            pass
        with self._lock:
            pending = list(self._in_flight.values())
        _, not_done = wait(pending, timeout=grace_seconds)
        if not_done:
            log.warning(
                "%d post(s) still publishing after the %gs grace period; their leases will "
                "expire and the reconciler will check them",
                len(not_done),
                grace_seconds,
            )
        self.pool.shutdown(wait=not not_done, cancel_futures=True)
        log.info("worker %s stopped", self.worker_id)
        return len(not_done)

    # -- jobs -----------------------------------------------------------------------------
    def _free_slots(self) -> int:
        with self._lock:
            return self.concurrency - len(self._in_flight)

    def _claim_due(self) -> list[Claim]:
        return claims.claim_due(
            self.factory,
            self.worker_id,
            self._free_slots(),
            self.lease,
            budgets=self.budgets,
            zone=self.config.timezone,
        )

    def _claim_unknown(self) -> list[Claim]:
        return claims.claim_unknown(self.factory, self.worker_id, self._free_slots(), self.lease)

    def _dispatch(self) -> None:
        """Claim what is due. One dispatch at a time: a wake-up that arrives meanwhile is not
        dropped but makes the running dispatch go round once more."""
        if not self._dispatching.acquire(blocking=False):
            self._again.set()
            return
        try:
            while not self._stopping.is_set():
                self._again.clear()
                try:
                    if self._reconcile_due():
                        for claim in self._claim_unknown():
                            self._start(claim, self._reconcile)
                    for claim in self._claim_due():
                        self._start(claim, self._publish)
                except Exception as error:
                    log_failure("dispatch failed; retrying at the next poll", error)
                    return
                if not self._again.is_set():
                    break
        finally:
            self._dispatching.release()
        self._replan()

    def _reconcile_due(self) -> bool:
        """Whether an `unknown` post may be claimable now (as of the last re-plan), so a
        dispatch does not query for them when none waits."""
        reconcile_at = self._reconcile_at
        return reconcile_at is not None and reconcile_at <= utcnow()

    def _start(self, claim: Claim, job: Callable[[Claim], Outcome]) -> None:
        future = self.pool.submit(job, claim)
        with self._lock:
            self._in_flight[claim.post_id] = future
        post_id = claim.post_id

        def done(finished: Future[Outcome]) -> None:
            error = None if finished.cancelled() else finished.exception()
            if error is not None:  # its lease expires and the reconciler takes the post over
                log_failure(f"post {post_id}: stopped before recording an outcome", error)
            outcome = None if error is not None or finished.cancelled() else finished.result()
            self._finished(post_id, outcome)

        future.add_done_callback(done)

    def _finished(self, post_id: int, outcome: Outcome | None) -> None:
        with self._lock:
            was_full = len(self._in_flight) >= self.concurrency
            self._in_flight.pop(post_id, None)
        # Re-plan only when the next claimable time may have moved: a full worker has a slot
        # again, or the post is claimable again later (a retry, a reconciliation). A post that
        # ended changes nothing the dispatch job does not already know.
        ended = outcome is not None and outcome.state in ENDED_OUTCOMES
        if not self._stopping.is_set() and (was_full or not ended):
            self._replan()

    def _replan(self) -> None:
        """Point the dispatch job at the earliest claimable time."""
        scheduler = self._scheduler
        if scheduler is None or self._stopping.is_set() or self._free_slots() <= 0:
            return
        try:
            next_due = next_claimable(self.factory)
        except Exception as error:
            log_failure("could not read the next due time; retrying at the next poll", error)
            return
        self._reconcile_at = next_due.reconcile_at
        due = next_due.earliest
        if due is None:
            return
        run_at = max(due, utcnow())
        try:
            scheduler.add_job(  # type: ignore[attr-defined]
                self._dispatch,
                "date",
                run_date=run_at,
                id="dispatch",
                replace_existing=True,
                max_instances=8,  # overlapping runs return at once (see _dispatch)
            )
        except Exception:  # the scheduler is shutting down
            log.debug("dispatch not re-planned", exc_info=True)

    def _take_back(self) -> bool:
        """Posts of this host's stopped workers, taken back without waiting for their leases
        (publishing ones go `unknown`: the platform is asked first). True when any moved."""
        try:
            taken = leases.take_back_stopped(self.factory)
        except Exception as error:
            log_failure("could not take back the posts of stopped workers", error)
            return False
        if taken:
            owners = sorted({owner for _, owner in taken})
            log.warning(
                "posts %s were leased to stopped worker(s) %s on this host; reconciling",
                [post_id for post_id, _ in taken],
                ", ".join(owners),
            )
        return bool(taken)

    def _expire(self) -> None:
        """Leases of stopped or vanished workers end; posts stuck `unknown` too long are
        reported."""
        limit = self.config.retry.unknown_alert_minutes
        taken = self._take_back()
        try:
            expired = leases.expire_leases(self.factory)
            stale = leases.mark_stale_unknown(self.factory, timedelta(minutes=limit))
        except Exception as error:
            log_failure("lease expiry check failed", error)
            return
        for post_id, account in stale:
            self.executor.alerts.post_unknown(post_id, account, limit)
        if expired:
            log.warning("posts %s lost their worker mid-publish; reconciling", expired)
        if expired or taken:
            self._replan()

    def _heartbeat(self) -> None:
        with self._lock:
            ids = list(self._in_flight)
        try:
            leases.heartbeat(self.factory, self.worker_id, ids, self.lease)
        except Exception as error:
            log_failure("heartbeat failed", error)

    # -- work -----------------------------------------------------------------------------
    def _publish(self, claim: Claim) -> Outcome:
        outcome = self.executor.publish(claim)
        self.summary.outcomes.append(outcome)
        return outcome

    def _reconcile(self, claim: Claim) -> Outcome:
        outcome = self.reconciler.reconcile(claim)
        self.summary.outcomes.append(outcome)
        return outcome
