"""The Facebook sandbox over real HTTP: auth, fields, duplicates, uploads, faults, usage, state."""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.support.facebook_helpers import APP_ID, PAGE_ID, PAGE_NAME, TOKEN, USER_TOKEN, Sandbox
from tests.support.sandbox import sandbox_fixtures

AUTH = {"Authorization": f"Bearer {TOKEN}"}
# The Resumable Upload API takes the app user's User access token.
USER_AUTH = {"Authorization": f"OAuth {USER_TOKEN}"}

sandbox_server, sandbox = sandbox_fixtures(Sandbox, name="sandbox")


def parse_graph_time(value: str) -> float:
    """Graph's "2026-07-01T08:00:00+0000" as a Unix time."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").timestamp()


def graph_error(response: httpx.Response) -> dict[str, object]:
    error = response.json()["error"]
    assert isinstance(error, dict)
    assert set(error) >= {"message", "type", "code", "is_transient", "fbtrace_id"}
    return error


def post(box: Sandbox, path: str, headers: dict[str, str] = AUTH, **kw: Any) -> httpx.Response:
    return box.http.post(box.api(path), headers=headers, **kw)


def get(box: Sandbox, path: str, headers: dict[str, str] = AUTH, **kw: Any) -> httpx.Response:
    return box.http.get(box.api(path), headers=headers, **kw)


def start_upload(box: Sandbox, length: int) -> str:
    params = {"file_name": "clip.mp4", "file_length": str(length), "file_type": "video/mp4"}
    response = post(box, f"{APP_ID}/uploads", headers=USER_AUTH, params=params)
    assert response.status_code == 200, response.text
    sid = response.json()["id"]
    assert sid.startswith("upload:")
    return str(sid)


def send_chunk(box: Sandbox, sid: str, offset: int, data: bytes) -> httpx.Response:
    headers = {**USER_AUTH, "file_offset": str(offset)}
    return box.http.post(box.api(sid), headers=headers, content=data)


# -- auth and identity -----------------------------------------------------------------------
def test_a_request_without_a_token_is_refused(sandbox: Sandbox) -> None:
    response = post(sandbox, f"{PAGE_ID}/feed", headers={}, data={"message": "xin chào"})
    assert response.status_code == 400
    assert graph_error(response)["code"] == 104
    assert sandbox.state()["posts"] == []


def test_the_token_is_taken_from_the_param_or_either_header(sandbox: Sandbox) -> None:
    as_param = get(sandbox, "me", headers={}, params={"access_token": TOKEN})
    as_oauth = get(sandbox, "me", headers={"Authorization": f"OAuth {TOKEN}"})
    as_bearer = get(sandbox, "me", params={"fields": "id,name"})
    for response in (as_param, as_oauth, as_bearer):
        assert response.status_code == 200
        assert response.json() == {"id": PAGE_ID, "name": PAGE_NAME}


def test_an_unknown_token_gets_code_190_when_tokens_are_configured(sandbox: Sandbox) -> None:
    sandbox.configure(tokens=["another-token"])
    response = get(sandbox, "me")
    assert response.status_code == 400
    assert graph_error(response)["code"] == 190
    assert "WWW-Authenticate" in response.headers
    assert TOKEN not in response.text


def test_an_unknown_page_is_graph_error_100_subcode_33(sandbox: Sandbox) -> None:
    response = post(sandbox, "123/feed", data={"message": "xin chào"})
    error = graph_error(response)
    assert (response.status_code, error["code"], error["error_subcode"]) == (400, 100, 33)


# -- feed, duplicates, photos, reads ---------------------------------------------------------
def test_a_feed_post_needs_a_message_link_or_media(sandbox: Sandbox) -> None:
    response = post(sandbox, f"{PAGE_ID}/feed", data={"published": "true"})
    assert graph_error(response)["code"] == 100


def test_a_feed_post_is_created_and_the_same_text_and_link_is_a_duplicate(
    sandbox: Sandbox,
) -> None:
    fields = {"message": "Bài viết mới: Hà Nội mùa thu", "link": "https://example.vn/a"}
    first = post(sandbox, f"{PAGE_ID}/feed", data=fields)
    assert first.status_code == 200
    post_id = first.json()["id"]
    assert post_id.startswith(f"{PAGE_ID}_")
    again = post(sandbox, f"{PAGE_ID}/feed", data=fields)
    assert again.status_code == 400
    assert graph_error(again)["code"] == 506
    other_link = post(sandbox, f"{PAGE_ID}/feed", data={**fields, "link": "https://example.vn/b"})
    assert other_link.status_code == 200
    posts = sandbox.state()["posts"]
    assert [p["id"] for p in posts] == [post_id, other_link.json()["id"]]
    assert posts[0]["message"] == fields["message"]
    assert posts[0]["kind"] == "link"


def test_an_unpublished_photo_is_attached_once_to_a_feed_post(sandbox: Sandbox) -> None:
    image = os.urandom(3000)
    files = {"source": ("anh.jpg", image, "image/jpeg")}
    photo = post(sandbox, f"{PAGE_ID}/photos", data={"published": "false"}, files=files)
    assert photo.status_code == 200
    assert set(photo.json()) == {"id"}  # unpublished: no post yet
    media = json.dumps([{"media_fbid": photo.json()["id"]}])
    fields = {"message": "Ảnh mới", "link": "https://example.vn/c", "attached_media": media}
    created = post(sandbox, f"{PAGE_ID}/feed", data=fields)
    assert created.status_code == 200, created.text
    reused = post(sandbox, f"{PAGE_ID}/feed", data={**fields, "message": "lại"})
    assert graph_error(reused)["code"] == 100
    state = sandbox.state()
    assert state["photos"][0]["sha256"] == hashlib.sha256(image).hexdigest()
    assert state["photos"][0]["attached_to"] == created.json()["id"]
    assert state["posts"][0]["attached_media"] == [photo.json()["id"]]


def test_a_published_photo_by_url_makes_a_photo_post(sandbox: Sandbox) -> None:
    fields = {"url": "https://example.vn/anh.jpg", "caption": "Chú thích"}
    response = post(sandbox, f"{PAGE_ID}/photos", data=fields)
    assert set(response.json()) == {"id", "post_id"}
    assert sandbox.state()["posts"][0]["kind"] == "photo"
    missing = post(sandbox, f"{PAGE_ID}/photos", data={"caption": "không có ảnh"})
    assert graph_error(missing)["code"] == 324


def test_scheduled_posts_need_a_time_in_the_window_and_stay_off_the_feed(
    sandbox: Sandbox,
) -> None:
    soon = {"message": "Sắp đăng", "published": "false", "scheduled_publish_time": "1"}
    assert graph_error(post(sandbox, f"{PAGE_ID}/feed", data=soon))["code"] == 100
    later = {**soon, "scheduled_publish_time": str(int(time.time()) + 3600)}
    assert post(sandbox, f"{PAGE_ID}/feed", data=later).status_code == 200
    assert get(sandbox, f"{PAGE_ID}/feed").json()["data"] == []


def test_the_feed_reads_newest_first_with_fields_since_and_cursors(sandbox: Sandbox) -> None:
    ids = [
        post(sandbox, f"{PAGE_ID}/feed", data={"message": f"tin {i}"}).json()["id"]
        for i in range(3)
    ]
    params = {"fields": "id,message,created_time,permalink_url", "limit": "2"}
    first = get(sandbox, f"{PAGE_ID}/feed", params=params).json()
    assert [p["id"] for p in first["data"]] == [ids[2], ids[1]]
    assert set(first["data"][0]) == {"id", "message", "created_time", "permalink_url"}
    assert "next" in first["paging"]
    after = first["paging"]["cursors"]["after"]
    rest = get(sandbox, f"{PAGE_ID}/feed", params={**params, "after": after}).json()
    assert [p["id"] for p in rest["data"]] == [ids[0]]
    future = get(sandbox, f"{PAGE_ID}/feed", params={"since": str(int(time.time()) + 60)})
    assert future.json()["data"] == []
    one = get(sandbox, ids[0], params={"fields": "permalink_url"}).json()
    assert one["permalink_url"].startswith("https://www.facebook.com/")
    assert graph_error(get(sandbox, "424242", params={"fields": "id"}))["code"] == 100


def test_an_edge_ignoring_since_gives_older_objects_too(sandbox: Sandbox) -> None:
    # Graph pages by time only on edges that support it: the knob makes an edge ignore `since`
    ids = [
        post(sandbox, f"{PAGE_ID}/feed", data={"message": f"tin {i}"}).json()["id"]
        for i in range(2)
    ]
    future = {"since": str(int(time.time()) + 60), "fields": "id,created_time"}
    assert get(sandbox, f"{PAGE_ID}/feed", params=future).json()["data"] == []
    sandbox.configure(edges_ignoring_since=["feed"])
    older = get(sandbox, f"{PAGE_ID}/feed", params=future).json()["data"]
    assert [p["id"] for p in older] == ids[::-1]
    assert all(int(time.time()) + 60 > parse_graph_time(p["created_time"]) for p in older)
    bad = sandbox.http.post("/_sandbox/config", json={"facebook": {"edges_ignoring_since": ["x"]}})
    assert bad.status_code == 400


# -- resumable upload and videos -------------------------------------------------------------
def test_upload_start_checks_the_app_and_the_fields(sandbox: Sandbox) -> None:
    params = {"file_name": "a.mp4", "file_length": "10", "file_type": "video/mp4"}

    def start(app: str, values: dict[str, str]) -> httpx.Response:
        return post(sandbox, f"{app}/uploads", headers=USER_AUTH, params=values)

    assert graph_error(start("111", params))["code"] == 100
    for name in params:
        partial = {k: v for k, v in params.items() if k != name}
        assert graph_error(start(APP_ID, partial))["code"] == 100
    wrong_type = {**params, "file_type": "video/x-matroska"}
    assert graph_error(start(APP_ID, wrong_type))["code"] == 100


def test_upload_offsets_must_continue_exactly_and_can_be_queried(sandbox: Sandbox) -> None:
    data = os.urandom(10_000)
    sid = start_upload(sandbox, len(data))
    first = send_chunk(sandbox, sid, 0, data[:4000])
    assert first.json() == {"id": sid, "file_offset": 4000}
    gap = send_chunk(sandbox, sid, 5000, data[5000:])
    assert gap.status_code == 400 and graph_error(gap)["code"] == 100
    overlap = send_chunk(sandbox, sid, 0, data[:4000])
    assert overlap.status_code == 400
    too_long = send_chunk(sandbox, sid, 4000, data[4000:] + b"extra")
    assert too_long.status_code == 400
    status = get(sandbox, sid, headers=USER_AUTH)
    assert status.json() == {"id": sid, "file_offset": 4000}
    last = send_chunk(sandbox, sid, 4000, data[4000:])
    handle = last.json()["h"]
    assert send_chunk(sandbox, sid, len(data), b"").json() == {"h": handle}  # asked again
    assert send_chunk(sandbox, sid, 0, b"x").status_code == 400  # complete: no more bytes
    video = post(
        sandbox,
        f"{PAGE_ID}/videos",
        data={"title": "Phóng sự", "description": "Mô tả", "fbuploader_video_file_chunk": handle},
    )
    assert video.status_code == 200, video.text
    state = sandbox.state()
    (made,) = state["videos"]
    assert made["id"] == video.json()["id"]
    assert made["bytes_received"] == len(data)
    assert made["sha256"] == hashlib.sha256(data).hexdigest()
    assert state["uploads"][0]["complete"] is True
    listed = get(sandbox, f"{PAGE_ID}/videos", params={"fields": "id,title,permalink_url"})
    assert listed.json()["data"][0]["title"] == "Phóng sự"


def test_a_video_needs_a_completed_upload_handle(sandbox: Sandbox) -> None:
    no_file = post(sandbox, f"{PAGE_ID}/videos", data={"title": "x"})
    assert graph_error(no_file)["code"] == 100
    sid = start_upload(sandbox, 100)
    send_chunk(sandbox, sid, 0, b"x" * 50)
    bogus = post(sandbox, f"{PAGE_ID}/videos", data={"fbuploader_video_file_chunk": "4:bm9wZQ=="})
    assert graph_error(bogus)["code"] == 100
    assert sandbox.state()["videos"] == []


# -- faults and usage headers ----------------------------------------------------------------
def test_every_answer_carries_usage_headers(sandbox: Sandbox) -> None:
    for response in (get(sandbox, "me"), post(sandbox, "1/feed", data={"message": "x"})):
        app = json.loads(response.headers["X-App-Usage"])
        buc = json.loads(response.headers["X-Business-Use-Case-Usage"])
        assert set(app) == {"call_count", "total_time", "total_cputime"}
        (entry,) = buc[PAGE_ID]
        assert entry["type"] == "pages"
        assert entry["estimated_time_to_regain_access"] == 0


def test_usage_grows_with_calls(sandbox: Sandbox) -> None:
    sandbox.configure(usage_call_budget=10)
    counts = [json.loads(get(sandbox, "me").headers["X-App-Usage"])["call_count"] for _ in range(4)]
    assert counts == sorted(counts) and counts[-1] > counts[0]


@pytest.mark.parametrize(("code", "status"), [(80001, 400), (32, 400), (4, 403)])
def test_a_429_fault_is_a_graph_rate_limit_with_time_to_regain_access(
    sandbox: Sandbox, code: int, status: int
) -> None:
    sandbox.configure(rate_limit_code=code, rate_limit_status=status)
    sandbox.fault("429", action="create_post", retry_after=300)
    response = post(sandbox, f"{PAGE_ID}/feed", data={"message": "bị chặn"})
    assert (response.status_code, graph_error(response)["code"]) == (status, code)
    buc = json.loads(response.headers["X-Business-Use-Case-Usage"])
    assert buc[PAGE_ID][0]["estimated_time_to_regain_access"] == 5
    assert sandbox.state()["posts"] == []


@pytest.mark.parametrize(
    ("fault", "status", "code", "transient"),
    [("5xx", 500, 2, True), ("expired", 400, 190, False), ("permanent", 400, 100, False)],
)
def test_faults_answer_in_graph_shape_and_apply_nothing(
    sandbox: Sandbox, fault: str, status: int, code: int, transient: bool
) -> None:
    sandbox.fault(fault, action="create_post")
    response = post(sandbox, f"{PAGE_ID}/feed", data={"message": "lỗi"})
    error = graph_error(response)
    assert (response.status_code, error["code"], error["is_transient"]) == (
        status,
        code,
        transient,
    )
    if fault == "expired":
        assert error["error_subcode"] == 463
    assert sandbox.state()["posts"] == []


def test_an_ambiguous_fault_applies_the_post_and_drops_the_answer(sandbox: Sandbox) -> None:
    sandbox.fault("ambiguous", action="create_post")
    with pytest.raises(httpx.RemoteProtocolError):
        post(sandbox, f"{PAGE_ID}/feed", data={"message": "có thể đã đăng"})
    assert [p["message"] for p in sandbox.state()["posts"]] == ["có thể đã đăng"]


def test_bad_sandbox_config_is_refused(sandbox: Sandbox) -> None:
    for bad in ({"nope": 1}, {"rate_limit_code": 99}, {"rate_limit_status": 429}):
        response = sandbox.http.post("/_sandbox/config", json={"facebook": bad})
        assert response.status_code == 400


# -- state and reset -------------------------------------------------------------------------
def test_state_lists_everything_and_reset_clears_it(sandbox: Sandbox) -> None:
    post(sandbox, f"{PAGE_ID}/feed", data={"message": "một"})
    post(sandbox, f"{PAGE_ID}/photos", data={"url": "https://example.vn/x.jpg"})
    start_upload(sandbox, 5)
    state = sandbox.state()
    assert len(state["posts"]) == 2 and len(state["photos"]) == 1 and len(state["uploads"]) == 1
    assert {"id", "message", "link", "created_time", "attached_media", "kind"} <= set(
        state["posts"][0]
    )
    sandbox.http.post("/_sandbox/reset").raise_for_status()
    assert {k: sandbox.state()[k] for k in ("posts", "photos", "videos", "uploads")} == {
        "posts": [],
        "photos": [],
        "videos": [],
        "uploads": [],
    }
