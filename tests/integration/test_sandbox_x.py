"""The X sandbox over real HTTP: auth, X's checks and error shapes, uploads, faults, state."""

from __future__ import annotations

import base64
import hashlib
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from requests_oauthlib import OAuth1Session

from tests.support.sandbox import sandbox_fixtures
from tests.support.x_helpers import XSandbox

INVALID = "https://api.x.com/2/problems/invalid-request"
RATE_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")


sandbox_server, sb = sandbox_fixtures(XSandbox)


def post(sb: XSandbox, token: str = "user-token-1", **body: Any) -> httpx.Response:
    return sb.call("POST", "/2/tweets", token=token, json=body)


def upload(
    sb: XSandbox, data: bytes, media_type: str, category: str, chunk: int = 1000
) -> tuple[str, dict[str, Any]]:
    """initialize → append (in order) → finalize; the media id and finalize's data."""
    init = sb.call(
        "POST",
        "/2/media/upload/initialize",
        json={"media_type": media_type, "total_bytes": len(data), "media_category": category},
    )
    assert init.status_code == 200, init.text
    media_id = init.json()["data"]["id"]
    for index, start in enumerate(range(0, len(data), chunk)):
        append(sb, media_id, index, data[start : start + chunk]).raise_for_status()
    final = sb.call("POST", f"/2/media/upload/{media_id}/finalize")
    assert final.status_code == 200, final.text
    return media_id, final.json()["data"]


def append(sb: XSandbox, media_id: str, index: int, chunk: bytes) -> httpx.Response:
    return sb.call(
        "POST",
        f"/2/media/upload/{media_id}/append",
        data={"segment_index": str(index)},
        files={"media": ("blob", chunk, "application/octet-stream")},
    )


