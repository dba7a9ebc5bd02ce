"""The X adapter through tweepy and requests against the sandbox: every path, fault and error."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from oauthlib.oauth1 import Client as OAuth1Client

from crosspost.adapters.base import (
    AccountConfig,
    AmbiguousOutcomeError,
    ContentKind,
    DuplicateContentError,
    InconclusiveError,
    MediaRole,
    PermanentError,
    PublishRequest,
    RateLimitedError,
    RetryableError,
    StepKind,
    StepReceipt,
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
    assert receipt.steps == (StepReceipt(StepKind.PART, 1, tweet["id"], receipt.url),)
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


# -- threads: resume after the confirmed parts, find further parts on proof only ------------------

SIX = tuple(f"{n}/6 Chuỗi bài về mùa lũ, phần {n}" for n in range(1, 7))


def attempt(
    parts: tuple[str, ...],
    done: tuple[StepReceipt, ...] = (),
    fault_after: tuple[XSandbox, str, int] | None = None,
    **changes: Any,
) -> tuple[PublishRequest, list[StepReceipt]]:
    """A request for `parts` resuming after `done`, and the list its confirmed steps go to;
    `fault_after` (sandbox, fault, n) scripts `fault` on the create after part n is confirmed."""
    confirmed: list[StepReceipt] = []

    def on_step(step: StepReceipt) -> None:
        confirmed.append(step)
        if fault_after is not None and step.number == fault_after[2]:
            fault_after[0].fault(fault_after[1], action="tweets.create")

    request = replace(request_for(ARTICLE, *parts), done=done, on_step=on_step, **changes)
    return request, confirmed


def since(request: PublishRequest) -> datetime:
    return request.scheduled_at - timedelta(minutes=1)


def chained(sb: XSandbox) -> list[dict[str, Any]]:
    """The sandbox's posts, each checked to reply to the one before (the first to none)."""
    tweets = sorted(sb.state()["tweets"], key=lambda t: int(t["id"]))
    assert [t["in_reply_to"] for t in tweets] == [None, *(t["id"] for t in tweets[:-1])]
    return tweets


