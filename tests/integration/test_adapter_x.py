"""The X adapter through tweepy and requests against the sandbox: every path, fault and error."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from oauthlib.oauth1 import Client as OAuth1Client

from crosspost.adapters.base import (
    AccountConfig,
    AmbiguousOutcomeError,
    AuthenticationError,
    ContentKind,
    DuplicateContentError,
    MediaRole,
    PermanentError,
    Platform,
    PublishError,
    RateLimitedError,
    RetryableError,
)
from crosspost.adapters.x.adapter import XAdapter, comparable
from crosspost.adapters.x.transport import HostSession as _HostSession
from tests.support.sandbox import closing_adapters, media_file, sandbox_fixtures
from tests.support.x_helpers import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    SECRET_VALUES,
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


def test_verify_names_the_account(sb: XSandbox, make_adapter: MakeAdapter) -> None:
    identity = make_adapter().verify()
    (user,) = sb.state()["users"][-1:]
    assert identity == f"@{user['username']}"


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


def test_5xx_on_create_is_ambiguous(sb: XSandbox, make_adapter: MakeAdapter) -> None:
    sb.fault("5xx", action="tweets.create")
    adapter = make_adapter()
    request = request_for(ARTICLE, TEXT)
    with pytest.raises(AmbiguousOutcomeError) as caught:
        adapter.publish(request)
    assert caught.value.http_status == 503 and "Service Unavailable" in caught.value.message
    assert adapter.find_existing(request, request.scheduled_at) is None  # the 5xx created nothing


@pytest.mark.parametrize(
    "action", ["media.initialize", "media.append", "media.finalize", "media.status"]
)
def test_5xx_on_media_is_retryable_and_posts_nothing(
    sb: XSandbox, make_adapter: MakeAdapter, tmp_path: Path, action: str
) -> None:
    sb.fault("5xx", action=action)
    video = media_file(tmp_path, "clip.mp4", 2000, MediaRole.VIDEO)
    with pytest.raises(RetryableError) as caught:
        make_adapter().publish(request_for(VIDEO, TEXT, media=(video,)))
    assert type(caught.value) is RetryableError and caught.value.http_status == 503
    assert sb.state()["tweets"] == []


def test_429_carries_retry_at_from_the_reset_header(
    sb: XSandbox, make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    sb.fault("429", action="tweets.create", retry_after=30)
    with pytest.raises(RateLimitedError) as caught:
        make_adapter().publish(request_for(ARTICLE, TEXT))
    expected = datetime.now(UTC) + timedelta(seconds=30)
    assert caught.value.retry_at is not None
    assert abs((caught.value.retry_at - expected).total_seconds()) <= 2
    assert caught.value.http_status == 429 and caught.value.platform_code == "88"
    sb.fault("429", action="media.append", retry_after=60)
    image = media_file(tmp_path, "a.png", 100, MediaRole.IMAGE)
    with pytest.raises(RateLimitedError) as on_media:
        make_adapter().publish(request_for(ARTICLE, TEXT, media=(image,)))
    assert on_media.value.retry_at is not None and on_media.value.retry_at > expected


def test_enforced_per_user_limit_is_rate_limited(sb: XSandbox, make_adapter: MakeAdapter) -> None:
    sb.configure(enforce_rate_limits=True, rate_limits={"tweets.create": 1})
    adapter = make_adapter(username="baomoi")
    adapter.publish(request_for(ARTICLE, "một"))
    with pytest.raises(RateLimitedError) as caught:
        adapter.publish(request_for(ARTICLE, "hai"))
    assert caught.value.retry_at is not None
    assert caught.value.retry_at > datetime.now(UTC) + timedelta(minutes=14)


@pytest.mark.parametrize("action", ["tweets.create", "users.me"])
def test_expired_token_is_an_authentication_error(
    sb: XSandbox, make_adapter: MakeAdapter, action: str
) -> None:
    sb.fault("expired", action=action)
    with pytest.raises(AuthenticationError) as caught:
        make_adapter().publish(request_for(ARTICLE, TEXT))
    assert caught.value.http_status == 401


def test_missing_credentials_are_an_authentication_error(make_adapter: MakeAdapter) -> None:
    account = AccountConfig("x-empty", Platform.X, {"base_url": "http://127.0.0.1:9"}, {})
    with pytest.raises(AuthenticationError, match="consumer_key"):
        make_adapter(account).verify()


def test_a_draft_x_would_refuse_is_permanent_before_anything_is_sent(
    sb: XSandbox, make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    adapter = make_adapter()
    with pytest.raises(PermanentError, match="part 2 is 282 weighted"):
        adapter.publish(request_for(ARTICLE, TEXT, "ạ" * 141))
    with pytest.raises(PermanentError, match="needs a video file"):
        adapter.publish(request_for(VIDEO, TEXT))
    sound = media_file(tmp_path, "a.mp3", 10, MediaRole.IMAGE, "audio/mpeg")
    with pytest.raises(PermanentError, match="audio/mpeg"):
        adapter.publish(request_for(ARTICLE, TEXT, media=(sound,)))
    assert sb.requests() == []


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


def test_platform_refusal_is_permanent_with_xs_reason(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    sb.fault("permanent", action="tweets.create")
    with pytest.raises(PermanentError) as caught:
        make_adapter().publish(request_for(ARTICLE, TEXT))
    assert caught.value.http_status == 400 and caught.value.platform_code == "invalid-request"
    assert "sandbox permanent fault" in caught.value.message


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


def test_lost_answer_is_ambiguous_and_find_existing_finds_the_copy(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    text = "Đọc & nghe: <bản tin> https://example.vn/bai-viet?utm_source=x"
    request = request_for(ARTICLE, text)
    adapter = make_adapter()
    sb.fault("ambiguous", action="tweets.create")
    with pytest.raises(AmbiguousOutcomeError):
        adapter.publish(request)
    (tweet,) = sb.state()["tweets"]
    found = adapter.find_existing(request, request.first_attempt_at or request.scheduled_at)
    assert found is not None and found.remote_id == tweet["id"]
    assert found.url is not None and found.url.endswith(f"/status/{tweet['id']}")
    other = request_for(ARTICLE, "Một bài khác")
    assert adapter.find_existing(other, other.scheduled_at) is None


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


def test_refused_connection_is_retryable_even_when_creating(make_adapter: MakeAdapter) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = make_adapter(oauth1_account(f"http://127.0.0.1:{port}", username="baomoi"))
    with pytest.raises(RetryableError) as caught:
        adapter.publish(request_for(ARTICLE, TEXT))
    assert type(caught.value) is RetryableError and "could not connect" in caught.value.message


def test_timeouts_are_ambiguous_on_create_and_retryable_on_media(
    make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        adapter = make_adapter(oauth1_account(url, username="baomoi", timeout_seconds=0.2))
        with pytest.raises(AmbiguousOutcomeError, match="ReadTimeout"):
            adapter.publish(request_for(ARTICLE, TEXT))
        image = media_file(tmp_path, "a.png", 100, MediaRole.IMAGE)
        with pytest.raises(RetryableError) as caught:
            adapter.publish(request_for(ARTICLE, TEXT, media=(image,)))
        assert type(caught.value) is RetryableError


# -- secrets and the base_url workaround --------------------------------------------------------


def test_no_secret_in_errors_reprs_or_debug_logs(
    sb: XSandbox, make_adapter: MakeAdapter, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[PublishError] = []
    image = media_file(tmp_path, "a.png", 100, MediaRole.IMAGE)
    for account in (oauth1_account(sb.url), bearer_account(sb.url)):
        adapter = make_adapter(account)
        receipt = adapter.publish(request_for(ARTICLE, f"{account.name} ok", media=(image,)))
        for fault, action in (("expired", "*"), ("5xx", "media.append"), ("429", "*")):
            sb.fault(fault, action=action)
            with pytest.raises(PublishError) as caught:
                adapter.publish(request_for(ARTICLE, f"{account.name} {fault}", media=(image,)))
            errors.append(caught.value)
        texts = [repr(adapter), repr(account), repr(receipt), str(account.credentials)]
        texts += [f"{e!s} {e!r} {e.args!r} {e.__dict__!r}" for e in errors]
        texts += [r.getMessage() for r in caplog.records]
        leaks = [(v, t) for t in texts for v in SECRET_VALUES if v in t]
        assert leaks == []
    assert {type(e) for e in errors} == {AuthenticationError, RetryableError, RateLimitedError}
    assert any("oauth" in r.name for r in caplog.records)  # the OAuth debug lines were seen


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