def status(sb: XSandbox, media_id: str) -> dict[str, Any]:
    response = sb.call("GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def assert_invalid(response: httpx.Response, fragment: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["type"] == INVALID and body["title"] == "Invalid Request"
    assert any(fragment in e["message"] for e in body["errors"]), body


# -- auth ---------------------------------------------------------------------------------------


def test_requests_without_user_auth_get_xs_401(sb: XSandbox) -> None:
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer None"},  # tweepy's placeholder when it has no token
        {"Authorization": 'OAuth oauth_consumer_key="k", oauth_token="t"'},  # no signature
        {"Authorization": "OAuth garbage"},
    ):
        response = sb.call("GET", "/2/users/me", token=None, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json() == {
            "title": "Unauthorized",
            "detail": "Unauthorized",
            "type": "about:blank",
            "status": 401,
        }
    assert sb.state()["tweets"] == []


def test_a_bearer_token_is_one_user_and_another_token_another(sb: XSandbox) -> None:
    first = sb.call("GET", "/2/users/me").json()["data"]
    again = sb.call("GET", "/2/users/me").json()["data"]
    other = sb.call("GET", "/2/users/me", token="user-token-2").json()["data"]
    assert first == again
    assert first["id"] != other["id"] and first["username"] != other["username"]
    assert first["username"].startswith("sandbox_user")


def test_oauth1_signed_requests_are_accepted(sb: XSandbox) -> None:
    session = OAuth1Session("consumer", "consumer-secret", "token-a", "token-secret")
    response = session.post(f"{sb.url}/2/tweets", json={"text": "Chào buổi sáng"})
    assert response.status_code == 201, response.text
    me = session.get(f"{sb.url}/2/users/me").json()["data"]
    assert sb.state()["tweets"][0]["author_id"] == me["id"]


# -- posts ---------------------------------------------------------------------------------------


def test_create_answers_in_xs_shape_and_records_the_post(sb: XSandbox) -> None:
    response = post(sb, text="Hà Nội mùa thu")
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["text"] == "Hà Nội mùa thu"
    assert data["edit_history_tweet_ids"] == [data["id"]]
    assert data["id"].isdigit() and len(data["id"]) <= 19
    (tweet,) = sb.state()["tweets"]
    assert tweet["id"] == data["id"] and tweet["in_reply_to"] is None
    assert tweet["media_ids"] == [] and tweet["created_at"].endswith("Z")


def test_length_is_twitter_text_weighted_after_nfc(sb: XSandbox) -> None:
    vietnamese = "ạ" * 140  # U+1EA1 weighs 2: exactly 280
    assert post(sb, text=vietnamese).status_code == 201
    assert_invalid(post(sb, text="ạ" * 141), "too long")
    # The same letters decomposed (NFD) count as NFC once normalised: accepted, stored as NFC.
    nfd = unicodedata.normalize("NFD", "ế" * 140)
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert post(sb, text=nfd).status_code == 201
    assert sb.state()["tweets"][-1]["text"] == "ế" * 140
    # ơ ư đ weigh 1; a URL weighs 23 whatever its length.
    assert post(sb, text="ơưđ" * 93 + "a").status_code == 201
    url = "https://example.com/" + "x" * 120
    assert post(sb, text="a" * 256 + " " + url).status_code == 201
    assert_invalid(post(sb, text="b" * 257 + " " + url), "too long")


def test_empty_posts_and_unknown_fields_are_invalid(sb: XSandbox) -> None:
    assert_invalid(post(sb, text="   "), "text or media")
    assert_invalid(post(sb, text="hi", colour="red"), "colour")
    assert_invalid(post(sb, text="hi", poll={"options": ["a", "b"]}), "does not implement")
    not_json = sb.call("POST", "/2/tweets", content=b"text=hi")
    assert not_json.status_code == 400


def test_duplicate_text_by_the_same_user_is_403(sb: XSandbox) -> None:
    assert post(sb, text="Bản tin sáng").status_code == 201
    again = post(sb, text="Bản tin sáng")
    assert again.status_code == 403
    assert again.json() == {
        "title": "Forbidden",
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank",
        "status": 403,
    }
    assert post(sb, token="user-token-2", text="Bản tin sáng").status_code == 201
    assert len(sb.state()["tweets"]) == 2


def test_replies_need_an_existing_target_and_chain(sb: XSandbox) -> None:
    first = post(sb, text="1/2 đầu").json()["data"]["id"]
    reply = post(sb, text="2/2 cuối", reply={"in_reply_to_tweet_id": first})
    assert reply.status_code == 201
    assert sb.state()["tweets"][-1]["in_reply_to"] == first
    missing = post(sb, text="lạc", reply={"in_reply_to_tweet_id": "123"})
    assert missing.status_code == 403 and "deleted or not visible" in missing.json()["detail"]
    assert_invalid(post(sb, text="x", reply={"in_reply_to_tweet_id": 5}), "numeric")


def test_refused_replies_answer_like_xs_2026_reply_rule(sb: XSandbox) -> None:
    sb.configure(refuse_replies=True)
    first = post(sb, text="gốc").json()["data"]["id"]
    reply = post(sb, text="trả lời", reply={"in_reply_to_tweet_id": first})
    assert reply.status_code == 403 and "Reply to this conversation" in reply.json()["detail"]
    assert len(sb.state()["tweets"]) == 1


def test_answers_wrap_urls_in_tco_and_escape_html_but_state_keeps_the_text(sb: XSandbox) -> None:
    text = "Đọc & nghe <ngay> https://example.com/bai-viet?id=1"
    data = post(sb, text=text).json()["data"]
    assert data["text"].startswith("Đọc &amp; nghe &lt;ngay&gt; https://t.co/")
    assert "example.com" not in data["text"]
    assert sb.state()["tweets"][0]["text"] == text


# -- media ---------------------------------------------------------------------------------------


def test_image_upload_counts_bytes_and_succeeds_at_once(sb: XSandbox) -> None:
    data = bytes(range(256)) * 20
    media_id, final = upload(sb, data, "image/png", "tweet_image", chunk=1500)
    assert final["id"] == media_id and final["size"] == len(data)
    assert final["media_key"] == f"3_{media_id}" and "processing_info" not in final
    (media,) = sb.state()["media"]
    assert media["state"] == "succeeded" and media["segments"] == 4
    assert media["bytes_received"] == media["total_bytes"] == len(data)
    assert media["sha256"] == hashlib.sha256(data).hexdigest()
    created = post(sb, text="có ảnh", media={"media_ids": [media_id]})
    assert created.status_code == 201
    assert sb.state()["tweets"][0]["media_ids"] == [media_id]


def test_initialize_checks_type_category_size_and_fields(sb: XSandbox) -> None:
    def init(**body: Any) -> httpx.Response:
        return sb.call("POST", "/2/media/upload/initialize", json=body)

    assert_invalid(init(media_type="audio/mpeg", total_bytes=10), "not supported")
    assert_invalid(
        init(media_type="image/png", total_bytes=10, media_category="tweet_video"), "does not fit"
    )
    assert_invalid(init(media_type="image/png", total_bytes=0), "total_bytes")
    assert_invalid(init(media_type="image/png", total_bytes=6 * 1024 * 1024), "File size")
    assert_invalid(init(media_type="image/png", total_bytes=10, colour="red"), "colour")
    ok = init(media_type="video/mp4", total_bytes=10)  # category defaults from the type
    assert ok.status_code == 200
    assert set(ok.json()["data"]) == {"id", "media_key", "expires_after_secs"}
    assert sb.state()["media"][0]["media_category"] == "tweet_video"


def test_segments_must_arrive_in_order_and_add_up(sb: XSandbox) -> None:
    init = sb.call(
        "POST",
        "/2/media/upload/initialize",
        json={"media_type": "video/mp4", "total_bytes": 25, "media_category": "tweet_video"},
    )
    media_id = init.json()["data"]["id"]
    assert_invalid(append(sb, media_id, 1, b"x" * 10), "out of order")
    assert append(sb, media_id, 0, b"x" * 10).status_code == 200
    assert_invalid(append(sb, media_id, 0, b"x" * 10), "out of order")
    assert_invalid(append(sb, media_id, 1, b"x" * 16), "exceed total_bytes")
    short = sb.call("POST", f"/2/media/upload/{media_id}/finalize")
    assert_invalid(short, "do not add up")
    # JSON appends (base64 `media`, as the spec also allows) count the same way.
    chunk = base64.b64encode(b"y" * 15).decode()
    as_json = sb.call(
        "POST",
        f"/2/media/upload/{media_id}/append",
        json={"media": chunk, "segment_index": 1},
    )
    assert as_json.status_code == 200, as_json.text
    assert sb.call("POST", f"/2/media/upload/{media_id}/finalize").status_code == 200
    assert_invalid(append(sb, media_id, 2, b"z"), "already finalized")
    (media,) = sb.state()["media"]
    assert (media["segments"], media["bytes_received"]) == (2, 25)


def test_another_users_media_is_not_found(sb: XSandbox) -> None:
    media_id, _ = upload(sb, b"a" * 100, "image/jpeg", "tweet_image")
    stranger = sb.call(
        "GET",
        "/2/media/upload",
        token="user-token-2",
        params={"command": "STATUS", "media_id": media_id},
    )
    assert stranger.status_code == 404
    assert stranger.json()["type"] == "https://api.x.com/2/problems/resource-not-found"
    theirs = post(sb, token="user-token-2", text="mượn ảnh", media={"media_ids": [media_id]})
    assert_invalid(theirs, "media IDs are invalid")


def test_video_processing_goes_pending_in_progress_succeeded(sb: XSandbox) -> None:
    sb.configure(check_after_secs=1, processing_polls=3)
    media_id, final = upload(sb, b"v" * 5000, "video/mp4", "tweet_video")
    assert final["media_key"] == f"7_{media_id}"
    assert final["processing_info"] == {
        "state": "pending",
        "check_after_secs": 1,
        "progress_percent": 0,
    }
    refused = post(sb, text="video chưa xong", media={"media_ids": [media_id]})
    assert_invalid(refused, "pending")
    states = [status(sb, media_id)["processing_info"]["state"] for _ in range(4)]
    assert states == ["in_progress", "in_progress", "succeeded", "succeeded"]
    assert post(sb, text="video xong", media={"media_ids": [media_id]}).status_code == 201


def test_processing_can_be_made_to_fail(sb: XSandbox) -> None:
    sb.configure(processing_outcome="failed", processing_polls=1)
    media_id, _ = upload(sb, b"v" * 100, "video/mp4", "tweet_video")
    assert status(sb, media_id)["processing_info"]["state"] == "failed"
    assert sb.state()["media"][0]["state"] == "failed"


def test_media_mix_rules(sb: XSandbox) -> None:
    images = [upload(sb, bytes([i]) * 50, "image/png", "tweet_image")[0] for i in range(5)]
    video, _ = upload(sb, b"v" * 50, "video/mp4", "tweet_video")
    status(sb, video)
    status(sb, video)
    assert post(sb, text="bốn ảnh", media={"media_ids": images[:4]}).status_code == 201
    assert_invalid(post(sb, text="năm ảnh", media={"media_ids": images}), "1 to 4")
    mixed = post(sb, text="trộn", media={"media_ids": [images[0], video]})
    assert_invalid(mixed, "or 1 video")
    assert_invalid(post(sb, text="không có", media={"media_ids": ["42"]}), "media IDs")


# -- reads ---------------------------------------------------------------------------------------


def test_timeline_filters_pages_and_gives_requested_fields(sb: XSandbox) -> None:
    me = sb.call("GET", "/2/users/me").json()["data"]["id"]
    before = datetime.now(UTC) - timedelta(seconds=2)
    ids = [post(sb, text=f"bài {n}").json()["data"]["id"] for n in range(7)]
    post(sb, token="user-token-2", text="của người khác")
    path = f"/2/users/{me}/tweets"
    params = {
        "start_time": before.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "max_results": "5",
        "tweet.fields": "created_at",
    }
    page1 = sb.call("GET", path, params=params).json()
    assert [t["id"] for t in page1["data"]] == ids[::-1][:5]
    assert all(t["created_at"].endswith("Z") for t in page1["data"])
    assert page1["meta"]["result_count"] == 5 and page1["meta"]["newest_id"] == ids[-1]
    page2 = sb.call(
        "GET", path, params={**params, "pagination_token": page1["meta"]["next_token"]}
    ).json()
    assert [t["id"] for t in page2["data"]] == ids[::-1][5:]
    assert "next_token" not in page2["meta"]
    future = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    empty = sb.call("GET", path, params={"start_time": future}).json()
    assert empty == {"meta": {"result_count": 0}}
    assert_invalid(sb.call("GET", path, params={"max_results": "500"}), "between 5 and 100")
    assert_invalid(sb.call("GET", path, params={"start_time": "yesterday"}), "start_time")
    assert_invalid(sb.call("GET", path, params={"tweet.fields": "colour"}), "colour")
    unknown = sb.call("GET", "/2/users/999/tweets").json()
    assert unknown["errors"][0]["resource_type"] == "user"


def test_tweet_lookup_and_reply_references(sb: XSandbox) -> None:
    first = post(sb, text="đầu").json()["data"]["id"]
    reply = post(sb, text="sau", reply={"in_reply_to_tweet_id": first}).json()["data"]["id"]
    fields = {"tweet.fields": "created_at,referenced_tweets,conversation_id,author_id"}
    data = sb.call("GET", f"/2/tweets/{reply}", params=fields).json()["data"]
    assert data["referenced_tweets"] == [{"type": "replied_to", "id": first}]
    assert data["conversation_id"] == first
    spec_name = sb.call("GET", f"/2/tweets/{reply}", params={"post.fields": "created_at"})
    assert "created_at" in spec_name.json()["data"]
    missing = sb.call("GET", "/2/tweets/1234")
    assert missing.status_code == 200
    assert missing.json()["errors"][0]["type"] == "https://api.x.com/2/problems/resource-not-found"


def test_a_post_with_media_ends_with_its_media_link_in_every_answer(sb: XSandbox) -> None:
    me = sb.call("GET", "/2/users/me").json()["data"]["id"]
    since = (datetime.now(UTC) - timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    image, _ = upload(sb, b"i" * 20, "image/png", "tweet_image")
    text = "Ảnh: phố cổ https://example.vn/pho-co"
    created = post(sb, text=text, media={"media_ids": [image]}).json()["data"]
    shown = created["text"]
    head, link = shown.rsplit(" ", 1)
    assert head.startswith("Ảnh: phố cổ https://t.co/") and link.startswith("https://t.co/")
    assert head.split()[-1] != link  # the media link is a link of its own
    plain = post(sb, text="chữ thôi", reply={"in_reply_to_tweet_id": created["id"]})
    assert plain.json()["data"]["text"] == "chữ thôi"  # no media, no link
    lookup = sb.call("GET", f"/2/tweets/{created['id']}").json()["data"]
    fields = "referenced_tweets,attachments,created_at"
    timeline = sb.call(
        "GET", f"/2/users/{me}/tweets", params={"tweet.fields": fields, "start_time": since}
    ).json()["data"]
    reply, first = timeline
    assert lookup["text"] == first["text"] == shown
    assert first["attachments"] == {"media_keys": [f"3_{image}"]}
    assert "referenced_tweets" not in first and first["created_at"].endswith("Z")
    assert reply["referenced_tweets"] == [{"type": "replied_to", "id": created["id"]}]
    assert "attachments" not in reply
    assert sb.state()["tweets"][0]["text"] == text  # the state keeps what was posted


def test_entities_list_each_tco_link_and_the_media_link_with_its_media_key(sb: XSandbox) -> None:
    image, _ = upload(sb, b"e" * 20, "image/png", "tweet_image")
    text = "Đọc & xem https://example.vn/bai-viet-rat-dai-ve-chi-bo"
    created = post(sb, text=text, media={"media_ids": [image]}).json()["data"]
    read = sb.call("GET", f"/2/tweets/{created['id']}", params={"tweet.fields": "entities"})
    data = read.json()["data"]
    link, media = data["entities"]["urls"]
    shown = data["text"]
    assert shown[link["start"] : link["end"]] == link["url"] and link["url"] in shown
    assert link["expanded_url"] == "https://example.vn/bai-viet-rat-dai-ve-chi-bo"
    assert link["display_url"].startswith("example.vn/bai-viet") and "media_key" not in link
    assert shown[media["start"] : media["end"]] == media["url"] and shown.endswith(media["url"])
    assert media["media_key"] == f"3_{image}" and media["display_url"].startswith("pic.x.com/")
    assert f"/status/{created['id']}/photo/1" in media["expanded_url"]
    plain = post(sb, text="không có liên kết").json()["data"]
    bare = sb.call("GET", f"/2/tweets/{plain['id']}", params={"tweet.fields": "entities"})
    assert "entities" not in bare.json()["data"]


# -- rate limits and faults ------------------------------------------------------------------------


def test_every_answer_carries_rate_limit_headers(sb: XSandbox) -> None:
    answers = [
        sb.call("GET", "/2/users/me"),
        post(sb, text="một"),
        post(sb, text="một"),  # 403 duplicate
        sb.call("GET", "/2/users/me", token=None),  # 401
    ]
    for response in answers:
        assert all(h in response.headers for h in RATE_HEADERS), response.headers
    creates = [int(a.headers["x-rate-limit-remaining"]) for a in answers[1:3]]
    assert creates == [99, 98]
    assert answers[1].headers["x-rate-limit-limit"] == "100"
    reset = int(answers[1].headers["x-rate-limit-reset"])
    assert time.time() < reset <= time.time() + 15 * 60 + 1


def test_rate_limits_are_enforced_only_when_configured(sb: XSandbox) -> None:
    sb.configure(rate_limits={"tweets.create": 2})
    assert all(post(sb, text=f"tự do {n}").status_code == 201 for n in range(3))
    sb.reset()  # a fresh window, then the same limit enforced
    sb.configure(enforce_rate_limits=True, rate_limits={"tweets.create": 2})
    assert [post(sb, text=f"giới hạn {n}").status_code for n in range(3)] == [201, 201, 429]
    limited = post(sb, text="giới hạn 9")
    assert limited.json()["title"] == "Too Many Requests"
    assert limited.headers["x-rate-limit-remaining"] == "0"
    assert sb.call("GET", "/2/users/me").status_code == 200  # another group, another window
    assert len(sb.state()["tweets"]) == 2


def test_scripted_faults_answer_in_xs_shapes(sb: XSandbox) -> None:
    sb.fault("5xx", action="tweets.create")
    unavailable = post(sb, text="lỗi máy chủ")
    assert unavailable.status_code == 503
    assert unavailable.json()["title"] == "Service Unavailable"
    sb.fault("429", action="tweets.create", retry_after=7)
    limited = post(sb, text="chậm lại")
    assert limited.status_code == 429
    assert limited.json()["errors"][0]["code"] == 88
    reset = int(limited.headers["x-rate-limit-reset"])
    assert abs(reset - (time.time() + 7)) <= 2
    sb.fault("expired", action="users.me")
    assert sb.call("GET", "/2/users/me").status_code == 401
    sb.fault("permanent", action="media.initialize")
    refused = sb.call(
        "POST", "/2/media/upload/initialize", json={"media_type": "image/png", "total_bytes": 1}
    )
    assert refused.status_code == 400 and refused.json()["type"] == INVALID
    state = sb.state()
    assert state["tweets"] == [] and state["media"] == []


def test_ambiguous_fault_creates_the_post_and_drops_the_answer(sb: XSandbox) -> None:
    sb.fault("ambiguous", action="tweets.create")
    with pytest.raises(httpx.TransportError):
        post(sb, text="mất câu trả lời")
    assert [t["text"] for t in sb.state()["tweets"]] == ["mất câu trả lời"]


# -- config, state and reset -----------------------------------------------------------------------


def test_configure_refuses_unknown_or_bad_options(sb: XSandbox) -> None:
    for options in ({"colour": 1}, {"check_after_secs": -1}, {"rate_limits": {"dm": 5}}):
        response = sb.http.post("/_sandbox/config", json={"x": options})
        assert response.status_code == 400
    settings = sb.configure(check_after_secs=2)
    assert settings["check_after_secs"] == 2 and settings["enforce_rate_limits"] is False


def test_reset_forgets_posts_and_media(sb: XSandbox) -> None:
    post(sb, text="sẽ quên")
    upload(sb, b"a" * 10, "image/png", "tweet_image")
    state = sb.state()
    assert len(state["tweets"]) == 1 and len(state["media"]) == 1
    sb.http.post("/_sandbox/reset").raise_for_status()
    state = sb.state()
    assert state["tweets"] == [] and state["media"] == []
    assert post(sb, text="sẽ quên").status_code == 201  # no duplicate left behind