def test_a_retryable_failure_on_part_4_names_it_and_the_next_attempt_posts_only_4_to_6(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    first, confirmed = attempt(SIX, fault_after=(sb, "429", 3))
    with pytest.raises(RetryableError) as caught:  # X's 429: RateLimitedError, a retryable
        make_adapter().publish(first)
    assert caught.value.step == (StepKind.PART, 4)
    assert caught.value.message.startswith("x: thread part 4/6: x create post: HTTP 429")
    assert [s.number for s in confirmed] == [1, 2, 3]
    assert [t["text"] for t in chained(sb)] == list(SIX[:3])
    creates = len(sb.requests("tweets.create"))
    second, more = attempt(SIX, done=tuple(confirmed))
    receipt = make_adapter().publish(second)
    tweets = chained(sb)  # parts 4 to 6 reply to 3, 4 and 5: one thread, each part once
    assert [t["text"] for t in tweets] == list(SIX)
    assert len(sb.requests("tweets.create")) == creates + 3
    assert [s.remote_id for s in more] == [t["id"] for t in tweets[3:]]
    assert receipt.steps == (*confirmed, *more) and receipt.warnings == ()
    assert receipt.remote_id == tweets[0]["id"] and receipt.url == confirmed[0].url
    assert receipt.extra_ids == tuple(t["id"] for t in tweets[1:])


def test_a_5xx_on_part_4_is_ambiguous_and_x_shows_no_part_4(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    request, confirmed = attempt(SIX, fault_after=(sb, "5xx", 3))
    adapter = make_adapter()
    with pytest.raises(AmbiguousOutcomeError) as caught:  # a 5xx while creating: maybe made
        adapter.publish(request)
    assert caught.value.step == (StepKind.PART, 4) and caught.value.http_status == 503
    assert len(chained(sb)) == 3  # the sandbox's 5xx applies nothing
    assert adapter.find_existing(replace(request, done=tuple(confirmed)), since(request)) is None


def test_a_lost_answer_on_part_3_is_found_then_the_whole_thread_is(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    parts = SIX[:5]
    request, confirmed = attempt(parts, fault_after=(sb, "ambiguous", 2))
    adapter = make_adapter()
    with pytest.raises(AmbiguousOutcomeError) as caught:
        adapter.publish(request)
    assert caught.value.step == (StepKind.PART, 3) and len(confirmed) == 2
    made = chained(sb)
    assert len(made) == 3  # X made part 3, though no answer said so
    found = adapter.find_existing(replace(request, done=tuple(confirmed)), since(request))
    assert found is not None and not found.complete
    assert [s.remote_id for s in found.steps] == [t["id"] for t in made]
    assert found.steps[:2] == tuple(confirmed) and found.steps[2].number == 3
    resume, _ = attempt(parts, done=found.steps)
    adapter.publish(resume)
    tweets = chained(sb)
    assert [t["text"] for t in tweets] == list(parts)
    whole = adapter.find_existing(replace(request, done=found.steps), since(request))
    assert whole is not None and whole.complete and whole.remote_id == tweets[0]["id"]
    assert [(s.number, s.remote_id) for s in whole.steps] == [
        (n, t["id"]) for n, t in enumerate(tweets, start=1)
    ]
    assert whole.extra_ids == tuple(t["id"] for t in tweets[1:])
    # Every part confirmed (the worker died before recording the result): whole, by receipts
    again = adapter.find_existing(replace(request, done=whole.steps), since(request))
    assert again is not None and again.complete and again.steps == whole.steps
    assert again.remote_id == tweets[0]["id"] and again.extra_ids == whole.extra_ids


def test_find_existing_never_returns_an_excluded_post_and_names_lookalikes(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter()
    text = "Tin mới: https://example.vn/bai-1"
    held = adapter.publish(request_for(ARTICLE, text)).remote_id  # another post's copy
    request, _ = attempt((text,), exclude_ids=frozenset({held}))
    assert adapter.find_existing(request, since(request)) is None
    other = adapter.publish(request_for(ARTICLE, "Tin mới: https://example.vn/bai-2"))
    found = adapter.find_existing(request, since(request))  # the same text as X shows it
    assert found is not None and found.remote_id == other.remote_id
    plain, _ = attempt((text,))
    with pytest.raises(InconclusiveError) as caught:
        adapter.find_existing(plain, since(plain))
    assert held in caught.value.message and other.remote_id in caught.value.message


def test_a_part_that_replies_to_nothing_or_elsewhere_is_no_proof(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter()
    head = adapter.publish(request_for(ARTICLE, "Mở đầu")).remote_id
    loose = adapter.publish(request_for(ARTICLE, "Phần hai"))  # the text, but not a reply
    done = (StepReceipt(StepKind.PART, 1, head),)
    request, _ = attempt(("Mở đầu", "Phần hai"), done=done)
    assert adapter.find_existing(request, since(request)) is None
    lone, _ = attempt(("Phần hai", "Phần ba"))
    found = adapter.find_existing(lone, since(lone))  # as part 1 it is proof
    assert found is not None and found.remote_id == loose.remote_id and not found.complete


def test_a_post_with_media_is_found_despite_the_link_x_appends(
    sb: XSandbox, make_adapter: MakeAdapter, tmp_path: Path
) -> None:
    cover = media_file(tmp_path, "bia.jpg", 2500, MediaRole.COVER)
    text = "Podcast tập 13: Chợ nổi https://radio.example.vn/tap-13"
    request = request_for(PODCAST, text, media=(cover,))
    sb.fault("ambiguous", action="tweets.create")
    adapter = make_adapter()
    with pytest.raises(AmbiguousOutcomeError):
        adapter.publish(request)
    (tweet,) = sb.state()["tweets"]
    found = adapter.find_existing(request, since(request))
    assert found is not None and found.complete and found.remote_id == tweet["id"]
    assert found.steps == (StepReceipt(StepKind.PART, 1, tweet["id"], found.url),)


def test_a_refused_reply_fails_the_post_about_that_part(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    sb.configure(refuse_replies=True)
    request, confirmed = attempt(("1/3 đầu", "2/3 giữa", "3/3 cuối"))
    with pytest.raises(PermanentError) as caught:
        make_adapter().publish(request)
    assert caught.value.step == (StepKind.PART, 2) and caught.value.http_status == 403
    assert caught.value.message.startswith("x: thread part 2/3: x create post: HTTP 403")
    (tweet,) = sb.state()["tweets"]
    assert [s.remote_id for s in confirmed] == [tweet["id"]]
    assert len(sb.requests("tweets.create")) == 2  # one refusal, no retry loop


def test_confirmed_parts_with_a_gap_are_refused_before_anything_is_sent(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    gap = (StepReceipt(StepKind.PART, 1, "11"), StepReceipt(StepKind.PART, 3, "33"))
    request, _ = attempt(SIX[:3], done=gap)
    with pytest.raises(PermanentError, match=r"parts \[1, 3\] are not parts 1 to 2"):
        make_adapter().publish(request)
    assert sb.requests() == []


def test_a_failing_confirm_stops_the_thread_at_once(
    sb: XSandbox, make_adapter: MakeAdapter
) -> None:
    def on_step(step: StepReceipt) -> None:
        raise OSError("the store is down")

    request = replace(request_for(ARTICLE, *SIX[:3]), on_step=on_step)
    with pytest.raises(OSError, match="store is down"):
        make_adapter().publish(request)
    assert len(sb.state()["tweets"]) == 1 and len(sb.requests("tweets.create")) == 1


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
    assert comparable(original) == comparable(html.unescape(shown))
    assert comparable("Tin mới") != comparable("Tin cũ")
    # A part that says "&amp;" literally is shown by X as "&amp;amp;": only X's side is undone
    assert comparable("A &amp; B") == comparable(html.unescape("A &amp;amp; B"))
    assert comparable("A &amp; B") != comparable(html.unescape("A &amp; B"))
