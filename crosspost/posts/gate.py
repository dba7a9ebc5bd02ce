"""The claim-time budget gate: may this due post start now, or when, and why?

It is asked inside the claim transaction, once per due post. An account over budget, or
resting, does not get the post: the post's next claim time moves to when the account has room,
with the reason in words (`posts list` shows both). Counting reads the attempts already started
(each is a call the platform counted); on PostgreSQL the budgeted accounts' rows are locked in
id order first, so two workers never both take the last place in a window. The window
arithmetic is crosspost/budgets.py, shared with the planner.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crosspost.budgets import Wait, budget_wait, window_start
from crosspost.config import Budget
from crosspost.db.models import Account, Attempt, Post
from crosspost.posts.waiting import resting
from crosspost.timeutil import as_utc, format_local


class BudgetGate:
    """Admits due posts one by one within one claim transaction."""

    def __init__(
        self, session: Session, budgets: Mapping[str, Budget], now: datetime, zone: ZoneInfo
    ) -> None:
        self.session = session
        self.budgets = budgets
        self.now = now
        self.zone = zone
        self._started: dict[int, list[datetime]] = {}

    def lock(self, accounts: Collection[tuple[int, str]], *, wait: bool) -> set[int]:
        """Lock the budgeted accounts among `accounts` not locked yet (in id order, so workers
        never deadlock) and read their recent attempts; return the accounts whose posts may be
        admitted. Without `wait`, an account another worker holds is skipped, not waited for."""
        ids = sorted({i for i, name in accounts if self._budget(name)} - set(self._started))
        if ids:
            query = select(Account.id).where(Account.id.in_(ids)).order_by(Account.id)
            locked = list(self.session.scalars(query.with_for_update(skip_locked=not wait)))
            if locked:
                self._load(locked, [name for i, name in accounts if i in set(locked)])
        budgeted = {i for i, name in accounts if self._budget(name)}
        return {i for i, _ in accounts if i not in budgeted or i in self._started}

    def _load(self, ids: list[int], names: list[str]) -> None:
        since = min(
            window_start(key, self.now, budget.day_zone)
            for name in names
            if (budget := self._budget(name))
            for key in budget.limits
        )
        for account_id in ids:
            self._started[account_id] = []
        rows = self.session.execute(
            select(Post.account_id, Attempt.started_at)
            .join(Post, Post.id == Attempt.post_id)
            .where(Attempt.started_at >= since, Post.account_id.in_(ids))
            .order_by(Attempt.started_at)
        )
        for account_id, started_at in rows:
            self._started[account_id].append(as_utc(started_at))

    def admit(
        self,
        account_id: int,
        account: str,
        rest_until: datetime | None,
        rest_reason: str | None,
    ) -> Wait | None:
        """None (and the post counts against the budget) or the Wait that keeps it back."""
        if rest_until is not None and as_utc(rest_until) > self.now:
            until = as_utc(rest_until)
            return Wait(until, resting(account, rest_reason, until, self.zone))
        budget = self._budget(account)
        if budget is None:
            return None
        started = self._started[account_id]  # lock() loaded it
        wait = budget_wait(budget, started, self.now, account)
        if wait is not None:
            local = format_local(wait.until, self.zone)
            return Wait(wait.until, f"{wait.reason}; next at {local}")
        started.append(self.now)
        return None

    def _budget(self, account: str) -> Budget | None:
        budget = self.budgets.get(account)
        return budget if budget is not None and budget.limits else None
