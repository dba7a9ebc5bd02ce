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
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from crosspost.adapters.auth import AuthCommand
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
from crosspost.adapters.facebook.access import (
    APP_SECRET,
    IDENTITY,
    PUBLISH_POST,
    PUBLISH_VIDEO,
    USER_TOKEN,
    Need,
    appsecret_proof,
)
from crosspost.adapters.facebook.checks import image_of, video_of
from crosspost.adapters.facebook.errors import (
    MAY_EXIST,
    graph_error,
    usage_peak,
)
from crosspost.adapters.facebook.reels import ReelPublishing
from crosspost.adapters.facebook.settings import (
    AUTH_COMMAND,
    DEFAULT_BASE_URL,
    DEFAULT_GRAPH_VERSION,
    DEFAULT_IMAGE_MAX_BYTES,
    DEFAULT_REELS_UPLOAD_URL,
    DEFAULT_VIDEO_BASE_URL,
    DEFAULT_VIDEO_MAX_BYTES,
    REEL_MAX_SECONDS,
    REELS_PER_24_HOURS,
    SETTINGS,
    VIDEO_TITLE_MAX,
)
from crosspost.adapters.facebook.upload import VideoUploads

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_GRAPH_VERSION", "FacebookAdapter"]


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
    auth_command: ClassVar[AuthCommand | None] = AUTH_COMMAND
    settings_spec: ClassVar[Mapping[str, SettingSpec]] = SETTINGS
    # Reels: at most 30 a Page in a 24-hour moving period, kept as a budget on video posts.
    video_budget: ClassVar[Mapping[str, int]] = {"per_day": REELS_PER_24_HOURS}
    video_budget_setting: ClassVar[str | None] = "video_as_reel"

    @classmethod
    def limits_for(cls, settings: Mapping[str, Any], limits: Limits | None = None) -> Limits:
        """As the base class; a Reel is at most 90 seconds."""
        found = super().limits_for(settings, limits)
        if settings.get("video_as_reel"):
            longest = min(found.video_max_seconds or REEL_MAX_SECONDS, REEL_MAX_SECONDS)
            found = replace(found, video_max_seconds=longest)
        return found

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
        self.video_as_reel = bool(self.setting("video_as_reel"))
        default_rupload = (
            DEFAULT_REELS_UPLOAD_URL if default_video else f"{self.base_url}/video-upload"
        )
        self.reels = ReelPublishing(
            self._call,
            page_id=self.page_id,
            upload_base=str(self.setting("reels_upload_url") or default_rupload).rstrip("/"),
        )
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
        self._proofs: set[str] = set()

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
        if video_of(draft) is not None and not self.app_id and not self.video_as_reel:
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
        if video is not None and self.video_as_reel:
            object_id = self.reels.publish(draft, video, progress)
            extra = (object_id,)
        elif video is not None:
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
        body = self._call(
            "POST", f"{self.page_id}/feed", data=data, creating=True, need=PUBLISH_POST
        )
        return self._id_of(body, "POST /feed", creating=True), extra

    def _upload_photo(self, image: MediaFile, progress: ProgressCallback | None) -> str:
        """An unpublished photo: invisible until attached, so failing here is safe to retry."""
        mime = image.mime_type or "image/jpeg"
        with open_media(image, "facebook") as fh:
            files = {"source": (image.path.name, fh, mime)}
            body = self._call(
                "POST",
                f"{self.page_id}/photos",
                data={"published": "false"},
                files=files,
                need=PUBLISH_POST,
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
            "POST",
            f"{self.page_id}/videos",
            data=data,
            creating=True,
            base=self.video_base_url,
            need=PUBLISH_VIDEO,
        )
        return self._id_of(body, "POST /videos", creating=True)

    @staticmethod
    def _video_title(draft: Draft) -> str:
        title = nfc(draft.title) or nfc(draft.text).split("\n", 1)[0]
        return title.strip()[:VIDEO_TITLE_MAX]

    # -- reconciliation and identity ---------------------------------------------------------
    def find_existing(self, request: PublishRequest, since: datetime) -> Receipt | None:
        """The post's object on the Page edge it would be on (`lookup.find_existing`)."""
        from crosspost.adapters.facebook.lookup import find_existing

        return find_existing(self, request, since)

    def verify(self) -> str:
        """The Page's name, once its token is this Page's, of the right type and with every
        permission the adapter's calls need (`identity.check_tokens`)."""
        from crosspost.adapters.facebook.identity import check_tokens

        body = self._call("GET", "me", params={"fields": "id,name"})
        if str(body.get("id")) != self.page_id:
            raise AuthenticationError(
                f"facebook: the token belongs to {body.get('id')!r}, not Page {self.page_id!r}: "
                "use a Page access token for this Page"
            )
        check_tokens(self)
        return str(body.get("name") or self.page_id)

    def notices(self) -> list[str]:
        """The configured Graph version's end, 90 days ahead (`versions`); no network."""
        from crosspost.adapters.facebook.versions import version_notice

        override = self.setting("graph_version_expires")
        notice = version_notice(self.version, datetime.now(UTC).date(), override or None)
        found = [notice] if notice else []
        if USER_TOKEN not in self.account.credentials and not self.video_as_reel:
            found.append(
                f"facebook: no {USER_TOKEN} stored: a video will pause the account until "
                f"`crosspost auth facebook {self.account.name}` is run again"
            )
        return found

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
    def _token(self, need: Need) -> Secret:
        """The stored token `need` names. An account authorised before crosspost kept the
        user token has none: the account pauses with the one line that fixes it."""
        if need.token == USER_TOKEN and USER_TOKEN not in self.account.credentials:
            raise AuthenticationError(
                f"facebook: {need.purpose} needs the app user's User access token, which "
                f"account {self.account.name!r} does not have (it was authorised before "
                f"crosspost kept it): run `crosspost auth facebook {self.account.name}` again"
            )
        return self.account.credential(need.token)

    def graph_get(
        self, path: str, params: Mapping[str, str], as_token: Secret | None = None
    ) -> dict[str, Any]:
        """A read for the account's checks (`identity`), with `as_token` if given."""
        return self._call("GET", path, params=params, as_token=as_token)

    def _signed(self, token: str, params: Mapping[str, str] | None) -> dict[str, str] | None:
        """`params` with appsecret_proof when the account has an app secret (Graph then refuses
        no call of an app with "Require App Secret" on)."""
        secret = self.account.credentials.get(APP_SECRET)
        if secret is None:
            return dict(params) if params is not None else None
        proof = appsecret_proof(token, secret.reveal())
        self._proofs.add(proof)
        return {**(params or {}), "appsecret_proof": proof}

    def scrub(self, text: str) -> str:
        """As the base class, and without the app secret proofs sent (derived from secrets)."""
        text = super().scrub(text)
        for proof in self._proofs:
            text = text.replace(proof, "***")
        return text

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
        need: Need = IDENTITY,
        as_token: Secret | None = None,
    ) -> dict[str, Any]:
        """One Graph call with the token `need` names (or `as_token`). `creating` marks the
        call that makes the post (ambiguity matters)."""
        what = f"{method} /{self._shape(path)}"
        url = f"{base or self.base_url}/{self.version}/{path}"
        token = (as_token or self._token(need)).reveal()
        params = self._signed(token, params)
        sent = dict(headers or {})
        sent["Authorization"] = f"{auth_scheme} {token}"
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
