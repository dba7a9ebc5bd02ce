"""The X adapter through tweepy and requests against the sandbox: every path, fault and error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from oauthlib.oauth1 import Client as OAuth1Client

from crosspost.adapters.base import (
    AccountConfig,
    ContentKind,
    DuplicateContentError,
    MediaRole,
    PermanentError,
    RateLimitedError,
)
from crosspost.adapters.x.adapter import XAdapter, comparable
from crosspost.adapters.x.transport import HostSession as _HostSession
from tests.support.sandbox import closing_adapters, media_file, sandbox_fixtures
from tests.support.x_helpers import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    XSandbox,
    bearer_account,
    oauth1_account,
    request_for,
)

ARTICLE, VIDEO, PODCAST = ContentKind.ARTICLE, ContentKind.VIDEO, ContentKind.PODCAST
TEXT = "Hà Nội vào thu: những con phố vàng lá"
MakeAdapter = Callable[..., XAdapter]


sandbox_server, sb = sandbox_fixtures(XSandbox)


@pytest.fixture
def make_adapter(sb: XSandbox) -> Iterator[MakeAdapter]:
    def build(account: AccountConfig | None = None, **settings: Any) -> XAdapter:
        return XAdapter(account or oauth1_account(sb.url, **settings))

    with closing_adapters(build) as make:
        yield make


def actions(sb: XSandbox) -> list[str]:
    return [r["action"] for r in sb.requests()]


def username_of(sb: XSandbox, author_id: str) -> str:
    return str(next(u["username"] for u in sb.state()["users"] if u["id"] == author_id))


# -- success paths -------------------------------------------------------------------------------


def test_article_single_post(sb: XSandbox, make_adapter: MakeAdapter) -> None:
    receipt = make_adapter().publish(request_for(ARTICLE, TEXT))
    (tweet,) = sb.state()["tweets"]
    assert tweet["text"] == TEXT and receipt.remote_id == tweet["id"]
    assert (
        receipt.url == f"https://x.com/{username_of(sb, tweet['author_id'])}/status/{tweet['id']}"
    )
    assert receipt.extra_ids == () and receipt.warnings == ()
    assert actions(sb) == ["users.me", "tweets.create"]


def test_username_setting_spares_the_users_me_call(sb: XSandbox, make_adapter: MakeAdapter) -> None:
    receipt = make_adapter(username="@baomoi").publish(request_for(ARTICLE, TEXT))
    assert receipt.url == f"https://x.com/baomoi/status/{receipt.remote_id}"
    assert actions(sb) == ["tweets.create"]


def test_article_thread_chains_replies(sb: XSandbox, make_adapter: MakeAdapter) -> None:
    parts = ("1/3 Mở đầu chuỗi bài", "2/3 Phần giữa", "3/3 Kết thúc")
    receipt = make_adapter().publish(request_for(ARTICLE, *parts))
    tweets = sb.state()["tweets"]
    assert [t["text"] for t in tweets] == list(parts)
    assert [t["in_reply_to"] for t in tweets] == [None, tweets[0]["id"], tweets[1]["id"]]
    assert receipt.remote_id == tweets[0]["id"]
    assert receipt.extra_ids == (tweets[1]["id"], tweets[2]["id"])


def test_article_with_images_uploads_each_and_attaches_them(
    sb: XSandbox, make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    images = (
        media_file(tmp_path, "anh-1.jpg", 3000, MediaRole.IMAGE),
        media_file(tmp_path, "anh-2.png", 2000, MediaRole.COVER),
    )
    receipt = make_adapter().publish(request_for(ARTICLE, TEXT, media=images))
    state = sb.state()
    media_ids = [m["id"] for m in state["media"]]
    assert state["tweets"][0]["media_ids"] == media_ids
    assert receipt.extra_ids == tuple(media_ids)
    assert [m["sha256"] for m in state["media"]] == [i.sha256 for i in images]
    assert [m["media_type"] for m in state["media"]] == ["image/jpeg", "image/png"]


def test_video_streams_in_segments_polls_status_then_posts(
    sb: XSandbox, make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    sb.configure(processing_polls=3)
    video = media_file(tmp_path, "clip.mp4", 5500, MediaRole.VIDEO)
    seen: list[tuple[int, int]] = []
    receipt = make_adapter(upload_chunk_bytes=1000).publish(
        request_for(VIDEO, "Phóng sự: mùa nước nổi", media=(video,)),
        progress=lambda sent, total: seen.append((sent, total)),
    )
    (media,) = sb.state()["media"]
    assert media["state"] == "succeeded" and media["segments"] == 6
    assert media["sha256"] == video.sha256 and media["media_category"] == "tweet_video"
    assert sb.state()["tweets"][0]["media_ids"] == [media["id"]] == list(receipt.extra_ids)
    assert actions(sb) == [
        "users.me",
        "media.initialize",
        *["media.append"] * 6,
        "media.finalize",
        *["media.status"] * 3,
        "tweets.create",
    ]
    sent = [s for s, _ in seen]
    assert sent == sorted(set(sent)) and sent[-1] == 5500
    assert {total for _, total in seen} == {5500}


def test_progress_spans_every_file_of_the_post(
    sb: XSandbox, make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    images = tuple(media_file(tmp_path, f"{n}.png", 1500, MediaRole.IMAGE) for n in range(3))
    seen: list[tuple[int, int]] = []
    make_adapter(upload_chunk_bytes=1000).publish(
        request_for(ARTICLE, TEXT, media=images), progress=lambda s, t: seen.append((s, t))
    )
    assert [s for s, _ in seen] == [1000, 1500, 2500, 3000, 4000, 4500]
    assert {t for _, t in seen} == {4500}


def test_podcast_posts_the_cover_with_the_link(
    sb: XSandbox, make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    cover = media_file(tmp_path, "bia.jpg", 2500, MediaRole.COVER)
    text = "Podcast tập 12: Chuyện làng nghề https://radio.example.vn/tap-12"
    receipt = make_adapter().publish(request_for(PODCAST, text, media=(cover,)))
    (tweet,) = sb.state()["tweets"]
    assert tweet["text"] == text and tweet["media_ids"] == list(receipt.extra_ids)
    assert sb.state()["media"][0]["media_category"] == "tweet_image"


def test_oauth2_user_token_posts_as_its_own_user(sb: XSandbox, make_adapter: MakeAdapter) -> None:
    first = make_adapter().publish(request_for(ARTICLE, TEXT))
    second = make_adapter(bearer_account(sb.url)).publish(request_for(ARTICLE, TEXT))
    authors = {t["id"]: t["author_id"] for t in sb.state()["tweets"]}
    assert authors[first.remote_id] != authors[second.remote_id]  # no duplicate: two users


# -- failures --------------------------------------------------------------------------------------


def test_enforced_per_user_limit_is_rate_limited(sb: XSandbox, make_adapter: MakeAdapter) -> None:
    sb.configure(enforce_rate_limits=True, rate_limits={"tweets.create": 1})
    adapter = make_adapter(username="baomoi")
    adapter.publish(request_for(ARTICLE, "một"))
    with pytest.raises(RateLimitedError) as caught:
        adapter.publish(request_for(ARTICLE, "hai"))
    assert caught.value.retry_at is not None
    assert caught.value.retry_at > datetime.now(UTC) + timedelta(minutes=14)


def test_check_reports_x_rules_for_unrendered_drafts(
    make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    adapter = make_adapter(video_max_bytes=1000)
    video = media_file(tmp_path, "v.mp4", 2000, MediaRole.VIDEO)
    image = media_file(tmp_path, "i.png", 10, MediaRole.IMAGE)
    problems = adapter.check(request_for(VIDEO, TEXT, media=(video, image)).draft)
    assert any("not a mix" in p for p in problems)
    assert any("2000 bytes, X takes at most 1000" in p for p in problems)
    five = tuple(media_file(tmp_path, f"{n}.png", 10, MediaRole.IMAGE) for n in range(5))
    assert adapter.check(request_for(ARTICLE, TEXT, media=five).draft) == [
        "x: 5 images, X takes at most 4"
    ]
    assert adapter.check(request_for(ARTICLE, TEXT).draft) == []
    assert adapter.effective_limits().video_max_bytes == 1000


def test_failed_video_processing_is_permanent(
    sb: XSandbox, make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    sb.configure(processing_outcome="failed")
    video = media_file(tmp_path, "bad.mp4", 500, MediaRole.VIDEO)
    with pytest.raises(PermanentError, match="could not process"):
        make_adapter().publish(request_for(VIDEO, TEXT, media=(video,)))
    assert sb.state()["tweets"] == []


def test_duplicate_text_is_a_duplicate_error(sb: XSandbox, make_adapter: MakeAdapter) -> None:
    adapter = make_adapter()
    adapter.publish(request_for(ARTICLE, TEXT))
    with pytest.raises(DuplicateContentError) as caught:
        adapter.publish(request_for(ARTICLE, TEXT, post_id=2))
    assert caught.value.http_status == 403 and "duplicate content" in caught.value.message


def test_find_existing_rebuilds_a_thread_and_names_missing_parts(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter()
    posted = adapter.publish(request_for(ARTICLE, "1/2 đầu", "2/2 cuối"))
    longer = request_for(ARTICLE, "1/2 đầu", "2/2 cuối", "3/3 thêm")
    found = adapter.find_existing(longer, longer.scheduled_at - timedelta(minutes=1))
    assert found is not None
    assert (found.remote_id, found.extra_ids) == (posted.remote_id, posted.extra_ids)
    assert found.warnings == ("thread part 3/3 not found on X (not posted)",)


def test_thread_cut_short_keeps_the_first_post_and_warns(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    sb.configure(refuse_replies=True)
    receipt = make_adapter().publish(request_for(ARTICLE, "1/3 đầu", "2/3 giữa", "3/3 cuối"))
    (tweet,) = sb.state()["tweets"]
    assert receipt.remote_id == tweet["id"] and receipt.extra_ids == ()
    assert len(receipt.warnings) == 2
    assert receipt.warnings[0].startswith("thread part 2/3 not posted: x create post: HTTP 403")
    assert "stopped at part 2" in receipt.warnings[1]
    assert actions(sb).count("tweets.create") == 2  # one refusal, no retry loop


# -- the base_url workaround ---------------------------------------------------------------------


def test_host_session_moves_tweepys_host_before_oauth_signs(sb: XSandbox) -> None:
    session = _HostSession(sb.url, timeout=5)
    oauth = OAuth1Client(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)
    prepared = session.prepare_request(
        requests.Request("GET", "https://api.twitter.com/2/users/me?user.fields=id", auth=_Auth())
    )
    assert prepared.url == f"{sb.url}/2/users/me?user.fields=id"
    raw = prepared.headers["Authorization"]
    header = raw.decode() if isinstance(raw, bytes) else raw  # requests-oauthlib gives bytes
    params = dict(
        item.strip().replace('"', "").split("=", 1) for item in header[len("OAuth ") :].split(",")
    )
    oauth.nonce, oauth.timestamp = params["oauth_nonce"], params["oauth_timestamp"]
    _, expected, _ = oauth.sign(prepared.url, "GET")
    assert header == expected["Authorization"]  # signed over the URL actually requested
    other = session.prepare_request(requests.Request("GET", "https://upload.example/x"))
    assert other.url == "https://upload.example/x"


class _Auth(requests.auth.AuthBase):
    """OAuth 1.0a signing as tweepy does it (requests-oauthlib), for the signature check."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        from requests_oauthlib import OAuth1

        signer = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)
        signed: requests.PreparedRequest = signer(request)
        return signed


def test_comparable_text_survives_xs_rewriting() -> None:
    original = "Tin & ảnh <mới>: https://example.vn/a?b=1 và example.org"
    shown = "Tin &amp; ảnh &lt;mới&gt;: https://t.co/abcdef1234 và https://t.co/0123456789"
    assert comparable(original) == comparable(shown)
    assert comparable("Tin mới") != comparable("Tin cũ")
