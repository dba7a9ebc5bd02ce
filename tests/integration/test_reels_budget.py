"""Facebook's 30 Reels a Page in 24 hours, as a budget on SQLite and PostgreSQL: an account
publishing videos as Reels (`video_as_reel = true`) has a window that counts only its posts
carrying a video, so videos past it wait with when and why while its articles go out."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from crosspost.adapters.base import ContentKind, MediaRole
from crosspost.config import Budget, parse_config
from crosspost.posts import claims
from crosspost.timeutil import as_utc, utcnow
from tests.integration.test_budgets import LEASE, budgets_of, posts, with_budget
from tests.support.factories import make_content, schedule_now


def given_posts_on_the_page(db, config, tmp_path: Path, videos: int, articles: int) -> dict:
    clip = tmp_path / "reel.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096)
    ids: dict[str, list[int]] = {"video": [], "article": []}
    with db.factory.begin() as session:
        for n in range(videos):
            item = make_content(
                session,
                kind=ContentKind.VIDEO,
                media=[(MediaRole.VIDEO, clip)],
                title=f"Phóng sự số {n + 1}",
            )
            ids["video"] += schedule_now(session, config, item.id, platforms=["facebook"])
        for n in range(articles):
            item = make_content(session, title=f"Bài viết số {n + 1} về công tác xây dựng Đảng")
            ids["article"] += schedule_now(session, config, item.id, platforms=["facebook"])
    return ids


def test_videos_past_the_reels_window_wait_and_articles_do_not(db, memory_config, tmp_path):
    config = with_budget(memory_config, "page", Budget(video_limits={"per_day": 2}))
    ids = given_posts_on_the_page(db, config, tmp_path, videos=3, articles=2)
    now = utcnow()
    taken = {
        c.post_id
        for c in claims.claim_due(db.factory, "w1", 10, LEASE, now, budgets=budgets_of(config))
    }
    first, second, third = sorted(ids["video"])
    assert taken == {first, second, *ids["article"]}
    waiting = posts(db, [third])[third]
    assert waiting.state == "scheduled" and waiting.attempt_count == 0
    assert as_utc(waiting.next_attempt_at) == now + timedelta(days=1)  # a moving 24 h
    assert waiting.wait_reason.startswith(
        "budget: page may start 2 posts with a video in a day; next at"
    )
    # Another worker now takes nothing; a day after the first two, the third goes out
    assert claims.claim_due(db.factory, "w2", 10, LEASE, now, budgets=budgets_of(config)) == []
    later = now + timedelta(days=1, seconds=1)
    again = claims.claim_due(db.factory, "w2", 10, LEASE, later, budgets=budgets_of(config))
    assert [c.post_id for c in again] == [third]


def test_the_window_is_the_adapters_data_and_only_with_video_as_reel(tmp_path):
    def page(extra: str):
        text = f'[accounts.page]\nplatform = "facebook"\npage_id = "1"\n{extra}'
        return parse_config(tomllib.loads(text), tmp_path / "crosspost.toml").accounts["page"]

    assert page("").budget.video_limits == {} and not page("").budget.gates
    reels = page("video_as_reel = true\n").budget
    assert reels.video_limits == {"per_day": 30} and reels.gates and reels.limits == {}
    assert replace(reels, video_limits={}).gates is False
