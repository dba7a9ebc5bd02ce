"""The Facebook adapter through httpx against the sandbox: every path, fault and error class."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosspost.adapters.base import (
    AmbiguousOutcomeError,
    AuthenticationError,
    ContentKind,
    Draft,
    DuplicateContentError,
    InconclusiveError,
    MediaRole,
    PermanentError,
    Platform,
    RateLimitedError,
    RetryableError,
    StepKind,
    StepReceipt,
)
from crosspost.adapters.facebook import FacebookAdapter
from tests.support.facebook_helpers import PAGE_ID, Sandbox, account, article
from tests.support.sandbox import closing_adapters, media_file, publish_request, sandbox_fixtures

CHUNK = 64 * 1024
TEXT = "Hà Nội vào thu: những con phố vàng lá"

MakeAdapter = Callable[..., FacebookAdapter]

sandbox_server, sandbox = sandbox_fixtures(Sandbox, name="sandbox")


@pytest.fixture
def make_adapter(sandbox: Sandbox) -> Iterator[MakeAdapter]:
    def build(**settings: Any) -> FacebookAdapter:
        return FacebookAdapter(account(sandbox.url, **settings))

    with closing_adapters(build) as make:
        yield make


@pytest.fixture
def adapter(make_adapter: MakeAdapter) -> FacebookAdapter:
    return make_adapter()


def video_draft(tmp_path: Path, size: int, kind: ContentKind = ContentKind.VIDEO) -> Draft:
    clip = media_file(tmp_path, "clip.mp4", size, MediaRole.VIDEO, "video/mp4")
    cover = media_file(tmp_path, "cover.jpg", 2048, MediaRole.COVER, "image/jpeg")
    return Draft(
        Platform.FACEBOOK,
        kind,
        parts=(f"{TEXT}\nXem phóng sự đầy đủ.",),
        title="Phóng sự: Hà Nội mùa thu",
        link="https://example.vn/video",
        media=(clip, cover),
    )


# -- identity --------------------------------------------------------------------------------
def test_verify_refuses_a_token_of_another_page(sandbox: Sandbox, adapter: FacebookAdapter) -> None:
    sandbox.configure(page_id="555")
    with pytest.raises(AuthenticationError, match="not Page"):
        adapter.verify()


# -- articles --------------------------------------------------------------------------------
def test_an_article_is_a_feed_post_with_message_and_link(
    sandbox: Sandbox, adapter: FacebookAdapter
) -> None:
    receipt = adapter.publish(publish_request(article(TEXT)))
    (post,) = sandbox.state()["posts"]
    assert receipt.remote_id == post["id"]
    assert receipt.url == post["permalink_url"]
    assert (post["message"], post["link"], post["attached_media"]) == (
        TEXT,
        "https://example.vn/bai-viet",
        [],
    )
    assert receipt.extra_ids == ()


def test_an_article_image_is_uploaded_unpublished_and_attached(
    sandbox: Sandbox, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    image = media_file(tmp_path, "anh.jpg", 5000, MediaRole.IMAGE, "image/jpeg")
    seen: list[tuple[int, int]] = []
    receipt = adapter.publish(
        publish_request(article(TEXT, "https://example.vn/a", image)),
        lambda sent, total: seen.append((sent, total)),
    )
    state = sandbox.state()
    (photo,) = state["photos"]
    (post,) = state["posts"]
    assert photo["published"] is False and photo["sha256"] == image.sha256
    assert post["attached_media"] == [photo["id"]] and post["link"] == "https://example.vn/a"
    assert receipt.remote_id == post["id"] and receipt.extra_ids == (photo["id"],)
    assert seen[-1] == (5000, 5000)


def test_link_preview_mode_posts_the_link_alone(
    sandbox: Sandbox, make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    image = media_file(tmp_path, "anh.jpg", 5000, MediaRole.IMAGE, "image/jpeg")
    make_adapter(article_image="link_preview").publish(publish_request(article(TEXT, None, image)))
    state = sandbox.state()
    assert state["photos"] == []
    assert state["posts"][0]["attached_media"] == []


# -- video and podcast -----------------------------------------------------------------------
def test_a_video_is_uploaded_in_chunks_then_published(
    sandbox: Sandbox, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    draft = video_draft(tmp_path, 5 * CHUNK + 123)
    seen: list[tuple[int, int]] = []
    receipt = adapter.publish(publish_request(draft), lambda s, t: seen.append((s, t)))
    state = sandbox.state()
    (video,) = state["videos"]
    (upload,) = state["uploads"]
    clip = draft.media[0]
    assert video["bytes_received"] == clip.size and video["sha256"] == clip.sha256
    assert (video["title"], video["description"]) == (draft.title, draft.text)
    assert upload["chunks"] == 6
    assert receipt.remote_id == video["id"] and receipt.extra_ids == (video["id"],)
    assert receipt.url == f"https://www.facebook.com/{PAGE_ID}/videos/{video['id']}/"
    sent = [s for s, _ in seen]
    assert sent == sorted(sent) and sent[0] == 0 and seen[-1] == (clip.size, clip.size)
    assert len(seen) >= 6


def test_a_podcast_posts_its_rendered_video(
    sandbox: Sandbox, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    draft = video_draft(tmp_path, 2 * CHUNK, ContentKind.PODCAST)
    adapter.publish(publish_request(draft))
    state = sandbox.state()
    assert len(state["videos"]) == 1 and state["photos"] == []


def test_a_podcast_without_video_is_a_link_post_with_its_cover(
    sandbox: Sandbox, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    cover = media_file(tmp_path, "cover.png", 3000, MediaRole.COVER, "image/png")
    draft = Draft(
        Platform.FACEBOOK,
        ContentKind.PODCAST,
        parts=("Podcast tập 12: Chuyện phố cổ",),
        link="https://example.vn/podcast/12",
        media=(cover,),
    )
    receipt = adapter.publish(publish_request(draft))
    state = sandbox.state()
    assert state["videos"] == [] and state["photos"][0]["sha256"] == cover.sha256
    assert state["posts"][0]["link"] == "https://example.vn/podcast/12"
    assert receipt.extra_ids == (state["photos"][0]["id"],)


# -- faults ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "status"), [(80001, 400), (32, 400), (4, 403)])
def test_a_rate_limit_carries_the_time_to_regain_access(
    sandbox: Sandbox, adapter: FacebookAdapter, code: int, status: int
) -> None:
    sandbox.configure(rate_limit_code=code, rate_limit_status=status)
    sandbox.fault("429", action="create_post", retry_after=600)
    before = datetime.now(UTC)
    with pytest.raises(RateLimitedError) as caught:
        adapter.publish(publish_request(article(TEXT)))
    assert caught.value.retry_at is not None
    assert abs(caught.value.retry_at - (before + timedelta(minutes=10))) < timedelta(seconds=30)
    assert caught.value.platform_code == str(code)
    assert sandbox.state()["posts"] == []


def test_a_rate_limit_without_a_time_to_regain_access_waits_the_fallback(
    sandbox: Sandbox, make_adapter: MakeAdapter
) -> None:
    sandbox.fault("429", action="create_post", retry_after=0)
    before = datetime.now(UTC)
    with pytest.raises(RateLimitedError) as caught:
        make_adapter(rate_limit_fallback_seconds=120).publish(publish_request(article(TEXT)))
    assert caught.value.retry_at is not None
    assert abs(caught.value.retry_at - (before + timedelta(seconds=120))) < timedelta(seconds=30)


def test_a_block_for_abuse_is_a_rate_limit_and_permissions_are_permanent(
    sandbox: Sandbox, adapter: FacebookAdapter
) -> None:
    sandbox.configure(permanent_code=368)
    sandbox.fault("permanent", action="create_post")
    with pytest.raises(RateLimitedError) as blocked:
        adapter.publish(publish_request(article(TEXT)))
    assert blocked.value.retry_at is not None
    assert blocked.value.retry_at > datetime.now(UTC) + timedelta(minutes=30)
    for code in (10, 200):
        sandbox.configure(permanent_code=code)
        sandbox.fault("permanent", action="create_post")
        with pytest.raises(PermanentError, match="permission"):
            adapter.publish(publish_request(article(TEXT)))


def test_a_missing_file_or_bad_base_url_is_permanent(
    make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    image = media_file(tmp_path, "anh.jpg", 100, MediaRole.IMAGE, "image/jpeg")
    image.path.unlink()
    with pytest.raises(PermanentError, match=r"cannot read image file anh\.jpg"):
        make_adapter().publish(publish_request(article(TEXT, None, image)))
    with pytest.raises(PermanentError, match="base_url"):
        make_adapter(base_url="graph.example.vn").publish(publish_request(article(TEXT)))


# -- duplicates, ambiguity and reconciliation ------------------------------------------------
def test_a_duplicate_is_reported_and_reconciles_to_the_first_post(
    adapter: FacebookAdapter,
) -> None:
    request = publish_request(article(TEXT))
    first = adapter.publish(request)
    with pytest.raises(DuplicateContentError) as caught:
        adapter.publish(request)
    assert caught.value.platform_code == "506"
    found = adapter.find_existing(request, datetime.now(UTC) - timedelta(minutes=1))
    assert found is not None and found.remote_id == first.remote_id


def test_an_ambiguous_video_publish_is_found_by_title(
    sandbox: Sandbox, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    request = publish_request(video_draft(tmp_path, CHUNK + 10))
    sandbox.fault("ambiguous", action="create_video")
    with pytest.raises(AmbiguousOutcomeError):
        adapter.publish(request)
    (video,) = sandbox.state()["videos"]
    found = adapter.find_existing(request, datetime.now(UTC) - timedelta(minutes=1))
    assert found is not None and found.remote_id == video["id"]
    assert found.url is not None and found.url.startswith("https://www.facebook.com/")


# -- resumable uploads -----------------------------------------------------------------------
def test_a_dropped_chunk_resumes_from_the_server_offset(
    sandbox: Sandbox, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    draft = video_draft(tmp_path, 4 * CHUNK + 7)
    size = draft.media[0].size
    sandbox.fault("ambiguous", action="upload_chunk")  # the first chunk lands, its answer is lost
    sandbox.fault("5xx", action="upload_chunk")  # the next one fails outright
    seen: list[int] = []
    adapter.publish(publish_request(draft), lambda sent, total: seen.append(sent))
    state = sandbox.state()
    (upload,) = state["uploads"]
    (video,) = state["videos"]
    assert video["bytes_received"] == size and video["sha256"] == draft.media[0].sha256
    assert upload["chunks"] == math.ceil(size / CHUNK)  # nothing sent twice
    actions = [r["action"] for r in sandbox.requests()]
    assert actions.count("upload_status") == 2 and actions.count("upload_start") == 1
    assert seen == sorted(seen) and seen[-1] == size


def test_a_lost_answer_to_the_last_chunk_still_yields_the_handle(
    sandbox: Sandbox, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    draft = video_draft(tmp_path, CHUNK - 1)  # one chunk: its answer carried the handle
    sandbox.fault("ambiguous", action="upload_chunk")
    receipt = adapter.publish(publish_request(draft))
    state = sandbox.state()
    assert state["videos"][0]["id"] == receipt.remote_id
    assert state["uploads"][0]["bytes_received"] == CHUNK - 1


def test_an_upload_that_gives_up_is_resumed_by_the_next_attempt(
    sandbox: Sandbox, make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    adapter = make_adapter(upload_retries=1)
    draft = video_draft(tmp_path, 3 * CHUNK)
    size = draft.media[0].size
    sandbox.fault("ambiguous", action="upload_chunk")
    sandbox.fault("5xx", action="upload_chunk", count=5)
    with pytest.raises(RetryableError):
        adapter.publish(publish_request(draft))
    assert sandbox.state()["uploads"][0]["bytes_received"] == CHUNK
    sandbox.http.post("/_sandbox/faults", json={"clear_rules": True})
    adapter.publish(publish_request(draft, attempt=2))
    state = sandbox.state()
    assert len(state["uploads"]) == 1  # the same session, not a new one from byte zero
    assert state["videos"][0]["bytes_received"] == size
    assert state["uploads"][0]["chunks"] == 3


# -- pacing ----------------------------------------------------------------------------------
def test_usage_near_the_budget_asks_the_account_to_rest(
    sandbox: Sandbox, adapter: FacebookAdapter
) -> None:
    # Given Graph's usage headers read 50% after the first article (a post and its permalink)
    sandbox.configure(usage_call_budget=4)
    adapter.publish(publish_request(article(TEXT)))
    assert adapter.pacing() is None
    # When a second call brings them to 100%
    before = datetime.now(UTC)
    adapter.publish(publish_request(article(TEXT + " (2)")))
    pacing = adapter.pacing()
    # Then the adapter asks for a rest of the configured length, saying why
    assert pacing is not None
    assert "Graph API usage at 100%" in pacing.reason
    assert before + timedelta(minutes=5) <= pacing.until < before + timedelta(minutes=6)


def test_the_pacing_threshold_and_rest_come_from_the_account_settings(
    sandbox: Sandbox, make_adapter: MakeAdapter
) -> None:
    sandbox.configure(usage_call_budget=8)
    adapter = make_adapter(pace_above_percent=50, pace_rest_minutes=1)
    adapter.publish(publish_request(article(TEXT)))
    assert adapter.pacing() is None  # 25%
    adapter.publish(publish_request(article(TEXT + " (2)")))
    pacing = adapter.pacing()  # 50%
    assert pacing is not None
    assert pacing.until < datetime.now(UTC) + timedelta(minutes=1, seconds=5)


# -- steps and proof in reconciliation -------------------------------------------------------
def test_the_post_is_confirmed_as_its_first_part_and_never_made_again(
    sandbox: Sandbox, adapter: FacebookAdapter
) -> None:
    confirmed: list[StepReceipt] = []
    request = replace(publish_request(article(TEXT)), on_step=confirmed.append)
    receipt = adapter.publish(request)
    (post,) = sandbox.state()["posts"]
    assert confirmed == [StepReceipt(StepKind.PART, 1, post["id"])]
    assert receipt.steps == tuple(confirmed)
    again = adapter.publish(replace(request, attempt_number=2, done=tuple(confirmed)))
    assert again.remote_id == post["id"] and len(sandbox.state()["posts"]) == 1


def test_a_video_is_confirmed_as_its_video_step(
    sandbox: Sandbox, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    confirmed: list[StepReceipt] = []
    request = replace(publish_request(video_draft(tmp_path, CHUNK)), on_step=confirmed.append)
    sandbox.fault("ambiguous", action="create_video")
    with pytest.raises(AmbiguousOutcomeError):
        adapter.publish(request)
    assert confirmed == []  # no answer carried the id
    (video,) = sandbox.state()["videos"]
    found = adapter.find_existing(request, datetime.now(UTC) - timedelta(minutes=2))
    assert found is not None and found.steps[0].key == (StepKind.VIDEO, 1)
    assert found.remote_id == video["id"]


def test_a_repost_is_never_matched_to_its_original(adapter: FacebookAdapter) -> None:
    original = adapter.publish(publish_request(article(TEXT)))
    repost = replace(
        publish_request(article(TEXT), post_id=2), exclude_ids=frozenset({original.remote_id})
    )
    assert adapter.find_existing(repost, datetime.now(UTC) - timedelta(minutes=2)) is None


def test_a_post_created_before_since_is_not_accepted(
    sandbox: Sandbox, adapter: FacebookAdapter
) -> None:
    request = publish_request(article(TEXT))
    adapter.publish(request)
    assert len(sandbox.state()["posts"]) == 1
    assert adapter.find_existing(request, datetime.now(UTC) + timedelta(seconds=2)) is None


@pytest.mark.parametrize("kind", ["article", "video"])
def test_an_older_copy_is_not_claimed_when_graph_ignores_since(
    sandbox: Sandbox, adapter: FacebookAdapter, tmp_path: Path, kind: str
) -> None:
    # Divergence 5: the look-up checks each candidate's created_time itself; an edge that
    # ignores `since` hands back an older object with the same text, which is not this post
    draft = article(TEXT) if kind == "article" else video_draft(tmp_path, CHUNK)
    request = publish_request(draft)
    older = adapter.publish(request)
    sandbox.configure(edges_ignoring_since=["feed", "videos"])
    intent = datetime.now(UTC) + timedelta(seconds=2)
    assert adapter.find_existing(request, intent) is None
    found = adapter.find_existing(request, intent - timedelta(minutes=1))
    assert found is not None and found.remote_id == older.remote_id
    edge = "feed" if kind == "article" else "videos"
    assert any(r["action"] == f"read_{edge}" for r in sandbox.requests())


def test_two_alike_videos_are_inconclusive(
    sandbox: Sandbox, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    request = publish_request(video_draft(tmp_path, CHUNK))
    adapter.publish(request)
    adapter.publish(replace(request, post_id=2))
    ids = [v["id"] for v in sandbox.state()["videos"]]
    assert len(ids) == 2
    with pytest.raises(InconclusiveError) as caught:
        adapter.find_existing(request, datetime.now(UTC) - timedelta(minutes=2))
    assert all(i in caught.value.message for i in ids)
