"""The adapter contract's table: one row per adapter (X, YouTube, Facebook over HTTP to the
sandbox; the in-memory twin), each a `Row` of data the cases in
tests/integration/test_adapter_contract.py read. See tests/support/contract.py for the fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from crosspost.adapters.base import Adapter, ContentKind, Draft, MediaRole, Platform, Secret
from crosspost.adapters.facebook import FacebookAdapter
from crosspost.adapters.x import XAdapter
from crosspost.adapters.youtube import YouTubeAdapter
from tests.support import facebook_helpers as fb
from tests.support import x_helpers as xh
from tests.support import youtube_helpers as yt
from tests.support.contract import Call, Expect, RateLimit, Refusal, Row, State
from tests.support.memory_adapter import MemoryX
from tests.support.sandbox import account_config, media_file

TEXT = "Hà Nội vào thu: những con phố vàng lá"
# X changes what it shows (t.co links, &amp; &lt; &gt;): find_existing must see through it.
X_TEXT = "Đọc & nghe: <bản tin> https://example.vn/bai-viet?utm_source=x"
YOUTUBE_TITLE = "Hướng dẫn nấu phở bò Hà Nội"
TWIN_TOKEN = "twin-token-do-not-leak-0001"


# -- X ------------------------------------------------------------------------------------------
def _x(url: str, auth: str, settings: Mapping[str, Any], creds: Mapping[str, str]) -> Adapter:
    return XAdapter(account_config(Platform.X, "x-main", creds, {"base_url": url, **settings}))


def _x_post(folder: Path, text: str) -> Draft:
    return Draft(Platform.X, ContentKind.ARTICLE, parts=(text,))


def _x_video(folder: Path, text: str) -> Draft:
    clip = media_file(folder, "clip.mp4", 2000, MediaRole.VIDEO)
    return Draft(Platform.X, ContentKind.VIDEO, parts=(text,), media=(clip,))


def _x_url(state: State, tweet: dict[str, Any]) -> str:
    user = next(u for u in state["users"] if u["id"] == tweet["author_id"])
    return f"https://x.com/{user['username']}/status/{tweet['id']}"


def _x_audio_as_image(folder: Path) -> Draft:
    sound = media_file(folder, "a.mp3", 10, MediaRole.IMAGE, "audio/mpeg")
    return Draft(Platform.X, ContentKind.ARTICLE, parts=(TEXT,), media=(sound,))


NAMED = {"username": "baomoi"}  # spares users.me: the creating call is the first request
X_MEDIA = tuple(
    Call(a, _x_video, NAMED)
    for a in ("media.initialize", "media.append", "media.finalize", "media.status")
)
X_READ = Call("users.me", _x_post)
X_ROW = Row(
    name="x",
    sandbox=xh.XSandbox,
    build=_x,
    text=X_TEXT,
    draft=_x_post,
    creating=Call("tweets.create", _x_post, NAMED),
    before=(X_READ, *X_MEDIA),
    expired=(Call("tweets.create", _x_post, NAMED), X_READ),
    identity_action="users.me",
    credentials=xh.OAUTH1_CREDENTIALS,
    alternate_credentials=({"bearer_token": xh.BEARER_TOKEN},),
    created=lambda state: list(state["tweets"]),
    id_of=lambda tweet: str(tweet["id"]),
    text_of=lambda tweet: str(tweet["text"]),
    url_of=_x_url,
    identity=lambda state: f"@{state['users'][-1]['username']}",
    missing=({}, "consumer_key"),
    refusals=(
        Refusal(
            lambda f: Draft(Platform.X, ContentKind.ARTICLE, parts=(TEXT, "ạ" * 141)),
            "part 2 is 282 weighted",
        ),
        Refusal(
            lambda f: Draft(Platform.X, ContentKind.VIDEO, parts=(TEXT,)), "needs a video file"
        ),
        Refusal(_x_audio_as_image, "audio/mpeg"),
    ),
    rate_limit=RateLimit(retry_after=30, wait=30, tolerance=2),
    secrets=xh.SECRET_VALUES,
    expect={
        "5xx": Expect(http_status=503),
        "5xx:tweets.create": Expect(http_status=503, message="Service Unavailable"),
        "429:tweets.create": Expect(http_status=429, platform_code="88"),
        "expired": Expect(http_status=401),
        "refused": Expect(message="could not connect"),
        "timeout:tweets.create": Expect(message="ReadTimeout"),
        "platform_refusal": Expect(
            http_status=400, platform_code="invalid-request", message="sandbox permanent fault"
        ),
    },
    debug_evidence="oauth",  # oauthlib's DEBUG lines (which would print the keys) were seen
    not_applicable={
        "revoked": "the X sandbox has no knob to revoke a token; its expired-token faults "
        "(on the creating call and on users.me) stand for it"
    },
)


# -- Facebook -----------------------------------------------------------------------------------
def _fb(url: str, auth: str, settings: Mapping[str, Any], creds: Mapping[str, str]) -> Adapter:
    account = fb.account(url, **settings)
    secrets = {key: Secret(value) for key, value in creds.items()}
    return FacebookAdapter(dataclasses.replace(account, credentials=secrets))


def _fb_post(folder: Path, text: str) -> Draft:
    return fb.article(text)


def _fb_photo(folder: Path, text: str) -> Draft:
    image = media_file(folder, "anh.jpg", 1000, MediaRole.IMAGE, "image/jpeg")
    return fb.article(text, None, image)


def _fb_video(folder: Path, text: str) -> Draft:
    clip = media_file(folder, "clip.mp4", 64 * 1024, MediaRole.VIDEO, "video/mp4")
    cover = media_file(folder, "cover.jpg", 2048, MediaRole.COVER, "image/jpeg")
    return Draft(
        Platform.FACEBOOK,
        ContentKind.VIDEO,
        parts=(f"{text}\nXem phóng sự đầy đủ.",),
        title="Phóng sự: Hà Nội mùa thu",
        link="https://example.vn/video",
        media=(clip, cover),
    )


def _fb_big_photo(folder: Path) -> Draft:
    huge = media_file(folder, "big.jpg", 2000, MediaRole.IMAGE, "image/jpeg")
    return fb.article(TEXT, None, huge)


FB_CREATE = Call("create_post", _fb_post)
FB_CHUNK = Call("upload_chunk", _fb_video, {"upload_retries": 0})
FACEBOOK_ROW = Row(
    name="facebook",
    sandbox=fb.Sandbox,
    build=_fb,
    text=TEXT,
    draft=_fb_post,
    creating=FB_CREATE,
    before=(Call("upload_photo", _fb_photo), Call("upload_start", _fb_video), FB_CHUNK),
    expired=(FB_CREATE, FB_CHUNK),
    identity_action="me",
    credentials=fb.CREDENTIALS,
    created=lambda state: [*state["posts"], *state["videos"]],
    id_of=lambda post: str(post["id"]),
    text_of=lambda post: str(post.get("message") or post.get("description")),
    url_of=lambda state, post: str(post["permalink_url"]),
    identity=lambda state: str(state["page"]["name"]),
    missing=({}, "page_access_token"),
    refusals=(
        Refusal(lambda f: fb.article("ư" * 63_207), "63206"),
        Refusal(_fb_big_photo, "image is 2000 bytes", {"image_max_bytes": 1000}),
        Refusal(lambda f: _fb_video(f, TEXT), "app_id", {"app_id": ""}),
    ),
    rate_limit=RateLimit(retry_after=600, wait=600, tolerance=30),  # Graph counts in minutes
    secrets=(fb.TOKEN, fb.USER_TOKEN),
    revoke={"tokens": ["only-this-one"]},
    revoked_at="create_post",
    expect={
        "5xx:create_post": Expect(http_status=500, platform_code="2"),
        "429": Expect(platform_code="80001"),
        "expired": Expect(platform_code="190/463"),
        "timeout": Expect(message="ReadTimeout"),
        "platform_refusal": Expect(message="Invalid parameter"),
    },
    debug_evidence="HTTP Request",  # httpx logged the URLs it called
    not_chained=(httpx.HTTPError,),
)


# -- YouTube ------------------------------------------------------------------------------------
def _yt(url: str, auth: str, settings: Mapping[str, Any], creds: Mapping[str, str]) -> Adapter:
    merged = {"token_uri": f"{auth}/token", "playlists": {}, **settings}
    return YouTubeAdapter(yt.account(url, dict(creds), **merged))


def _yt_video(folder: Path, text: str) -> Draft:
    small = media_file(folder, "short.mp4", 100_000, MediaRole.VIDEO, "video/mp4")  # one chunk
    return yt.draft(media=(small,), title=text)


def _yt_invalid(**fields: Any) -> Any:
    return lambda folder: yt.draft(
        media=(media_file(folder, "pho.mp4", 1000, MediaRole.VIDEO, "video/mp4"),), **fields
    )


def _yt_podcast_without_video(folder: Path) -> Draft:
    audio = media_file(folder, "tap-1.mp3", 4000, MediaRole.AUDIO, "audio/mpeg")
    cover = media_file(folder, "pho.jpg", 20_000, MediaRole.COVER, "image/jpeg")
    return yt.draft(ContentKind.PODCAST, (audio, cover))


ONCE = {"upload_retries": 0}  # the adapter would resume after a 5xx: see the failure itself
YT_TOKEN = Call("token", _yt_video, ONCE)
# google-auth asks the token endpoint three times when it answers 5xx or 429.
YT_TOKEN_RETRIED = Call("token", _yt_video, ONCE, count=3)
STALE = "ya29.stale-secret-token"
YOUTUBE_ROW = Row(
    name="youtube",
    sandbox=yt.Sandbox,
    build=_yt,
    text=YOUTUBE_TITLE,
    draft=_yt_video,
    creating=Call("videos.upload", _yt_video, ONCE),  # the last chunk makes the video
    before=(Call("videos.insert", _yt_video, ONCE), YT_TOKEN_RETRIED),
    # google-auth refreshes the token and tries again twice before it gives up.
    expired=(Call("videos.insert", _yt_video, ONCE, count=3), YT_TOKEN),
    refusing=Call("videos.insert", _yt_video, ONCE),  # YouTube checks metadata there
    identity_action="channels.list",
    credentials=yt.SECRETS,
    alternate_credentials=({**yt.SECRETS, "access_token": STALE},),
    created=lambda state: list(state["videos"]),
    id_of=lambda video: str(video["id"]),
    text_of=lambda video: str(video["title"]),
    url_of=lambda state, video: f"https://www.youtube.com/watch?v={video['id']}",
    identity=lambda state: str(state["channel"]["title"]),
    missing=({"client_id": "x", "client_secret": "y"}, "refresh_token"),
    refusals=(
        Refusal(_yt_invalid(title=""), "needs a title"),
        Refusal(_yt_invalid(title="ệ" * 101), "101 characters"),
        Refusal(_yt_invalid(title="Phở <ngon>"), "< and > in the title"),
        Refusal(_yt_invalid(description="ệ" * 1667), "5000 bytes"),
        Refusal(_yt_invalid(tags=("x" * 250, "y" * 250)), "501 characters"),
        Refusal(_yt_invalid(problems=("cover too large",)), "cover too large"),
        Refusal(_yt_podcast_without_video, "render the podcast to video first"),
    ),
    rate_limit=RateLimit(retry_after=30, wait=30, tolerance=1),
    # Access tokens the sandbox issues are secrets too; they all share this prefix.
    secrets=(*yt.SECRETS.values(), STALE, "ya29.sandbox-"),
    revoke={"revoke_refresh_tokens": [yt.SECRETS["refresh_token"]]},
    revoked_at="token",
    lost_answer=("ambiguous", "5xx"),  # httplib2 re-sends a dropped request once: fail it too
    credential_actions=("token",),
    token_action="token",  # the refresh posts the client secret and refresh token
    expect={
        "5xx:videos.upload": Expect(http_status=503, message="may exist"),
        "429:videos.insert": Expect(http_status=429, platform_code="rateLimitExceeded"),
        "expired:videos.insert": Expect(http_status=401, platform_code="authError"),
        "expired:token": Expect(platform_code="invalid_grant", message="invalid_grant"),
        "revoked": Expect(platform_code="invalid_grant", message="invalid_grant"),
        "refused": Expect(message="ConnectionRefusedError"),
        "lost_answer": Expect(message="may exist"),
        "platform_refusal": Expect(
            http_status=400, platform_code="invalidVideoMetadata", message="invalidVideoMetadata"
        ),
    },
    # Google documents no Retry-After for its token endpoint (the sandbox sends none): a
    # 429 there waits the adapter's fallback, TOKEN_RATE_WAIT.
    rate_limit_for={"token": RateLimit(retry_after=30, wait=60, tolerance=2)},
)


# -- the in-memory twin -------------------------------------------------------------------------
def _twin(url: str, auth: str, settings: Mapping[str, Any], creds: Mapping[str, str]) -> Adapter:
    return MemoryX(account_config(Platform.X, "twin", creds, {"credential": "token", **settings}))


def _twin_post(folder: Path, text: str) -> Draft:
    return Draft(Platform.X, ContentKind.ARTICLE, parts=(text,), title="Tin mới")


def _twin_photo(folder: Path, text: str) -> Draft:
    image = media_file(folder, "anh.jpg", 1000, MediaRole.IMAGE, "image/jpeg")
    return Draft(Platform.X, ContentKind.ARTICLE, parts=(text,), media=(image,))


NO_SOCKET = "the twin answers in memory: there is no connection to refuse or to time out"
TWIN_ROW = Row(
    name="memory",
    sandbox=None,
    build=_twin,
    text=TEXT,
    draft=_twin_post,
    creating=Call("create", _twin_post),
    before=(Call("upload", _twin_photo),),
    expired=(Call("create", _twin_post),),
    identity_action="verify",
    credentials={"token": TWIN_TOKEN},
    created=lambda state: list(state["posts"]),
    id_of=lambda entry: str(entry["remote_id"]),
    text_of=lambda entry: str(entry["text"]),
    url_of=lambda state, entry: f"https://memory.example/{entry['remote_id']}",
    identity=lambda state: "twin",
    missing=({}, "token"),
    refusals=(
        Refusal(lambda f: _twin_post(f, "ư" * 5001), "5001 characters, limit 5000"),
        Refusal(
            lambda f: dataclasses.replace(_twin_post(f, TEXT), problems=("too big",)), "too big"
        ),
    ),
    rate_limit=RateLimit(retry_after=30, wait=30, tolerance=1),
    secrets=(TWIN_TOKEN,),
    expect={"5xx": Expect(http_status=503), "lost_answer": Expect(message="no answer")},
    not_applicable={
        "refused": NO_SOCKET,
        "timeout": NO_SOCKET + " (its lost-answer mode is what a timeout on the creating "
        "call leaves behind)",
        "revoked": "the twin keeps no token store to revoke from; its expired-token fault "
        "stands for both",
    },
)

ROWS = (X_ROW, YOUTUBE_ROW, FACEBOOK_ROW, TWIN_ROW)
