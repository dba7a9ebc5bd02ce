"""What a unit's portal shows: this month's quota from the monthly report's core
(`build_report`, the same figures as `crosspost report`), what is still missing, and the
unit's own items with their review state, posts and the links of what went out.

Everything here is read for one unit code; nothing of another unit is ever selected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crosspost.db.models import Content, Post
from crosspost.intake.month import Month
from crosspost.intake.report import KINDS, KindCount, build_report
from crosspost.intake.units import Intake
from crosspost.timeutil import iso_local

RECENT_ITEMS = 200  # the portal lists the unit's latest items, not its whole history


@dataclass(frozen=True)
class UnitMonth:
    unit: str
    name: str | None
    month: str
    status: str
    kinds: dict[str, dict[str, int]]  # kind -> received, approved, published, quota, missing
    items: list[dict[str, Any]]


def unit_month(
    session: Session, intake: Intake, unit: str, month: Month, zone: ZoneInfo
) -> UnitMonth:
    """The unit's quota for `month` and its latest items (newest first)."""
    report = build_report(session, intake, month)
    found = next((u for u in report.units if u.code == unit), None)
    kinds = found.kinds if found is not None else {k: KindCount() for k in KINDS}
    rows = session.scalars(
        select(Content).where(Content.unit == unit).order_by(Content.id.desc()).limit(RECENT_ITEMS)
    ).all()
    posts: dict[int, list[dict[str, Any]]] = {}
    ids = [c.id for c in rows]
    for post in session.scalars(
        select(Post).where(Post.content_id.in_(ids)).order_by(Post.id)
    ).all():
        posts.setdefault(post.content_id, []).append(
            {
                "id": post.id,
                "platform": post.platform,
                "state": post.state,
                "url": post.remote_url if post.state == "published" else None,
            }
        )
    items = [
        {
            "id": c.id,
            "kind": c.kind,
            "title": c.title,
            "period": c.period,
            "review_state": c.review_state,
            "review_reason": c.review_reason,
            "created_at": iso_local(c.created_at, zone),
            "posts": posts.get(c.id, []),
        }
        for c in rows
    ]
    return UnitMonth(
        unit=unit,
        name=found.name if found is not None else None,
        month=str(month),
        status=found.status if found is not None else "unknown",
        kinds={k: count.numbers() for k, count in kinds.items()},
        items=items,
    )
