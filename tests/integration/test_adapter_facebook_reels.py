"""A Facebook account with `video_as_reel = true` publishes its videos as Reels through the
Reels Publishing API, against the sandbox over HTTP: the three calls, the Page token, a lost
answer to the finish found on the reels edge, the 90-second limit, and the 30 reels a day the
sandbox refuses past (the worker's budget keeps under it: tests/integration/test_budgets.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosspost.adapters.base import (
    AmbiguousOutcomeError,
    ContentKind,
    Draft,
    MediaRole,
    Platform,
    RateLimitedError,
)
from crosspost.adapters.facebook import FacebookAdapter
from tests.support.facebook_helpers import PAGE_ID, TOKEN, Sandbox, account
from tests.support.sandbox import closing_adapters, media_file, publish_request, sandbox_fixtures

sandbox_server, sandbox = sandbox_fixtures(Sandbox, name="sandbox")
TEXT = "Phóng sự 60 giây: Hà Nội vào thu"


@pytest.fixture
def make(sandbox: Sandbox) -> Iterator[Any]:
    def build(**settings: Any) -> FacebookAdapter:
        return FacebookAdapter(account(sandbox.url, **{"video_as_reel": True, **settings}))

    with closing_adapters(build) as made:
        yield made


def reel_draft(tmp_path: Path, size: int = 200_000) -> Draft:
    clip = media_file(tmp_path, "reel.mp4", size, MediaRole.VIDEO, "video/mp4")
    return Draft(
        Platform.FACEBOOK, ContentKind.VIDEO, parts=(TEXT,), title="Hà Nội mùa thu", media=(clip,)
    )


def test_a_video_goes_out_as_a_reel_start_upload_finish(
    sandbox: Sandbox, make: Any, tmp_path: Path
) -> None:
    draft = reel_draft(tmp_path)
    seen: list[tuple[int, int]] = []
    receipt = make().publish(publish_request(draft), lambda done, total: seen.append((done, total)))
    state = sandbox.state()
    (reel,) = state["reels"]
    assert state["videos"] == [] and state["uploads"] == []  # not a Page video
    assert (reel["id"], reel["description"], reel["published"]) == (receipt.remote_id, TEXT, True)
    assert (reel["bytes_received"], reel["sha256"]) == (draft.media[0].size, draft.media[0].sha256)
    assert receipt.url == f"https://www.facebook.com/reel/{reel['id']}/"
    assert seen[-1] == (draft.media[0].size, draft.media[0].size)
    assert [e["status"] for e in sandbox.requests("reel_phase")] == [200, 200]
    (sent,) = sandbox.requests("reel_upload")
    assert sent["status"] == 200


def test_a_lost_answer_to_the_finish_is_found_on_the_reels_edge(
    sandbox: Sandbox, make: Any, tmp_path: Path
) -> None:
    draft = reel_draft(tmp_path)
    request = publish_request(draft)

    def lose_the_finish(done: int, total: int) -> None:
        if done == total:  # the upload is over: the next Reels call is the finish
            sandbox.fault("ambiguous", action="reel_phase")

    with pytest.raises(AmbiguousOutcomeError):
        make().publish(request, lose_the_finish)
    (reel,) = sandbox.state()["reels"]
    found = make().find_existing(request, datetime.now(UTC) - timedelta(minutes=1))
    assert found is not None and found.remote_id == reel["id"]
    assert sandbox.requests("read_reels") and not sandbox.requests("read_videos")
    # ... and an older reel with the same text is not this post's, whatever `since` does
    sandbox.configure(edges_ignoring_since=["video_reels"])
    assert make().find_existing(request, datetime.now(UTC) + timedelta(seconds=2)) is None


def test_a_reel_is_at_most_90_seconds_and_a_page_video_keeps_its_limit(make: Any) -> None:
    assert make().effective_limits().video_max_seconds == 90
    assert make(video_as_reel=False).effective_limits().video_max_seconds == 240 * 60


def test_a_reel_needs_neither_the_user_token_nor_the_app_id(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Reels take the Page token (Reels Publishing API, "Before You Start"), not the
    Resumable Upload API's user token and app."""
    settings = {"video_as_reel": True, "app_id": ""}
    adapter = FacebookAdapter(account(sandbox.url, {"page_access_token": TOKEN}, **settings))
    try:
        assert all("user_access_token" not in n for n in adapter.notices())
        receipt = adapter.publish(publish_request(reel_draft(tmp_path)))
    finally:
        adapter.close()
    assert [r["id"] for r in sandbox.state()["reels"]] == [receipt.remote_id]


def test_the_31st_reel_of_the_day_is_a_rate_limit_and_nothing_is_published(
    sandbox: Sandbox, make: Any, tmp_path: Path
) -> None:
    sandbox.configure(reels_per_24h=1)
    adapter = make()
    adapter.publish(publish_request(reel_draft(tmp_path)))
    with pytest.raises(RateLimitedError) as caught:
        adapter.publish(publish_request(reel_draft(tmp_path), post_id=2))
    assert caught.value.platform_code == "4"
    assert len(sandbox.state()["reels"]) == 1
    assert TOKEN not in caught.value.message and PAGE_ID in adapter.page_id
