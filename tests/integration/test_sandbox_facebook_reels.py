"""The Graph sandbox's Reels Publishing API over real HTTP: start, the rupload upload with its
headers, finish, the reels edge, and the 30 reels per 24-hour moving period (docs/
platform-facts.md, Facebook)."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

import httpx

from tests.support.facebook_helpers import PAGE_ID, TOKEN, USER_TOKEN, Sandbox
from tests.support.sandbox import sandbox_fixtures

sandbox_server, sandbox = sandbox_fixtures(Sandbox, name="sandbox")
PAGE = {"Authorization": f"Bearer {TOKEN}"}
REELS = f"{PAGE_ID}/video_reels"


def error_of(response: httpx.Response) -> tuple[int, int | None]:
    error = response.json()["error"]
    return int(error["code"]), error.get("error_subcode")


def start(box: Sandbox, headers: dict[str, str] = PAGE) -> httpx.Response:
    return box.http.post(box.api(REELS), headers=headers, data={"upload_phase": "start"})


def upload(box: Sandbox, url: str, body: bytes, **headers: str) -> httpx.Response:
    sent = {"Authorization": f"OAuth {TOKEN}", "offset": "0", "file_size": str(len(body))}
    sent.update(headers)
    return box.http.post(url, headers={k: v for k, v in sent.items() if v}, content=body)


def finish(box: Sandbox, video_id: str, **params: Any) -> httpx.Response:
    data = {"upload_phase": "finish", "video_id": video_id, "video_state": "PUBLISHED", **params}
    return box.http.post(box.api(REELS), headers=PAGE, data=data)


def publish(box: Sandbox, description: str, size: int = 4096) -> httpx.Response:
    started = start(box).json()
    assert upload(box, started["upload_url"], os.urandom(size)).json() == {"success": True}
    return finish(box, started["video_id"], description=description)


def test_a_reel_is_started_uploaded_with_its_headers_and_published(sandbox: Sandbox) -> None:
    started = start(sandbox)
    assert started.status_code == 200, started.text
    video_id, url = started.json()["video_id"], started.json()["upload_url"]
    assert url.endswith(f"/video-upload/v26.0/{video_id}")
    body = os.urandom(10_000)
    # rupload wants offset and file_size as headers; without offset it refuses in its own shape
    refused = upload(sandbox, url, body, offset="")
    assert refused.status_code == 400
    assert refused.json()["debug_info"]["message"] == (
        "HeaderValuePredicate: Header Offset not convertable to unsigned long"
    )
    # finishing before the file is all there is refused; after, the reel stands
    assert error_of(finish(sandbox, video_id)) == (100, None)
    half = upload(sandbox, url, body[:4000], file_size=str(len(body)))
    assert half.json() == {"success": True}
    assert upload(sandbox, url, body[4000:], offset="4000", file_size=str(len(body))).is_success
    done = finish(sandbox, video_id, description="Thước phim 60 giây")
    assert done.json() == {"success": True}
    (reel,) = sandbox.state()["reels"]
    assert (reel["id"], reel["bytes_received"], reel["published"]) == (video_id, len(body), True)
    # the reels edge lists it with created_time in Graph's format; it is not finished twice
    fields = {"fields": "id,description,created_time"}
    (listed,) = sandbox.http.get(sandbox.api(REELS), headers=PAGE, params=fields).json()["data"]
    assert listed["description"] == "Thước phim 60 giây"
    assert datetime.strptime(listed["created_time"], "%Y-%m-%dT%H:%M:%S%z")
    assert error_of(finish(sandbox, video_id)) == (100, 33)  # no open session for it


def test_reels_take_a_page_token_with_the_video_permissions(sandbox: Sandbox) -> None:
    assert error_of(start(sandbox, {"Authorization": f"OAuth {USER_TOKEN}"})) == (190, 2069032)
    sandbox.configure(granted_permissions=["pages_show_list", "pages_manage_posts"])
    assert error_of(start(sandbox)) == (200, None)
    assert sandbox.state()["reel_uploads"] == []


def test_the_31st_reel_in_24_hours_is_refused_until_the_first_is_a_day_old(
    sandbox: Sandbox,
) -> None:
    sandbox.configure(reels_per_24h=3)  # the rule with a smaller number: 30 by default
    assert sandbox.configure()["reels_per_24h"] == 3
    for n in range(3):
        assert publish(sandbox, f"reel {n}").json() == {"success": True}
    over = publish(sandbox, "reel 3")
    assert error_of(over) == (4, None) and over.json()["error"]["is_transient"] is True
    assert len(sandbox.state()["reels"]) == 3
    # A draft is not a published post: the cap does not count it
    started = start(sandbox).json()
    upload(sandbox, started["upload_url"], b"x" * 100)
    assert finish(sandbox, started["video_id"], video_state="DRAFT").is_success
    # A moving period: a day after the first reel there is room again
    sandbox.http.post("/_sandbox/clock", json={"advance": 24 * 3600 + 1})
    assert publish(sandbox, "reel 4").json() == {"success": True}
    bad = sandbox.http.post("/_sandbox/config", json={"facebook": {"reels_per_24h": -1}})
    assert bad.status_code == 400
