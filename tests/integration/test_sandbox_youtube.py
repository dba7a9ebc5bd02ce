"""The sandbox's YouTube over raw HTTP: OAuth, the resumable protocol, checks, quota, faults."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crosspost.sandbox.youtube import tags_length
from tests.support.sandbox import sandbox_fixtures
from tests.support.youtube_helpers import CHUNK, SECRETS, Reply, Sandbox

UPLOAD = "/upload/youtube/v3/videos"


sandbox_server, sb = sandbox_fixtures(Sandbox)


@pytest.fixture
def token(sb: Sandbox) -> str:
    return sb.token()


def metadata(**status: Any) -> dict[str, Any]:
    snippet = {"title": "Phở bò", "description": "Mô tả", "tags": ["phở"], "categoryId": "22"}
    return {"snippet": snippet, "status": {"privacyStatus": "public", **status}}


def start(sb: Sandbox, token: str, total: int, body: Any = None) -> Reply:
    return sb.call(
        "POST",
        UPLOAD,
        json.dumps(metadata() if body is None else body).encode(),
        {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "X-Upload-Content-Length": str(total),
            "X-Upload-Content-Type": "video/mp4",
        },
        uploadType="resumable",
        part="snippet,status",
    )


def put(sb: Sandbox, session: str, token: str, data: bytes, content_range: str) -> Reply:
    headers = {"Authorization": f"Bearer {token}", "Content-Range": content_range}
    return sb.call("PUT", session, data, headers)


def chunk_range(data: bytes, first: int, size: int) -> tuple[bytes, str]:
    part = data[first : first + size]
    return part, f"bytes {first}-{first + len(part) - 1}/{len(data)}"


# -- OAuth -----------------------------------------------------------------------------------


def test_token_refresh_issues_a_bearer_token_that_api_calls_need(sb: Sandbox) -> None:
    assert sb.get("/youtube/v3/channels", mine="true", part="snippet").status == 401
    reply = sb.call(
        "POST",
        "/token",
        ("grant_type=refresh_token&client_id=a&client_secret=b&refresh_token=" + "c").encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    body = reply.json()
    assert reply.status == 200
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    channels = sb.get(
        "/youtube/v3/channels", body["access_token"], mine="true", part="snippet,contentDetails"
    )
    assert channels.status == 200
    channel = channels.json()["items"][0]
    assert channel["snippet"]["title"] == "Kênh Sandbox"
    assert channel["contentDetails"]["relatedPlaylists"]["uploads"].startswith("UU")


def test_unknown_token_gets_googles_401_shape(sb: Sandbox) -> None:
    reply = sb.get("/youtube/v3/videos", "ya29.made-up", id="x", part="snippet")
    error = reply.json()["error"]
    assert reply.status == 401
    assert error["code"] == 401 and error["status"] == "UNAUTHENTICATED"
    assert error["errors"][0]["reason"] == "authError"
    assert "Bearer" in (reply.headers["WWW-Authenticate"] or "")


def test_token_endpoint_refuses_bad_grants(sb: Sandbox) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    missing = sb.call("POST", "/token", b"grant_type=refresh_token&client_id=a", form)
    assert (missing.status, missing.json()["error"]) == (400, "invalid_request")
    other = sb.call("POST", "/token", b"grant_type=password&client_id=a", form)
    assert other.json()["error"] == "unsupported_grant_type"
    sb.configure(revoke_refresh_tokens=[SECRETS["refresh_token"]])
    with pytest.raises(AssertionError, match="invalid_grant"):
        sb.token()
    assert sb.token("another-refresh-token")
    sb.configure(client_secret="the-real-secret")
    with pytest.raises(AssertionError, match="invalid_client"):
        sb.token("another-refresh-token")


def test_expired_fault_on_token_answers_invalid_grant(sb: Sandbox) -> None:
    sb.fault("expired", "token")
    with pytest.raises(AssertionError, match="invalid_grant"):
        sb.token()
    assert sb.token()  # a fault answers one request; revocation is `revoke_refresh_tokens`


def test_access_tokens_expire_after_their_ttl(sb: Sandbox) -> None:
    sb.configure(access_token_ttl=0)
    stale = sb.token()
    assert sb.get("/youtube/v3/channels", stale, mine="true", part="id").status == 401


def test_expired_fault_revokes_the_presented_access_token(sb: Sandbox, token: str) -> None:
    sb.fault("expired", "channels.list")
    assert sb.get("/youtube/v3/channels", token, mine="true", part="id").status == 401
    assert sb.get("/youtube/v3/channels", token, mine="true", part="id").status == 401
    fresh = sb.token()
    assert sb.get("/youtube/v3/channels", fresh, mine="true", part="id").status == 200


# -- the resumable protocol ------------------------------------------------------------------


def test_resumable_upload_reports_range_and_finishes_with_the_video(
    sb: Sandbox, token: str
) -> None:
    data = os.urandom(2 * CHUNK + 1234)
    started = start(sb, token, len(data))
    assert started.status == 200
    session = started.headers["Location"]
    assert session.startswith(sb.url + UPLOAD) and "upload_id=" in session
    assert sb.state()["uploads_in_progress"] == 1

    query = put(sb, session, token, b"", f"bytes */{len(data)}")
    assert query.status == 308 and query.headers["Range"] is None  # nothing held yet
    first = put(sb, session, token, *chunk_range(data, 0, CHUNK))
    assert (first.status, first.headers["Range"]) == (308, f"bytes=0-{CHUNK - 1}")
    query = put(sb, session, token, b"", f"bytes */{len(data)}")
    assert (query.status, query.headers["Range"]) == (308, f"bytes=0-{CHUNK - 1}")
    second = put(sb, session, token, *chunk_range(data, CHUNK, CHUNK))
    assert second.headers["Range"] == f"bytes=0-{2 * CHUNK - 1}"
    last = put(sb, session, token, *chunk_range(data, 2 * CHUNK, CHUNK))
    video = last.json()
    assert last.status == 200
    assert video["kind"] == "youtube#video" and len(video["id"]) == 11
    assert video["snippet"]["title"] == "Phở bò"
    assert video["status"]["privacyStatus"] == "public"

    state = sb.state()
    (stored,) = state["videos"]
    assert stored["bytes_received"] == len(data)
    assert stored["sha256"] == hashlib.sha256(data).hexdigest()
    assert stored["upload"] == {"bytes_transferred": len(data), "chunks": 3, "status_queries": 2}
    assert state["uploads_in_progress"] == 0
    uploads = next(p for p in state["playlists"] if p.startswith("UU"))
    assert state["playlists"][uploads]["video_ids"] == [video["id"]]
    # A finished session answers any further PUT with the video (a resent last chunk too).
    again = put(sb, session, token, b"", f"bytes */{len(data)}")
    assert (again.status, again.json()["id"]) == (200, video["id"])


def test_chunks_must_continue_where_the_server_is(sb: Sandbox, token: str) -> None:
    data = os.urandom(3 * CHUNK)
    session = start(sb, token, len(data)).headers["Location"]
    put(sb, session, token, *chunk_range(data, 0, CHUNK))

    gap = put(sb, session, token, *chunk_range(data, 2 * CHUNK, CHUNK))
    assert (gap.status, gap.reason()) == (400, "badRequest")
    status = put(sb, session, token, b"", f"bytes */{len(data)}")
    assert status.headers["Range"] == f"bytes=0-{CHUNK - 1}"  # the gap stored nothing

    short = put(sb, session, token, data[CHUNK : CHUNK + 10], f"bytes {CHUNK}-{2 * CHUNK - 1}/*")
    assert short.status == 400  # Content-Length does not match Content-Range
    wrong_total = put(sb, session, token, *chunk_range(data[: 2 * CHUNK], CHUNK, CHUNK))
    assert wrong_total.status == 400

    # A resent chunk overlapping what the server holds adds only the new bytes.
    overlap = put(sb, session, token, *chunk_range(data, CHUNK // 2, CHUNK))
    assert overlap.headers["Range"] == f"bytes=0-{CHUNK + CHUNK // 2 - 1}"
    rest = put(sb, session, token, *chunk_range(data, CHUNK + CHUNK // 2, 2 * CHUNK))
    assert rest.status == 200
    (video,) = sb.state()["videos"]
    assert video["sha256"] == hashlib.sha256(data).hexdigest()


def test_upload_session_must_exist_and_be_resumable(sb: Sandbox, token: str) -> None:
    missing = put(sb, f"{UPLOAD}?upload_id=nope", token, b"", "bytes */10")
    assert (missing.status, missing.reason()) == (404, "notFound")
    multipart = sb.post_json(UPLOAD, metadata(), token, uploadType="multipart", part="snippet")
    assert multipart.status == 400
    empty = start(sb, token, 0)
    assert (empty.status, empty.reason()) == (400, "mediaBodyRequired")


# -- metadata checks -------------------------------------------------------------------------

FUTURE = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
PAST = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_snippet(**snippet: Any) -> dict[str, Any]:
    body = metadata()
    body["snippet"].update(snippet)
    return body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"status": {"privacyStatus": "public"}}, "invalidVideoMetadata"),
        (with_snippet(title="  "), "invalidTitle"),
        (with_snippet(title="ệ" * 101), "invalidTitle"),
        (with_snippet(title="Phở <ngon>"), "invalidTitle"),
        (with_snippet(description="ệ" * 1667), "invalidDescription"),  # 5001 bytes
        (with_snippet(description="a > b"), "invalidDescription"),
        (with_snippet(tags=["x" * 250, "y" * 250]), "invalidTags"),  # 501 with the comma
        (with_snippet(categoryId="999"), "invalidCategoryId"),
        (metadata(privacyStatus="secret"), "invalidVideoMetadata"),
        (metadata(publishAt=FUTURE), "invalidPublishAt"),  # public + publishAt
        (metadata(privacyStatus="private", publishAt=PAST), "invalidPublishAt"),
        (metadata(privacyStatus="private", publishAt="tomorrow"), "invalidPublishAt"),
    ],
)
def test_metadata_is_checked_like_youtube(
    sb: Sandbox, token: str, body: dict[str, Any], reason: str
) -> None:
    reply = start(sb, token, 100, body)
    error = reply.json()["error"]
    assert reply.status == 400
    assert error["errors"][0] == {
        "domain": "youtube.video",
        "reason": reason,
        "message": error["message"],
    }
    assert sb.state()["uploads_in_progress"] == 0


def test_metadata_at_the_limits_is_accepted(sb: Sandbox, token: str) -> None:
    tags = ["phở bò", "x" * 489]  # 6 + 2 quotes + 1 comma + 489 = 498
    assert tags_length(tags) == 498
    body = with_snippet(title="ệ" * 100, description="ệ" * 1666 + "aa", tags=tags)
    body["status"] = {"privacyStatus": "private", "publishAt": FUTURE}
    assert start(sb, token, 100, body).status == 200


# -- quota -----------------------------------------------------------------------------------


def test_upload_bucket_is_separate_from_units(sb: Sandbox, token: str) -> None:
    sb.configure(uploads_per_day=1, units_per_day=2)
    assert start(sb, token, 10).status == 200
    refused = start(sb, token, 10)
    error = refused.json()["error"]
    assert (refused.status, error["errors"][0]["domain"]) == (403, "youtube.quota")
    assert error["errors"][0]["reason"] == "quotaExceeded"
    for _ in range(2):
        assert sb.get("/youtube/v3/videos", token, id="x", part="id").status == 200
    assert sb.get("/youtube/v3/videos", token, id="x", part="id").reason() == "quotaExceeded"
    quota = sb.state()["quota"]
    assert (quota["uploads_used"], quota["units_used"]) == (1, 2)
    pacific_today = datetime.now(ZoneInfo("America/Los_Angeles")).date().isoformat()
    assert quota["day"] == pacific_today


def test_channel_upload_limit(sb: Sandbox, token: str) -> None:
    sb.configure(channel_upload_limit=0)
    assert start(sb, token, 10).reason() == "uploadLimitExceeded"


def test_writes_cost_fifty_units(sb: Sandbox, token: str) -> None:
    video_id = upload(sb, token, b"v" * 100)
    sb.configure(units_per_day=60)
    thumb = sb.call(
        "POST",
        "/upload/youtube/v3/thumbnails/set",
        b"\xff\xd8jpeg",
        {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
        videoId=video_id,
        uploadType="media",
    )
    assert thumb.status == 200
    item = {"snippet": {"playlistId": "PLx", "resourceId": {"videoId": video_id}}}
    refused = sb.post_json("/youtube/v3/playlistItems", item, token, part="snippet")
    assert (refused.status, refused.reason()) == (403, "quotaExceeded")
    assert sb.state()["quota"]["units_used"] == 50


# -- thumbnails, playlists, reads ------------------------------------------------------------


def upload(sb: Sandbox, token: str, data: bytes, body: Any = None) -> str:
    session = start(sb, token, len(data), body).headers["Location"]
    reply = put(sb, session, token, data, f"bytes 0-{len(data) - 1}/{len(data)}")
    assert reply.status == 200, reply.body
    return str(reply.json()["id"])


def test_thumbnail_is_a_media_upload_checked_for_type_and_size(sb: Sandbox, token: str) -> None:
    video_id = upload(sb, token, b"v" * 100)
    auth = {"Authorization": f"Bearer {token}"}
    path = "/upload/youtube/v3/thumbnails/set"
    image = os.urandom(3000)
    ok = sb.call("POST", path, image, {**auth, "Content-Type": "image/png"}, videoId=video_id)
    assert ok.json()["kind"] == "youtube#thumbnailSetResponse"
    (video,) = sb.state()["videos"]
    assert video["thumbnail_bytes"] == 3000
    assert video["thumbnail_sha256"] == hashlib.sha256(image).hexdigest()
    gif = sb.call("POST", path, image, {**auth, "Content-Type": "image/gif"}, videoId=video_id)
    assert gif.reason() == "invalidImage"
    unknown = sb.call("POST", path, image, {**auth, "Content-Type": "image/png"}, videoId="nope")
    assert (unknown.status, unknown.reason()) == (404, "videoNotFound")
    sb.configure(max_thumbnail_bytes=100)
    big = sb.call("POST", path, image, {**auth, "Content-Type": "image/png"}, videoId=video_id)
    assert big.reason() == "invalidImage"


def test_playlist_items_insert_and_list_with_pages(sb: Sandbox, token: str) -> None:
    sb.configure(playlists={"PLvideos": "Videos"})
    ids = [upload(sb, token, bytes([n]) * 10) for n in range(3)]
    item = {"snippet": {"playlistId": "PLvideos", "resourceId": {"videoId": ids[0]}}}
    added = sb.post_json("/youtube/v3/playlistItems", item, token, part="snippet")
    assert added.json()["snippet"]["resourceId"]["videoId"] == ids[0]
    unknown = {"snippet": {"playlistId": "PLnope", "resourceId": {"videoId": ids[0]}}}
    assert sb.post_json("/youtube/v3/playlistItems", unknown, token, part="snippet").status == 404
    uploads_id = sb.state()["channel"]["id"].replace("UC", "UU", 1)
    into_uploads = {"snippet": {"playlistId": uploads_id, "resourceId": {"videoId": ids[0]}}}
    assert (
        sb.post_json("/youtube/v3/playlistItems", into_uploads, token, part="snippet").status == 403
    )

    seen, page_token = [], None
    while True:
        query = {"playlistId": uploads_id, "part": "snippet", "maxResults": 2}
        page = sb.get(
            "/youtube/v3/playlistItems",
            token,
            **query,
            **({"pageToken": page_token} if page_token else {}),
        ).json()
        seen += [i["snippet"]["resourceId"]["videoId"] for i in page["items"]]
        page_token = page.get("nextPageToken")
        if not page_token:
            break
    assert seen == ids[::-1]  # the uploads playlist lists the newest first
    assert sb.state()["videos"][0]["playlist_ids"] == [uploads_id, "PLvideos"]


def test_videos_list_returns_known_ids_with_requested_parts(sb: Sandbox, token: str) -> None:
    video_id = upload(sb, token, b"v" * 10)
    reply = sb.get("/youtube/v3/videos", token, id=f"{video_id},unknown", part="status").json()
    (item,) = reply["items"]
    assert item["id"] == video_id and "snippet" not in item
    assert item["status"]["privacyStatus"] == "public"
    assert sb.get("/youtube/v3/videos", token, part="id").status == 400


# -- faults ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        ("5xx", 503, "backendError"),
        ("429", 429, "rateLimitExceeded"),
        ("permanent", 400, "invalidVideoMetadata"),
    ],
)
def test_faults_answer_in_googles_shape_and_apply_nothing(
    sb: Sandbox, token: str, kind: str, status: int, reason: str
) -> None:
    sb.fault(kind, "videos.insert")
    reply = start(sb, token, 10)
    assert (reply.status, reply.reason()) == (status, reason)
    if kind == "429":
        assert reply.headers["Retry-After"] == "2"
    assert sb.state()["uploads_in_progress"] == 0


def test_a_faulted_chunk_is_counted_but_not_stored(sb: Sandbox, token: str) -> None:
    data = os.urandom(2 * CHUNK)
    session = start(sb, token, len(data)).headers["Location"]
    sb.fault("5xx", "videos.upload")
    assert put(sb, session, token, *chunk_range(data, 0, CHUNK)).status == 503
    assert put(sb, session, token, b"", f"bytes */{len(data)}").headers["Range"] is None
    put(sb, session, token, *chunk_range(data, 0, CHUNK))
    put(sb, session, token, *chunk_range(data, CHUNK, CHUNK))
    (video,) = sb.state()["videos"]
    assert video["bytes_received"] == len(data)
    assert video["upload"]["bytes_transferred"] == len(data) + CHUNK


def test_ambiguous_last_chunk_creates_the_video_and_drops_the_answer(
    sb: Sandbox, token: str
) -> None:
    data = os.urandom(1000)
    session = start(sb, token, len(data)).headers["Location"]
    sb.fault("ambiguous", "videos.upload")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        put(sb, session, token, data, f"bytes 0-999/{len(data)}")
    (video,) = sb.state()["videos"]
    answer = put(sb, session, token, b"", f"bytes */{len(data)}")
    assert (answer.status, answer.json()["id"]) == (200, video["id"])


# -- state and configuration -----------------------------------------------------------------


def test_reset_forgets_everything_created_but_keeps_configuration(sb: Sandbox, token: str) -> None:
    sb.configure(playlists={"PLkeep": "Keep"}, units_per_day=500)
    upload(sb, token, b"v" * 10)
    start(sb, token, 10)
    assert sb.state()["uploads_in_progress"] == 1
    sb.http.post("/_sandbox/reset").raise_for_status()
    state = sb.state()
    assert state["videos"] == [] and state["uploads_in_progress"] == 0
    assert state["playlists"]["PLkeep"]["video_ids"] == []
    assert state["quota"]["units_per_day"] == 500 and state["quota"]["uploads_used"] == 0
    assert sb.get("/youtube/v3/channels", token, mine="true", part="id").status == 401


def test_unknown_configuration_key_is_refused(sb: Sandbox) -> None:
    reply = sb.post_json("/_sandbox/config", {"youtube": {"quota": 5}})
    assert reply.status == 400
    assert "uploads_per_day" in reply.json()["error"]


# -- listings: the uploads playlist and search (sandbox/youtube/listing.py, search.py) --------


def uploads_listed(sb: Sandbox, token: str) -> list[str]:
    uploads_id = sb.state()["channel"]["id"].replace("UC", "UU", 1)
    page = sb.get(
        "/youtube/v3/playlistItems", token, playlistId=uploads_id, part="snippet", maxResults=50
    ).json()
    return [i["snippet"]["resourceId"]["videoId"] for i in page["items"]]


def test_the_uploads_playlist_shows_an_upload_only_after_its_delay(sb: Sandbox, token: str) -> None:
    sb.configure(uploads_listing_delay_seconds=3600)
    video_id = upload(sb, token, b"v" * 10)
    assert uploads_listed(sb, token) == []  # uploaded, yet not in the playlist
    assert [v["id"] for v in sb.state()["videos"]] == [video_id]
    sb.configure(uploads_listing_delay_seconds=0)
    assert uploads_listed(sb, token) == [video_id]


def test_the_uploads_playlist_may_list_out_of_order(sb: Sandbox, token: str) -> None:
    ids = [upload(sb, token, bytes([n]) * 10) for n in range(6)]
    assert uploads_listed(sb, token) == ids[::-1]  # newest first by default
    sb.configure(uploads_order="shuffled")
    shuffled = uploads_listed(sb, token)
    assert sorted(shuffled) == sorted(ids) and shuffled != ids[::-1]
    assert shuffled[0] != ids[-1]  # the newest upload is not the first item
    assert uploads_listed(sb, token) == shuffled  # the same order every time
    refused = sb.http.post("/_sandbox/config", json={"youtube": {"uploads_order": "by_title"}})
    assert refused.status_code == 400 and "uploads_order" in refused.text


def test_search_for_mine_needs_type_video_costs_100_and_filters_by_time(
    sb: Sandbox, token: str
) -> None:
    video_id = upload(sb, token, b"v" * 10)
    wrong = sb.get("/youtube/v3/search", token, part="id", forMine="true")
    assert (wrong.status, wrong.reason()) == (400, "invalidSearchFilter")
    used = sb.state()["quota"]["units_used"]
    query = {"part": "id", "forMine": "true", "type": "video", "order": "date"}
    found = sb.get("/youtube/v3/search", token, **query).json()
    assert found["kind"] == "youtube#searchListResponse"
    assert [i["id"] for i in found["items"]] == [{"kind": "youtube#video", "videoId": video_id}]
    assert sb.state()["quota"]["units_used"] == used + 100
    later = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sb.get("/youtube/v3/search", token, **query, publishedAfter=later).json()["items"] == []
    sb.configure(search_delay_seconds=3600)
    assert sb.get("/youtube/v3/search", token, **query).json()["items"] == []


def test_the_thumbnail_limit_is_the_discovery_documents_max_size(sb: Sandbox, token: str) -> None:
    from crosspost.adapters.youtube.transport import discovery_document

    media = json.loads(discovery_document("http://127.0.0.1:1/"))["resources"]["thumbnails"]
    max_size = int(media["methods"]["set"]["mediaUpload"]["maxSize"])
    assert sb.configure()["max_thumbnail_bytes"] == max_size == 50 * 1024 * 1024
    video_id = upload(sb, token, b"v" * 100)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "image/png"}
    path = "/upload/youtube/v3/thumbnails/set"
    over_old_cap = os.urandom(2 * 1024 * 1024 + 1)  # refused under the former 2 MiB
    assert sb.call("POST", path, over_old_cap, auth, videoId=video_id).status == 200
    sb.configure(max_thumbnail_bytes=2 * 1024 * 1024)
    refused = sb.call("POST", path, over_old_cap, auth, videoId=video_id)
    assert (refused.status, refused.reason()) == (400, "invalidImage")
