"""YouTubeAdapter's look-up over real HTTP to the sandbox: what it accepts as proof (the
marker tag, never another post's video, never one from before the attempt, never one of two
alike), and that it does not trust the uploads playlist's order or immediacy."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosspost.adapters.base import (
    AmbiguousOutcomeError,
    InconclusiveError,
    MediaFile,
    MediaRole,
    StepKind,
    StepReceipt,
)
from crosspost.adapters.youtube.reconcile import MARKER_MAX, MARKER_ROOM
from crosspost.sandbox.youtube import tags_length
from tests.support import youtube_adapter
from tests.support.sandbox import media_file, publish_request, sandbox_fixtures
from tests.support.youtube_adapter import NOW_ISH, PLAYLISTS, only_video
from tests.support.youtube_helpers import Sandbox, draft

sandbox_server, sb = sandbox_fixtures(Sandbox, playlists=PLAYLISTS)
# The shared fixtures (tests/support/youtube_adapter.py), by the names the tests take.
make_adapter = youtube_adapter.make_adapter
video = youtube_adapter.video


# -- proof in reconciliation -----------------------------------------------------------------


def test_the_marker_tag_is_proof_even_when_the_title_changed(
    sb: Sandbox, make_adapter: Any, video: MediaFile
) -> None:
    request = replace(publish_request(draft(media=(video,))), marker="0123456789abcdef")
    receipt = make_adapter().publish(request)
    stored = only_video(sb)
    assert stored["tags"] == [*request.draft.tags, "cp-0123456789abcdef"]
    retitled = replace(request, draft=draft(media=(video,), title="Phở bò: tiêu đề mới"))
    found = make_adapter().find_existing(retitled, NOW_ISH())
    assert found is not None and found.remote_id == receipt.remote_id == stored["id"]
    assert found.steps[0] == StepReceipt(StepKind.VIDEO, 1, stored["id"], receipt.url)
    # Another post's marker, or none (a post from before markers), is not proof of this video.
    other = replace(request, marker="fedcba9876543210")
    assert make_adapter().find_existing(other, NOW_ISH()) is None
    assert make_adapter().find_existing(replace(request, marker=None), NOW_ISH()) is None


def test_a_repost_is_never_matched_to_its_original(
    sb: Sandbox, make_adapter: Any, video: MediaFile
) -> None:
    original = make_adapter().publish(publish_request(draft(media=(video,))))
    repost = replace(
        publish_request(draft(media=(video,)), post_id=2),
        exclude_ids=frozenset({original.remote_id}),
    )
    assert make_adapter().find_existing(repost, NOW_ISH()) is None
    assert [v["id"] for v in sb.state()["videos"]] == [original.remote_id]


def test_a_video_uploaded_before_since_is_not_accepted(
    sb: Sandbox, make_adapter: Any, video: MediaFile
) -> None:
    request = publish_request(draft(media=(video,)))
    make_adapter().publish(request)
    later = datetime.now(UTC) + timedelta(seconds=2)
    assert make_adapter().find_existing(request, later) is None
    assert len(sb.state()["videos"]) == 1


def test_two_alike_videos_without_a_marker_are_inconclusive(
    sb: Sandbox, make_adapter: Any, video: MediaFile
) -> None:
    request = publish_request(draft(media=(video,)))
    make_adapter().publish(request)
    make_adapter().publish(replace(request, post_id=2))
    first, second = (v["id"] for v in sb.state()["videos"])
    with pytest.raises(InconclusiveError) as caught:
        make_adapter().find_existing(request, NOW_ISH())
    assert first in caught.value.message and second in caught.value.message


def test_the_tags_leave_room_for_the_marker_within_500(
    sb: Sandbox, make_adapter: Any, video: MediaFile
) -> None:
    adapter = make_adapter()
    limit = adapter.effective_limits().tags_max_total
    assert limit == 500 - MARKER_ROOM
    tags = ("x" * (limit - 1 - 250), "y" * 250)  # exactly at the draft's limit
    marker = "a" * MARKER_MAX  # the longest marker a post may have
    d = draft(media=(video,), tags=tags)
    assert adapter.check(d) == []
    adapter.publish(replace(publish_request(d), marker=marker))
    assert tags_length(only_video(sb)["tags"]) == 500  # the sandbox took it: YouTube's limit
    over = adapter.check(draft(media=(video,), tags=("z" * limit, "w")))
    assert over == [
        f"youtube: tags are {limit + 2} characters as YouTube counts them, limit {limit}"
    ]


# -- the look-up does not trust the uploads playlist's order or immediacy ---------------------


def lose_the_answer(sb: Sandbox) -> None:
    """The last chunk arrives, its answer is dropped, httplib2's silent re-send meets a 5xx."""
    sb.fault("ambiguous", "videos.upload")
    sb.fault("5xx", "videos.upload")


def reconcile_then_retry(adapter: Any, request: Any, since: datetime) -> Any:
    """What the worker does after a lost answer: look, and publish again only if not found."""
    found = adapter.find_existing(request, since)
    return found if found is not None else adapter.publish(request)


def test_a_lost_upload_is_found_while_the_uploads_playlist_does_not_show_it_yet(
    sb: Sandbox, make_adapter: Any, tmp_path: Path
) -> None:
    small = media_file(tmp_path, "short.mp4", 100_000, MediaRole.VIDEO, "video/mp4")
    request = replace(publish_request(draft(media=(small,))), marker="00112233aabbccdd")
    sb.configure(uploads_listing_delay_seconds=3600)
    lose_the_answer(sb)
    with pytest.raises(AmbiguousOutcomeError):
        make_adapter(upload_retries=0).publish(request)
    outcome = reconcile_then_retry(make_adapter(), request, NOW_ISH())
    (stored,) = sb.state()["videos"]  # one video: the look-up found it, nothing was re-sent
    assert outcome.remote_id == stored["id"]
    assert sb.requests("search.list")  # found by search, the playlist not showing it


def test_a_lost_upload_is_found_when_the_uploads_playlist_is_out_of_order(
    sb: Sandbox, make_adapter: Any, tmp_path: Path
) -> None:
    older = [
        media_file(tmp_path, f"old{n}.mp4", 1000 + n, MediaRole.VIDEO, "video/mp4")
        for n in range(5)
    ]
    for n, media in enumerate(older):
        make_adapter().publish(publish_request(draft(media=(media,)), post_id=10 + n))
    since = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    time.sleep((since - datetime.now(UTC)).total_seconds())  # the older uploads are before it
    sb.configure(uploads_order="shuffled")
    small = media_file(tmp_path, "short.mp4", 100_000, MediaRole.VIDEO, "video/mp4")
    request = replace(publish_request(draft(media=(small,))), marker="00112233aabbccdd")
    lose_the_answer(sb)
    with pytest.raises(AmbiguousOutcomeError):
        make_adapter(upload_retries=0).publish(request)
    outcome = reconcile_then_retry(make_adapter(), request, since)
    videos = sb.state()["videos"]
    assert len(videos) == 6  # five older and this post's one: never uploaded twice
    assert outcome.remote_id == videos[-1]["id"]
    assert "cp-00112233aabbccdd" in videos[-1]["tags"]
