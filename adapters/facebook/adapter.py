"""Facebook Pages through the Graph API, over httpx.

Articles are feed posts (message + link); videos go through the Resumable Upload API and are then
published with ``POST /{page-id}/videos``; podcasts post their rendered video, or fall back to a
feed post with the cover and link. Every failure leaves as one of the base error classes, with
Graph's own code and message, and never with the access token in it.

httpx is imported where a client is made or its errors are read, not here: config validation
imports this module on every command for the class's declared data alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from crosspost.adapters.auth import AuthCommand, AuthOption
from crosspost.adapters.base import (
    AccountConfig,
    Adapter,
    AuthenticationError,
    ContentKind,
    Draft,
    Limits,
    MediaFile,
    Pacing,
    PermanentError,
    Platform,
    ProgressCallback,
    PublishError,
    PublishRequest,
    Receipt,
    Secret,
    SettingSpec,
    StepKind,
    StepReceipt,
    no_answer,
    unsettled_error,
)
from crosspost.adapters.common import nfc, open_media
from crosspost.adapters.facebook.checks import image_of, video_of
from crosspost.adapters.facebook.errors import MAY_EXIST, graph_error, usage_peak
from crosspost.adapters.facebook.upload import VideoUploads

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://graph.facebook.com"
# Meta's video guide posts /{page-id}/videos to this host; other calls use graph.facebook.com.
DEFAULT_VIDEO_BASE_URL = "https://graph-video.facebook.com"
DEFAULT_GRAPH_VERSION = "v26.0"
DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_UPLOAD_RETRIES = 3
DEFAULT_RATE_LIMIT_FALLBACK_SECONDS = 300
DEFAULT_IMAGE_MAX_BYTES = 4 * 1024 * 1024
DEFAULT_VIDEO_MAX_BYTES = 10 * 1024**3
FEED_PAGES_MAX = 10
VIDEO_TITLE_MAX = 255  # the figure integrations use; Graph documents no limit (UNVERIFIED)

ARTICLE_IMAGE_MODES = ("attach", "link_preview")


class FacebookAdapter(Adapter):
    """A Facebook Page, with a Page access token (``page_access_token``)."""

    platform = Platform.FACEBOOK
    display_name = "Facebook"
    supported_kinds = frozenset({ContentKind.ARTICLE, ContentKind.VIDEO, ContentKind.PODCAST})
    # 63,206 characters is the Page post message limit Facebook has long used. Photos: the
    # /photos reference says 4 MB; videos: 10 GB and 240 minutes in Meta's video specs. The
    # byte limits can be overridden per account (image_max_bytes, video_max_bytes).
    limits: ClassVar[Limits] = Limits(
        text_max=63_206,
        title_max=VIDEO_TITLE_MAX,
        max_images=1,
        max_videos=1,
        image_max_bytes=DEFAULT_IMAGE_MAX_BYTES,
        video_max_bytes=DEFAULT_VIDEO_MAX_BYTES,
        video_max_seconds=240 * 60,
        image_types=frozenset(
            {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}
        ),
        video_types=frozenset({"video/"}),
    )
    podcast_as_video: ClassVar[bool] = True
    limit_settings: ClassVar[Mapping[str, str]] = {
        "image_max_bytes": "image_max_bytes",
        "video_max_bytes": "video_max_bytes",
    }
    auth_command: ClassVar[AuthCommand | None] = AuthCommand(
        help="Exchange a user token for a long-lived one and store the Page's token.",
        flow="crosspost.adapters.facebook.auth:run",
        options=(
            AuthOption(
                "app_secret",
                envvar="CROSSPOST_FACEBOOK_APP_SECRET",
                prompt="App secret",
                hide_input=True,
            ),
            AuthOption(
                "user_token",
                envvar="CROSSPOST_FACEBOOK_USER_TOKEN",
                prompt="User access token (with pages_manage_posts)",
                hide_input=True,
            ),
            AuthOption("app_id", help="Defaults to the account's app_id setting"),
        ),
    )
    settings_spec: ClassVar[Mapping[str, SettingSpec]] = {
        "page_id": SettingSpec(
            str, "the numeric id of the Facebook Page", required=True, default=""
        ),
        "app_id": SettingSpec(
            (str, int), "the Meta app id; the Resumable Upload API needs it for videos", default=""
        ),
        "graph_version": SettingSpec(
            str,
            f"Graph API version (default {DEFAULT_GRAPH_VERSION})",
            default=DEFAULT_GRAPH_VERSION,
        ),
        "base_url": SettingSpec(
            str, f"Graph API root (default {DEFAULT_BASE_URL})", default=DEFAULT_BASE_URL
        ),
        "video_base_url": SettingSpec(
            str,
            f"root for POST /{{page-id}}/videos (default {DEFAULT_VIDEO_BASE_URL} when base_url "
            "is the default, else base_url)",
        ),
        "upload_chunk_bytes": SettingSpec(
            int,
            f"bytes per resumable upload request (default {DEFAULT_CHUNK_BYTES})",
            default=DEFAULT_CHUNK_BYTES,
        ),
        "upload_retries": SettingSpec(
            int,
            "times one publish resumes a failed upload from the server's offset "
            f"(default {DEFAULT_UPLOAD_RETRIES})",
            default=DEFAULT_UPLOAD_RETRIES,
        ),
        "pace_above_percent": SettingSpec(
            (int, float),
            "rest the account when Graph's usage headers pass this percent of a budget",
            default=90,
        ),
        "pace_rest_minutes": SettingSpec(
            (int, float),
            "how long that rest lasts when Graph does not say (estimated_time_to_regain_access)",
            default=5,
        ),
        "timeout_seconds": SettingSpec(
            (int, float),
            f"HTTP timeout per request (default {DEFAULT_TIMEOUT_SECONDS:g})",
            default=DEFAULT_TIMEOUT_SECONDS,
        ),
        "article_image": SettingSpec(
            str,
            "attach: upload the draft's image and attach it to the link post (default); "
            "link_preview: post the link alone and let Facebook build its preview card",
            choices=ARTICLE_IMAGE_MODES,
            default="attach",
        ),
        "image_max_bytes": SettingSpec(
            int, "largest image to upload (default 4 MB)", default=DEFAULT_IMAGE_MAX_BYTES
        ),
        "video_max_bytes": SettingSpec(
            int, "largest video to upload (default 10 GB)", default=DEFAULT_VIDEO_MAX_BYTES
        ),
        "rate_limit_fallback_seconds": SettingSpec(
            int,
            "wait after a rate limit that gives no estimated_time_to_regain_access "
            f"(default {DEFAULT_RATE_LIMIT_FALLBACK_SECONDS})",
            default=DEFAULT_RATE_LIMIT_FALLBACK_SECONDS,
        ),
    }

    def __init__(self, account: AccountConfig) -> None:
        super().__init__(account)
        self.page_id = str(self.setting("page_id"))
        self.app_id = str(self.setting("app_id"))
        self.version = str(self.setting("graph_version")).strip("/")
        self.base_url = str(self.setting("base_url")).rstrip("/")
        default_video = DEFAULT_VIDEO_BASE_URL if self.base_url == DEFAULT_BASE_URL else None
        self.video_base_url = str(
            self.setting("video_base_url") or default_video or self.base_url
        ).rstrip("/")
        self.article_image = str(self.setting("article_image"))
        self.rate_limit_fallback = timedelta(
            seconds=int(self.setting("rate_limit_fallback_seconds"))
        )
        self.timeout = float(self.setting("timeout_seconds"))
        self._client: httpx.Client | None = None
        self.videos = VideoUploads(
            self._call,
            self._id_of,
            app_id=self.app_id,
            chunk_bytes=max(1, int(self.setting("upload_chunk_bytes"))),
            retries=max(0, int(self.setting("upload_retries"))),
        )
        # The last usage headers Graph sent (parsed JSON), for pacing.
        self.last_usage: dict[str, Any] = {}

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        """The HTTP client, made on first use: rendering and checks need none."""
        if self._client is None:
            import httpx

            self._client = httpx.Client(timeout=self.timeout, headers={"User-Agent": "crosspost"})
        return self._client

    def warm_up(self) -> None:
        super().warm_up()
        _ = self.client

    # -- checks ------------------------------------------------------------------------------
    def draft_problems(self, draft: Draft, limits: Limits) -> list[str]:
        """The message's length, the files' sizes, and the settings a Page post needs."""
        from crosspost.adapters.facebook.checks import draft_problems

        problems = draft_problems(draft, limits)
        if not self.page_id:
            problems.append("facebook: the account has no page_id setting")
        if video_of(draft) is not None and not self.app_id:
            problems.append("facebook: uploading a video needs the app_id setting")
        return problems

    # -- publish -----------------------------------------------------------------------------
    def _publish(self, request: PublishRequest, progress: ProgressCallback | None) -> Receipt:
        """One object makes the post (a feed post, or a video); it is confirmed the moment
        Graph gives its id. Nothing after it creates anything (only its permalink is read),
        so a publish whose object is confirmed already only reads that permalink again."""
        draft = request.draft
        video = video_of(draft)
        kind = StepKind.VIDEO if video is not None else StepKind.PART
        made = request.done_id(kind)
        if made is not None:
            return Receipt(made, self._permalink(made), steps=request.done)
        extra: tuple[str, ...]
        if video is not None:
            object_id = self._publish_video(draft, video, progress)
            extra = (object_id,)
        else:
            object_id, extra = self._publish_feed(draft, image_of(draft), progress)
        step = StepReceipt(kind, 1, object_id)
        request.confirm(step)
        url = self._permalink(object_id)
        return Receipt(object_id, url, extra, steps=(*request.done, step))

    def _publish_feed(
        self, draft: Draft, image: MediaFile | None, progress: ProgressCallback | None
    ) -> tuple[str, tuple[str, ...]]:
        """A feed post with `message` and `link`, and the image as unpublished `attached_media`.

        Why not a photo post (`/photos` with the message)? That makes a photo story whose link
        is only text in the caption. A feed post keeps `link` as the post's link attachment, so
        the article stays the post's target. Facebook draws either the photo or the link card,
        not both (third-party docs say the photo wins; UNVERIFIED from Meta), so accounts that
        want the card set ``article_image = "link_preview"``: the link is posted alone and
        Facebook builds the card from the article's Open Graph image.
        """
        data = {"message": nfc(draft.text)}
        if draft.link:
            data["link"] = draft.link
        extra: tuple[str, ...] = ()
        if image is not None and self.article_image == "attach":
            photo_id = self._upload_photo(image, progress)
            extra = (photo_id,)
            data["attached_media"] = json.dumps([{"media_fbid": photo_id}])
        body = self._call("POST", f"{self.page_id}/feed", data=data, creating=True)
        return self._id_of(body, "POST /feed", creating=True), extra

    def _upload_photo(self, image: MediaFile, progress: ProgressCallback | None) -> str:
        """An unpublished photo: invisible until attached, so failing here is safe to retry."""
        mime = image.mime_type or "image/jpeg"
        with open_media(image, "facebook") as fh:
            files = {"source": (image.path.name, fh, mime)}
            body = self._call(
                "POST", f"{self.page_id}/photos", data={"published": "false"}, files=files
            )
        if progress is not None:
            progress(image.size, image.size)
        return self._id_of(body, "POST /photos")

    def _publish_video(
        self, draft: Draft, video: MediaFile, progress: ProgressCallback | None
    ) -> str:
        handle = self.videos.upload(video, progress)
        data = {
            "title": self._video_title(draft),
            "description": nfc(draft.text),
            "fbuploader_video_file_chunk": handle,
        }
        body = self._call(
            "POST", f"{self.page_id}/videos", data=data, creating=True, base=self.video_base_url
        )
        return self._id_of(body, "POST /videos", creating=True)

    @staticmethod
    def _video_title(draft: Draft) -> str:
        title = nfc(draft.title) or nfc(draft.text).split("\n", 1)[0]
        return title.strip()[:VIDEO_TITLE_MAX]

    # -- reconciliation and identity ---------------------------------------------------------
    def find_existing(self, request: PublishRequest, since: datetime) -> Receipt | None:
        """The post's object: the one an earlier attempt confirmed, else the one the rules of
        `reconcile` accept (text, not another post's, created since `since`, only one)."""
        from crosspost.adapters.facebook.reconcile import floor_to_second, the_one

        draft = request.draft
        is_video = video_of(draft) is not None
        made = request.done_id(StepKind.VIDEO if is_video else StepKind.PART)
        if made is not None:
            return Receipt(made, self._permalink(made), steps=request.done)
        after = floor_to_second(since)
        if is_video:
            edge, field, text = "videos", "title", self._video_title(draft)
        else:
            edge, field, text = "feed", "message", nfc(draft.text)
        items = self._read_edge(edge, f"id,{field},created_time,permalink_url", after)
        item = the_one(items, request, after, field, text)
        if item is None:
            return None
        object_id = str(item["id"])
        url = self._absolute(item.get("permalink_url")) or self._fallback(object_id)
        step = StepReceipt(StepKind.VIDEO if is_video else StepKind.PART, 1, object_id, url)
        return Receipt(object_id, url, (object_id,) if is_video else (), steps=(step,))

    def _read_edge(self, edge: str, fields: str, since: datetime) -> list[dict[str, Any]]:
        """Read a Page edge newest first, following `after` cursors (never a `next` URL)."""
        params = {"fields": fields, "since": str(int(since.timestamp())), "limit": "100"}
        items: list[dict[str, Any]] = []
        for _ in range(FEED_PAGES_MAX):
            body = self._call("GET", f"{self.page_id}/{edge}", params=params)
            data = body.get("data")
            if isinstance(data, list):
                items.extend(d for d in data if isinstance(d, dict) and d.get("id"))
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not data or not paging.get("next") or not after:
                break
            params = {**params, "after": str(after)}
        return items

    def verify(self) -> str:
        body = self._call("GET", "me", params={"fields": "id,name"})
        if str(body.get("id")) != self.page_id:
            raise AuthenticationError(
                f"facebook: the token belongs to {body.get('id')!r}, not Page {self.page_id!r}: "
                "use a Page access token for this Page"
            )
        return str(body.get("name") or self.page_id)

    def _permalink(self, object_id: str) -> str:
        """The object's permalink; the post stands already, so a failed lookup only logs."""
        try:
            body = self._call("GET", object_id, params={"fields": "permalink_url"})
        except PublishError as exc:
            log.warning("facebook: no permalink for %s (%s)", object_id, exc.message)
            return self._fallback(object_id)
        return self._absolute(body.get("permalink_url")) or self._fallback(object_id)

    @staticmethod
    def _absolute(url: Any) -> str | None:
        if not isinstance(url, str) or not url:
            return None
        return f"https://www.facebook.com{url}" if url.startswith("/") else url

    @staticmethod
    def _fallback(object_id: str) -> str:
        return f"https://www.facebook.com/{object_id}"

    @staticmethod
    def _id_of(body: Mapping[str, Any], what: str, creating: bool = False) -> str:
        value = body.get("id")
        if value:
            return str(value)
        raise unsettled_error(
            f"facebook {what}: the answer has no id", creating=creating, note=MAY_EXIST
        )

    # -- HTTP and errors ---------------------------------------------------------------------
    def _token(self) -> Secret:
        return self.account.credential("page_access_token")

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        content: bytes | Iterator[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        creating: bool = False,
        base: str | None = None,
        auth_scheme: str = "Bearer",
    ) -> dict[str, Any]:
        """One Graph call. `creating` marks the call that makes the post (ambiguity matters)."""
        what = f"{method} /{self._shape(path)}"
        url = f"{base or self.base_url}/{self.version}/{path}"
        sent = dict(headers or {})
        sent["Authorization"] = f"{auth_scheme} {self._token().reveal()}"
        outcome = self._send(method, url, params, data, files, content, sent, what, creating)
        if isinstance(outcome, PublishError):
            raise outcome  # outside any except: no httpx exception (and its headers) chained
        response = outcome
        log.debug("facebook %s -> %d", what, response.status_code)
        self._note_usage(response.headers)
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success and isinstance(body, dict) and "error" not in body:
            return body
        raise graph_error(
            response,
            body,
            what,
            creating=creating,
            scrub=self.scrub,
            rate_limit_fallback=self.rate_limit_fallback,
        )

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        files: Mapping[str, Any] | None,
        content: bytes | Iterator[bytes] | None,
        headers: dict[str, str],
        what: str,
        creating: bool,
    ) -> httpx.Response | PublishError:
        """The HTTP exchange; a transport failure comes back as the error to raise."""
        import httpx

        try:
            return self.client.request(
                method, url, params=params, data=data, files=files, content=content, headers=headers
            )
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            return PermanentError(f"facebook {what}: bad base_url setting ({exc})")
        except httpx.HTTPError as exc:
            never_sent = isinstance(
                exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout
            )
            detail = self.scrub(f"{type(exc).__name__}: {exc}")
            return no_answer(
                f"facebook {what}",
                detail,
                creating=creating,
                connected=not never_sent,
                note=MAY_EXIST,
            )

    def _shape(self, path: str) -> str:
        """The path for messages and logs, with the page id shown once as {page-id}."""
        if path.startswith("upload:"):
            return "upload:{session}"
        return path.replace(self.page_id, "{page-id}", 1) if self.page_id else path

    def pacing(self) -> Pacing | None:
        """Rest before Graph throttles: its usage headers give percent used of each budget."""
        percent, regain_minutes = usage_peak(self.last_usage)
        threshold = float(self.setting("pace_above_percent"))
        if percent < threshold:
            return None
        minutes = regain_minutes or float(self.setting("pace_rest_minutes"))
        return Pacing(
            until=datetime.now(UTC) + timedelta(minutes=minutes),
            reason=f"Graph API usage at {percent:g}% of a budget (pacing above {threshold:g}%)",
        )

    def _note_usage(self, headers: httpx.Headers) -> None:
        for name in ("x-app-usage", "x-business-use-case-usage", "x-page-usage"):
            raw = headers.get(name)
            if raw:
                try:
                    self.last_usage[name] = json.loads(raw)
                except ValueError:
                    continue
