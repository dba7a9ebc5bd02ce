"""YouTubeAdapter through google-api-python-client, over real HTTP to the sandbox: publishing,
resumable uploads, quota, steps, credentials, bad input and the thumbnail limit (reconciliation
is in test_adapter_youtube_lookup.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosspost.adapters.base import (
    AmbiguousOutcomeError,
    ContentKind,
    MediaFile,
    MediaRole,
    PermanentError,
    PublishError,
    QuotaExhaustedError,
    RetryableError,
    StepKind,
    StepReceipt,
)
from crosspost.adapters.youtube import YouTubeAdapter
from crosspost.adapters.youtube.errors import next_pacific_midnight
from crosspost.adapters.youtube.transport import discovery_document
from tests.support import youtube_adapter
from tests.support.sandbox import media_file, publish_request, sandbox_fixtures
from tests.support.youtube_adapter import NOW_ISH, PLAYLISTS, only_video
from tests.support.youtube_helpers import CHUNK, SECRETS, Sandbox, account, draft

sandbox_server, sb = sandbox_fixtures(Sandbox, playlists=PLAYLISTS)
# The shared fixtures (tests/support/youtube_adapter.py), by the names the tests take.
cover = youtube_adapter.cover
make_adapter = youtube_adapter.make_adapter
video = youtube_adapter.video


# -- success ---------------------------------------------------------------------------------


def test_video_with_thumbnail_and_playlist(
    sb: Sandbox, make_adapter: Any, video: MediaFile, cover: MediaFile
) -> None:
    seen: list[tuple[int, int]] = []
    d = draft(media=(video, cover))
    receipt = make_adapter().publish(publish_request(d), progress=lambda s, t: seen.append((s, t)))

    stored = only_video(sb)
    assert receipt.remote_id == stored["id"]
    assert receipt.url == f"https://www.youtube.com/watch?v={stored['id']}"
    assert receipt.warnings == ()
    item_id = sb.state()["playlists"]["PLvideos"]["video_ids"]
    assert item_id == [stored["id"]]
    assert len(receipt.extra_ids) == 1 and receipt.extra_ids[0].startswith("playlistItem:")
    assert (stored["title"], stored["description"]) == (d.title, d.description)
    assert stored["tags"] == list(d.tags)
    assert (stored["privacy"], stored["publish_at"]) == ("public", None)
    assert (stored["bytes_received"], stored["sha256"]) == (video.size, video.sha256)
    assert stored["content_type"] == "video/mp4"
    assert (stored["thumbnail_bytes"], stored["thumbnail_sha256"]) == (cover.size, cover.sha256)
    assert seen == [(CHUNK, video.size), (2 * CHUNK, video.size), (video.size, video.size)]


def test_podcast_is_uploaded_as_its_rendered_video(
    sb: Sandbox, make_adapter: Any, tmp_path: Path, video: MediaFile, cover: MediaFile
) -> None:
    audio = media_file(tmp_path, "tap-1.mp3", 4000, MediaRole.AUDIO, "audio/mpeg")
    d = draft(ContentKind.PODCAST, (audio, video, cover), title="Podcast Tập 1: Chuyện phở")
    receipt = make_adapter().publish(publish_request(d))
    stored = only_video(sb)
    assert receipt.remote_id == stored["id"]
    assert stored["sha256"] == video.sha256  # the video, not the audio
    assert sb.state()["playlists"]["PLpodcasts"]["video_ids"] == [stored["id"]]
    assert stored["thumbnail_bytes"] == cover.size


def test_article_is_not_applicable(sb: Sandbox, make_adapter: Any, cover: MediaFile) -> None:
    adapter = make_adapter()
    reason = adapter.not_applicable_reason(ContentKind.ARTICLE)
    assert reason is not None and "only video" in reason
    assert adapter.not_applicable_reason(ContentKind.VIDEO) is None
    assert not adapter.supports(ContentKind.ARTICLE)
    article = draft(ContentKind.ARTICLE, (cover,))
    assert reason in adapter.check(article)
    with pytest.raises(PermanentError, match="only video"):
        adapter.publish(publish_request(article))
    assert sb.requests() == []


def test_publish_at_when_scheduled_ahead_of_the_lead(
    sb: Sandbox, make_adapter: Any, video: MediaFile
) -> None:
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    make_adapter(publish_lead_minutes=30).publish(publish_request(draft(media=(video,)), at))
    stored = only_video(sb)
    assert stored["privacy"] == "private"
    assert stored["publish_at"] == at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_no_publish_at_within_the_lead_or_when_not_public(
    sb: Sandbox, make_adapter: Any, video: MediaFile
) -> None:
    soon = datetime.now(UTC) + timedelta(minutes=5)
    make_adapter(publish_lead_minutes=30).publish(publish_request(draft(media=(video,)), soon))
    later = datetime.now(UTC) + timedelta(days=1)
    make_adapter(privacy="unlisted").publish(publish_request(draft(media=(video,)), later))
    first, second = sb.state()["videos"]
    assert (first["privacy"], first["publish_at"]) == ("public", None)
    assert (second["privacy"], second["publish_at"]) == ("unlisted", None)


# -- resuming uploads ------------------------------------------------------------------------


def fault_when(sb: Sandbox, at: int, *faults: str) -> Any:
    """A progress callback that scripts `faults` on the next chunk once `at` bytes are sent."""

    def progress(sent: int, total: int) -> None:
        if sent == at:
            for kind in faults:
                sb.fault(kind, "videos.upload")

    return progress


@pytest.mark.parametrize(
    "faults",
    [("5xx",), ("ambiguous", "5xx")],  # a 5xx; a drop whose silent re-send gets a 5xx too
    ids=["5xx", "dropped-connection"],
)
def test_upload_failing_mid_way_resumes_from_the_servers_range(
    sb: Sandbox, make_adapter: Any, tmp_path: Path, faults: tuple[str, ...]
) -> None:
    big = media_file(tmp_path, "long.mp4", 5 * CHUNK + 1000, MediaRole.VIDEO, "video/mp4")
    receipt = make_adapter().publish(
        publish_request(draft(media=(big,))), progress=fault_when(sb, 2 * CHUNK, *faults)
    )
    stored = only_video(sb)
    assert receipt.remote_id == stored["id"]
    assert (stored["bytes_received"], stored["sha256"]) == (big.size, big.sha256)
    # The failed chunk crossed the wire once more; a restart from zero would double the file.
    assert big.size < stored["upload"]["bytes_transferred"] <= big.size + CHUNK
    assert stored["upload"]["status_queries"] == 1
    assert len(sb.requests("videos.insert")) == 1  # one session, never restarted
    assert [e["fault"] for e in sb.requests("videos.upload") if e["fault"]] == list(faults)


def test_upload_gives_up_after_its_retries_without_creating_anything(
    sb: Sandbox, make_adapter: Any, video: MediaFile
) -> None:
    sb.fault("5xx", "videos.upload", count=3)
    with pytest.raises(RetryableError) as caught:
        make_adapter(upload_retries=2).publish(publish_request(draft(media=(video,))))
    assert type(caught.value) is RetryableError
    assert caught.value.http_status == 503 and caught.value.platform_code == "backendError"
    assert sb.state()["videos"] == []


def test_a_server_error_opening_the_session_is_retried_within_upload_retries(
    sb: Sandbox, make_adapter: Any, video: MediaFile
) -> None:
    # Without retries it is retryable and creates nothing (the contract suite's 5xx case).
    sb.fault("5xx", "videos.insert")
    receipt = make_adapter(upload_retries=1).publish(publish_request(draft(media=(video,))))
    assert receipt.remote_id == only_video(sb)["id"]


# -- ambiguous outcome and reconciliation ----------------------------------------------------


def test_lost_answer_to_the_last_chunk_is_resolved_by_the_resume_query(
    sb: Sandbox, make_adapter: Any, tmp_path: Path
) -> None:
    small = media_file(tmp_path, "short.mp4", 100_000, MediaRole.VIDEO, "video/mp4")
    sb.fault("ambiguous", "videos.upload")
    sb.fault("5xx", "videos.upload")
    receipt = make_adapter(upload_retries=1).publish(publish_request(draft(media=(small,))))
    assert receipt.remote_id == only_video(sb)["id"]  # exactly one video


# -- quota -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "reason"),
    [("uploads_per_day", "quotaExceeded"), ("channel_upload_limit", "uploadLimitExceeded")],
)
def test_quota_exhausted_until_pacific_midnight(
    sb: Sandbox, make_adapter: Any, video: MediaFile, option: str, reason: str
) -> None:
    sb.configure(**{option: 0})
    before = next_pacific_midnight()
    with pytest.raises(QuotaExhaustedError) as caught:
        make_adapter().publish(publish_request(draft(media=(video,))))
    assert caught.value.platform_code == reason
    assert caught.value.retry_at in {before, next_pacific_midnight()}
    assert sb.state()["videos"] == []


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-06-30T23:59:00-07:00", "2026-07-01T07:00:00+00:00"),
        ("2026-12-01T00:00:00-08:00", "2026-12-02T08:00:00+00:00"),
        ("2026-10-31T05:00:00-07:00", "2026-11-01T07:00:00+00:00"),  # clocks go back that night
        ("2026-11-01T04:00:00-08:00", "2026-11-02T08:00:00+00:00"),
        ("2026-03-07T12:00:00+07:00", "2026-03-07T08:00:00+00:00"),  # Hà Nội's noon
    ],
)
def test_next_pacific_midnight(now: str, expected: str) -> None:
    assert next_pacific_midnight(datetime.fromisoformat(now)).isoformat() == expected


def test_a_thumbnail_that_may_pass_is_raised_with_its_step_and_resumed_without_a_second_upload(
    sb: Sandbox, make_adapter: Any, video: MediaFile, cover: MediaFile
) -> None:
    confirmed: list[StepReceipt] = []
    request = replace(publish_request(draft(media=(video, cover))), on_step=confirmed.append)
    sb.fault("5xx", "thumbnails.set")
    with pytest.raises(RetryableError) as caught:
        make_adapter().publish(request)
    assert caught.value.step == (StepKind.THUMBNAIL, 1)
    stored = only_video(sb)
    assert [s.key for s in confirmed] == [(StepKind.VIDEO, 1)]
    assert confirmed[0].remote_id == stored["id"] and stored["thumbnail_bytes"] == 0
    found = make_adapter().find_existing(replace(request, done=tuple(confirmed)), NOW_ISH())
    assert found is not None and found.remote_id == stored["id"] and found.complete is False

    receipt = make_adapter().publish(replace(request, attempt_number=2, done=tuple(confirmed)))
    stored = only_video(sb)  # still one video
    assert [s.key for s in receipt.steps] == [
        (StepKind.VIDEO, 1),
        (StepKind.THUMBNAIL, 1),
        (StepKind.PLAYLIST, 1),
    ]
    assert stored["thumbnail_bytes"] == cover.size
    assert sb.state()["playlists"]["PLvideos"]["video_ids"] == [stored["id"]]
    assert len(sb.requests("videos.insert")) == 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [("5xx", RetryableError), ("ambiguous", AmbiguousOutcomeError)],
    ids=["503", "lost-answer"],
)
def test_a_playlist_step_that_fails_resumes_after_video_and_thumbnail_without_doubling(
    sb: Sandbox,
    make_adapter: Any,
    video: MediaFile,
    cover: MediaFile,
    fault: str,
    error: type[Exception],
) -> None:
    confirmed: list[StepReceipt] = []
    request = replace(publish_request(draft(media=(video, cover))), on_step=confirmed.append)
    sb.fault(fault, "playlistItems.insert")
    with pytest.raises(error) as caught:
        make_adapter().publish(request)
    assert isinstance(caught.value, PublishError)
    assert caught.value.step == (StepKind.PLAYLIST, 1)
    assert [s.key for s in confirmed] == [(StepKind.VIDEO, 1), (StepKind.THUMBNAIL, 1)]
    video_id = only_video(sb)["id"]
    inserted = sb.state()["playlists"]["PLvideos"]["video_ids"]
    # A dropped write is not re-sent behind the adapter's back (httplib2 would): one item.
    assert inserted == ([] if fault == "5xx" else [video_id])

    resumed = replace(request, attempt_number=2, done=tuple(confirmed))
    found = make_adapter().find_existing(resumed, NOW_ISH())
    assert found is not None and found.remote_id == video_id
    assert found.complete is bool(inserted)  # a lost answer's item is found in the playlist
    receipt = make_adapter().publish(resumed)
    state = sb.state()
    assert [v["id"] for v in state["videos"]] == [video_id]
    assert state["playlists"]["PLvideos"]["video_ids"] == [video_id]
    assert receipt.steps[-1].key == (StepKind.PLAYLIST, 1)
    assert len(sb.requests("videos.insert")) == 1


def test_unknown_playlist_is_a_warning(sb: Sandbox, make_adapter: Any, video: MediaFile) -> None:
    adapter = make_adapter(playlists={"video": "PLgone"})
    receipt = adapter.publish(publish_request(draft(media=(video,))))
    (warning,) = receipt.warnings
    assert "playlistNotFound" in warning


# -- credentials -----------------------------------------------------------------------------


def test_stale_access_token_is_refreshed_transparently(
    sb: Sandbox, make_adapter: Any, video: MediaFile
) -> None:
    adapter = make_adapter({**SECRETS, "access_token": "ya29.stale-from-last-week"})
    receipt = adapter.publish(publish_request(draft(media=(video,))))
    assert receipt.remote_id == only_video(sb)["id"]
    first, *_ = sb.requests()
    assert (first["action"], first["status"]) == ("videos.insert", 401)
    assert sb.state()["access_tokens_issued"] == 1


def test_token_expiring_mid_upload_is_refreshed_and_the_upload_continues(
    sb: Sandbox, make_adapter: Any, tmp_path: Path
) -> None:
    big = media_file(tmp_path, "long.mp4", 3 * CHUNK, MediaRole.VIDEO, "video/mp4")

    def expire(sent: int, total: int) -> None:
        if sent == CHUNK:
            sb.fault("expired", "videos.upload")

    make_adapter().publish(publish_request(draft(media=(big,))), progress=expire)
    stored = only_video(sb)
    assert stored["sha256"] == big.sha256
    assert stored["upload"]["bytes_transferred"] == big.size + CHUNK  # the refused chunk, once
    assert sb.state()["access_tokens_issued"] == 2


# -- invalid input ---------------------------------------------------------------------------


def test_unreadable_files(
    sb: Sandbox, make_adapter: Any, video: MediaFile, cover: MediaFile
) -> None:
    cover.path.unlink()
    receipt = make_adapter().publish(publish_request(draft(media=(video, cover))))
    assert receipt.warnings == (
        "thumbnail not set: cannot read pho.jpg (No such file or directory)",
    )
    video.path.unlink()
    with pytest.raises(PermanentError, match=r"cannot read the video file pho\.mp4"):
        make_adapter().publish(publish_request(draft(media=(video,))))
    assert len(sb.state()["videos"]) == 1


def test_chunk_size_must_be_a_multiple_of_256_kib(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="chunk_bytes"):
        YouTubeAdapter(account(sb.url, chunk_bytes=300_000))


# -- the client ------------------------------------------------------------------------------


def test_discovery_document_roots_point_at_the_base_url() -> None:
    doc = json.loads(discovery_document("http://127.0.0.1:1234"))
    assert doc["rootUrl"] == doc["baseUrl"] == doc["mtlsRootUrl"] == "http://127.0.0.1:1234/"
    upload = doc["resources"]["videos"]["methods"]["insert"]["mediaUpload"]
    assert upload["protocols"]["resumable"]["path"] == "/resumable/upload/youtube/v3/videos"


# -- the thumbnail's size limit: thumbnails.set maxSize, configurable ---------------------------


def test_a_thumbnail_over_the_former_2_mib_is_set_and_the_limit_is_configurable(
    sb: Sandbox, make_adapter: Any, video: MediaFile, tmp_path: Path
) -> None:
    big = media_file(tmp_path, "big.jpg", 3 * 1024 * 1024, MediaRole.COVER, "image/jpeg")
    adapter = make_adapter()
    assert adapter.effective_limits().image_max_bytes == 50 * 1024 * 1024
    receipt = adapter.publish(publish_request(draft(media=(video, big))))
    assert receipt.warnings == ()
    assert only_video(sb)["thumbnail_bytes"] == big.size
    # The account's setting moves the limit drafts are checked against (render/media.py
    # refuses a cover over it); a sandbox holding YouTube's former 2 MiB refuses the image, and
    # the video stands with a warning.
    capped = make_adapter(thumbnail_max_bytes=2 * 1024 * 1024)
    assert capped.effective_limits().image_max_bytes == 2 * 1024 * 1024
    sb.reset()
    sb.configure(max_thumbnail_bytes=2 * 1024 * 1024)
    refused = make_adapter().publish(publish_request(draft(media=(video, big))))
    assert refused.warnings and refused.warnings[0].startswith("thumbnail not set")
    assert only_video(sb)["thumbnail_bytes"] == 0
