"""The claim-time budget gate: may this due post start now, or when, and why?

It is asked inside the claim transaction, once per due post. An account over budget, or
resting, does not get the post: the post's next claim time moves to when the account has room,
with the reason in words (`posts list` shows both). Counting reads the attempts already started
(each is a call the platform counted); on PostgreSQL the budgeted accounts' rows are locked in
id order first, so two workers never both take the last place in a window. The window
arithmetic is crosspost/budgets.py, shared with the planner.

An account with windows on its posts carrying a video (`Budget.video_limits`: Facebook's 30
Reels a Page in 24 hours, when the account publishes videos as Reels) has those counted over
the attempts of such posts only, and a video post waits when they are full.

An account with a monthly spend cap (`[accounts.NAME.cost] monthly_cap`) is gated the same way:
its month's spend is the cost of each post with an attempt started in the billing month (its
stored draft priced by crosspost/costs.py, once per post), and a post that would take it over
the cap waits for the next month, the reason saying so.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crosspost.budgets import Wait, budget_wait, window_start
from crosspost.config import Budget
from crosspost.costs import Pricing, billing_month, cap_wait, draft_cost
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
        self._spent: dict[int, dict[int, Decimal]] = {}  # account -> post -> its month's cost
        # account -> start times of recent attempts of its posts carrying a video (Reels)
        self._video_started: dict[int, list[datetime]] = {}

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
        budgets = [b for name in names if (b := self._budget(name))]
        starts = [window_start(key, self.now, b.day_zone) for b in budgets for key in b.limits]
        starts += [billing_month(self.now, p.month_zone).start for p in _capped(budgets)]
        starts += [window_start(key, self.now, None) for b in budgets for key in b.video_limits]
        since = min(starts)
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
        by_id = dict(zip(ids, names, strict=False))
        for account_id in ids:
            budget = self._budget(by_id.get(account_id, ""))
            if budget is not None and budget.pricing and budget.pricing.monthly_cap is not None:
                self._spent[account_id] = self._month_spend(account_id, budget.pricing)
            if budget is not None and budget.video_limits:
                self._video_started[account_id] = self._video_starts(account_id, budget)

    def _video_starts(self, account_id: int, budget: Budget) -> list[datetime]:
        """When the account's attempts of posts carrying a video started, within its windows."""
        since = min(window_start(key, self.now, None) for key in budget.video_limits)
        rows = self.session.execute(
            select(Attempt.started_at, Post.draft)
            .join(Post, Post.id == Attempt.post_id)
            .where(Attempt.started_at >= since, Post.account_id == account_id)
            .order_by(Attempt.started_at)
        )
        return [as_utc(at) for at, document in rows if carries_video(document)]

    def _month_spend(self, account_id: int, pricing: Pricing) -> dict[int, Decimal]:
        """Each post of the account with an attempt started this billing month, and its cost."""
        start = billing_month(self.now, pricing.month_zone).start
        started = (
            select(Attempt.post_id).where(
                Attempt.started_at >= start, Attempt.started_at < self.now
            )
        ).scalar_subquery()
        rows = self.session.execute(
            select(Post.id, Post.draft).where(Post.account_id == account_id, Post.id.in_(started))
        )
        return {post_id: stored_cost(document, pricing) for post_id, document in rows}

    def admit(
        self,
        account_id: int,
        account: str,
        rest_until: datetime | None,
        rest_reason: str | None,
        post_id: int | None = None,
    ) -> Wait | None:
        """None (and the post counts against the budget) or the Wait that keeps it back."""
        if rest_until is not None and as_utc(rest_until) > self.now:
            until = as_utc(rest_until)
            return Wait(until, resting(account, rest_reason, until, self.zone))
        budget = self._budget(account)
        if budget is None:
            return None
        started = self._started[account_id]  # lock() loaded it
        wait = budget_wait(budget, started, self.now, account) if budget.limits else None
        document = _Draft(self.session, post_id)
        video_started = self._video_started.get(account_id)
        is_video = video_started is not None and carries_video(document.get())
        if wait is None and is_video and video_started is not None:
            windows = Budget(budget.video_limits)
            wait = budget_wait(windows, video_started, self.now, account, "posts with a video")
        spent = self._spent.get(account_id)
        cost = Decimal(0)
        if wait is None and spent is not None and budget.pricing is not None:
            if post_id not in spent:  # a post counts once a month, however often it is tried
                cost = stored_cost(document.get(), budget.pricing)
            capped = cap_wait(budget.pricing, spent.values(), cost, self.now, account)
            wait = Wait(capped.until, capped.reason) if capped is not None else None
        if wait is not None:
            local = format_local(wait.until, self.zone)
            return Wait(wait.until, f"{wait.reason}; next at {local}")
        started.append(self.now)
        if is_video and video_started is not None:
            video_started.append(self.now)
        if spent is not None and post_id is not None:
            spent[post_id] = spent.get(post_id, cost)
        return None

    def _budget(self, account: str) -> Budget | None:
        budget = self.budgets.get(account)
        return budget if budget is not None and budget.gates else None


class _Draft:
    """A post's stored draft, read once when something asks for it."""

    def __init__(self, session: Session, post_id: int | None) -> None:
        self.session, self.post_id = session, post_id
        self._read = False
        self._document: Mapping[str, object] | None = None

    def get(self) -> Mapping[str, object] | None:
        if not self._read and self.post_id is not None:
            self._document = self.session.scalar(select(Post.draft).where(Post.id == self.post_id))
        self._read = True
        return self._document


def carries_video(document: Mapping[str, object] | None) -> bool:
    """Whether a stored draft publishes a video (a video or podcast post with a video file)."""
    draft = (document or {}).get("draft")
    if not isinstance(draft, Mapping) or draft.get("kind") not in ("video", "podcast"):
        return False
    media = draft.get("media")
    return isinstance(media, list) and any(
        isinstance(m, Mapping) and m.get("role") == "video" for m in media
    )


def _capped(budgets: list[Budget]) -> list[Pricing]:
    return [b.pricing for b in budgets if b.pricing and b.pricing.monthly_cap is not None]


def stored_cost(document: Mapping[str, object] | None, pricing: Pricing) -> Decimal:
    """A post's cost from its stored draft; one plain post for a post from before drafts."""
    from crosspost.posts.drafts import draft_of  # drafts imports claims, which imports this

    if not document:
        return pricing.per_post
    try:
        return draft_cost(draft_of(document), pricing).total
    except (ValueError, KeyError, TypeError):
        return pricing.per_post
