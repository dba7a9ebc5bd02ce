"""Small builders for tests: content in a given review state, posts due now."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from crosspost import content as lifecycle
from crosspost.adapters.base import ContentKind, MediaRole
from crosspost.config import Config
from crosspost.content import NewContent
from crosspost.db.models import Content
from crosspost.intake.units import Intake
from crosspost.media import MediaSpec
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow

TITLE = "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 15: nâng cao năng lực lãnh đạo"
SUMMARY = "Tỉnh ủy tổ chức hội nghị sơ kết công tác xây dựng Đảng sáu tháng đầu năm."
# Review as it is without a units.toml: anyone may approve or reject.
OPEN_REVIEW = Intake(path=None)


def make_content(
    session: Session,
    *,
    state: str = "approved",
    kind: ContentKind = ContentKind.ARTICLE,
    media: list[tuple[MediaRole, Path]] | None = None,
    title: str = TITLE,
) -> Content:
    item = NewContent(
        kind=kind,
        title=title,
        summary=SUMMARY,
        link="https://tapchi.example.vn/xay-dung-dang/hoi-nghi-15",
        hashtags=["XâyDựngĐảng"],
        unit="HN",
        media=[MediaSpec(p, r) for r, p in media or []],
    )
    # store=None: these tests hand-make bytes (a zeroed "video") and change files after
    # scheduling on purpose; every door a person uses passes the media store.
    content = lifecycle.add_content(session, item, "tester", store=None)
    if state in ("submitted", "approved", "rejected"):
        lifecycle.submit(session, content.id, "tester")
    if state == "approved":
        lifecycle.approve(session, content.id, "editor", approvers=OPEN_REVIEW)
    if state == "rejected":
        lifecycle.reject(session, content.id, "editor", "sai chính tả", approvers=OPEN_REVIEW)
    return content


def schedule_now(
    session: Session, config: Config, content_id: int, *, delay: float = 0, **kw: object
) -> list[int]:
    at: datetime = utcnow() + timedelta(seconds=delay)
    posts = schedule(session, config, content_id, at, actor="tester", **kw)  # type: ignore[arg-type]
    return [p.id for p in posts]
