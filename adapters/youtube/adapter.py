"""YouTube: videos and podcasts (rendered to video) through google-api-python-client.

The client is built from the packaged discovery document with its roots moved to the account's
`base_url`, so API calls *and* media uploads reach whichever server is configured (Google, or
the local sandbox). Uploads are resumable and chunked; a chunk that fails with a 5xx or a
dropped connection resumes where the server says it is, never from zero. Each step (the video,
its thumbnail, its playlist item) is confirmed the moment YouTube answers, and a later attempt
resumes after the confirmed ones (`steps`): the video is never uploaded twice. The video carries
the post's marker as a tag, which find_existing takes as proof (`reconcile`).

The Google client libraries (in `transport`) and the renderer are imported where they are
used, not here: config validation imports this module on every command for the class's
declared data alone.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from crosspost.adapters.auth import AuthCommand, AuthOption
from crosspost.adapters.base import (
    AccountConfig,
    Adapter,
    AmbiguousOutcomeError,
    AuthenticationError,
    ContentKind,
    Draft,
    Limits,
    MediaFile,
    MediaRole,
    PermanentError,
    Platform,
    ProgressCallback,
    PublishRequest,
    Receipt,
    RetryableError,
    SettingSpec,
    StepKind,
    StepReceipt,
    no_answer,
)
from crosspost.adapters.youtube.errors import (
    http_error,
    kind_of,
    never_connected,
    refresh_error,
)
from crosspost.adapters.youtube.reconcile import MARKER_ROOM

GOOGLE_BASE_URL = "https://youtube.googleapis.com/"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
CHUNK_UNIT = 256 * 1024  # Google's resumable protocol wants chunks in multiples of this
PRIVACY_STATUSES = ("public", "unlisted", "private")


class YouTubeAdapter(Adapter):
    platform = Platform.YOUTUBE
    display_name = "YouTube"
    supported_kinds = frozenset({ContentKind.VIDEO, ContentKind.PODCAST})
    limits = Limits(
        text_max=5000,
        title_max=100,
        description_max_bytes=5000,
        # YouTube's 500 (snippet.tags[]), less the room the post's marker tag takes: a draft
        # that passes at scheduling stays within 500 with the marker added at the upload.
        tags_max_total=500 - MARKER_ROOM,
        max_images=1,  # the custom thumbnail
        max_videos=1,
        # thumbnails.set mediaUpload.maxSize in the shipped youtube.v3.json (rev. 20261104:
        # 52428800, the 2026-09-14 revision history's 50 MB; it was 2 MiB): `thumbnail_max_bytes`.
        image_max_bytes=50 * 1024 * 1024,
        video_max_bytes=256 * 1024**3,
        video_max_seconds=12 * 3600,  # verified channels; unverified ones stop at 15 minutes
        image_types=frozenset({"image/jpeg", "image/png"}),  # thumbnails.set
        video_types=frozenset({"video/"}),
    )
    # Since 2026-06 videos.insert has its own bucket of 100 calls a day, reset at midnight
    # Pacific (PLATFORMS.md); a channel may meet `uploadLimitExceeded` sooner: lower it in config.
    default_budget: ClassVar[Mapping[str, int]] = {"per_day": 100}
    budget_day_zone: ClassVar[str | None] = "America/Los_Angeles"
    podcast_as_video: ClassVar[bool] = True
    limit_settings: ClassVar[Mapping[str, str]] = {
        "thumbnail_max_bytes": "image_max_bytes",
        "video_max_bytes": "video_max_bytes",
        "video_max_seconds": "video_max_seconds",
    }
    library_loggers: ClassVar[tuple[str, ...]] = ("googleapiclient",)
    auth_command: ClassVar[AuthCommand | None] = AuthCommand(
        help="Installed-app OAuth: consent in a browser, store the refresh token.",
        flow="crosspost.adapters.youtube.auth:run",
        options=(
            AuthOption("client_id", envvar="CROSSPOST_YOUTUBE_CLIENT_ID", prompt="OAuth client id"),
            AuthOption(
                "client_secret",
                envvar="CROSSPOST_YOUTUBE_CLIENT_SECRET",
                prompt="OAuth client secret",
                hide_input=True,
            ),
            AuthOption(
                "no_browser",
                help="Print the consent URL instead of opening it",
                type=bool,
                default=False,
                flag="--no-browser",
            ),
            AuthOption(
                "port", help="Local port for Google's redirect (0: any)", type=int, default=0
            ),
        ),
    )
    settings_spec: ClassVar[Mapping[str, SettingSpec]] = {
        "base_url": SettingSpec(
            str, "API root; the sandbox's URL in tests (default Google's)", default=GOOGLE_BASE_URL
        ),
        "token_uri": SettingSpec(
            str, "OAuth token endpoint used to refresh the access token", default=GOOGLE_TOKEN_URI
        ),
        "privacy": SettingSpec(
            str, "privacy of uploaded videos", choices=PRIVACY_STATUSES, default="public"
        ),
        "playlists": SettingSpec(dict, "content kind -> playlist id to add its videos to"),
        "publish_lead_minutes": SettingSpec(
            (int, float),
            "a public post scheduled further ahead than this is uploaded early as private "
            "with publishAt, so YouTube publishes it on time",
            default=10,
        ),
        "chunk_bytes": SettingSpec(
            int, "upload chunk size, a multiple of 262144 bytes", default=32 * CHUNK_UNIT
        ),
        "category_id": SettingSpec(
            str, "YouTube video category id (22 = People & Blogs)", default="22"
        ),
        "made_for_kids": SettingSpec(
            bool, "status.selfDeclaredMadeForKids for every video", default=False
        ),
        "timeout_seconds": SettingSpec(
            (int, float), "socket timeout for each HTTP request", default=60
        ),
        "upload_retries": SettingSpec(
            int, "resumes of one upload after a 5xx or dropped link", default=3
        ),
        "retry_backoff_seconds": SettingSpec(
            (int, float), "first wait before resuming an upload; doubles each time", default=1.0
        ),
        # Media limits an account may change (`limit_settings`): rendering and publishing both
        # check against them.
        "thumbnail_max_bytes": SettingSpec(
            int,
            "largest custom thumbnail, default 50 MiB (thumbnails.set maxSize, youtube.v3.json)",
        ),
        "video_max_bytes": SettingSpec(int, "largest video, default 256 GiB"),
        "video_max_seconds": SettingSpec(
            (int, float), "longest video: 12 h when verified, 900 for an unverified channel"
        ),
    }

    def __init__(self, account: AccountConfig) -> None:
        super().__init__(account)
        self.base_url = str(self.setting("base_url"))
        self.token_uri = str(self.setting("token_uri"))
        self.privacy = str(self.setting("privacy"))
        self.playlists = {str(k): str(v) for k, v in dict(self.setting("playlists") or {}).items()}
        self.publish_lead = timedelta(minutes=float(self.setting("publish_lead_minutes")))
        self.chunk_bytes = int(self.setting("chunk_bytes"))
        self.category_id = str(self.setting("category_id"))
        self.made_for_kids = bool(self.setting("made_for_kids"))
        self.timeout = float(self.setting("timeout_seconds"))
        self.upload_retries = int(self.setting("upload_retries"))
        self.backoff = float(self.setting("retry_backoff_seconds"))
        if self.chunk_bytes <= 0 or self.chunk_bytes % CHUNK_UNIT:
            raise ValueError(
                f"account {account.name!r}: chunk_bytes must be a positive multiple of "
                f"{CHUNK_UNIT}, not {self.chunk_bytes}"
            )
        if self.privacy not in PRIVACY_STATUSES:
            raise ValueError(
                f"account {account.name!r}: privacy {self.privacy!r} is not one of "
                + ", ".join(PRIVACY_STATUSES)
            )
        self._client: Any = None
        self._http: Any = None

    def __repr__(self) -> str:
        return f"YouTubeAdapter(account={self.account.name!r}, base_url={self.base_url!r})"

    # -- contract ----------------------------------------------------------------------------
    def not_applicable_reason(self, kind: ContentKind) -> str | None:
        if self.supports(kind):
            return None
        return (
            f"YouTube takes only video: {kind} content has no video to upload "
            "(videos and podcasts rendered as video go to YouTube)"
        )

    def draft_problems(self, draft: Draft, limits: Limits) -> list[str]:
        """YouTube's rules for the title, description, tags and the video file."""
        from crosspost.adapters.youtube.checks import draft_problems

        return draft_problems(draft, limits)

    def _publish(self, request: PublishRequest, progress: ProgressCallback | None) -> Receipt:
        """The video once (resumed after a confirmed upload), then its thumbnail and playlist
        item, each confirmed the moment YouTube answers (steps: see `steps`)."""
        from crosspost.adapters.youtube.steps import add_to_playlist, set_thumbnail

        draft = request.draft
        client = self._youtube()
        steps = list(request.done)
        video_id = request.done_id(StepKind.VIDEO)
        resumed = video_id is not None
        if video_id is None:
            video = draft.media_with_role(MediaRole.VIDEO)
            assert video is not None  # check() refuses a draft without one
            body = self._metadata(draft, request.scheduled_at, request.marker)
            video_id = str(self._upload(client, body, video, progress)["id"])
            made = StepReceipt(StepKind.VIDEO, 1, video_id, _watch_url(video_id))
            self._confirm(request, steps, made)
        warnings: list[str] = []
        cover = draft.media_with_role(MediaRole.COVER, MediaRole.IMAGE)  # the thumbnail
        if cover is not None and request.done_id(StepKind.THUMBNAIL) is None:
            warning = set_thumbnail(self._execute, client, video_id, cover)
            if warning:
                warnings.append(warning)
            else:
                self._confirm(request, steps, StepReceipt(StepKind.THUMBNAIL, 1, video_id))
        playlist_id = self.playlists.get(str(draft.kind))
        if playlist_id and request.done_id(StepKind.PLAYLIST) is None:
            item_id, warning = add_to_playlist(
                self._execute, client, video_id, playlist_id, resumed=resumed
            )
            if item_id:
                self._confirm(request, steps, StepReceipt(StepKind.PLAYLIST, 1, item_id))
            if warning:
                warnings.append(warning)
        return self._receipt(video_id, steps, warnings=tuple(warnings))

    @staticmethod
    def _confirm(request: PublishRequest, steps: list[StepReceipt], step: StepReceipt) -> None:
        request.confirm(step)  # recorded before anything else is sent; its errors pass through
        steps.append(step)

    @staticmethod
    def _receipt(video_id: str, steps: list[StepReceipt], **fields: Any) -> Receipt:
        items = [f"playlistItem:{s.remote_id}" for s in steps if s.kind == StepKind.PLAYLIST]
        return Receipt(video_id, _watch_url(video_id), tuple(items), steps=tuple(steps), **fields)

    def find_existing(self, request: PublishRequest, since: datetime) -> Receipt | None:
        """This post's video: the one an earlier attempt confirmed, or the one the proof rules
        of `reconcile` accept; `complete` only when its thumbnail and playlist steps are done
        too (the playlist is asked: an insert whose answer was lost is found there)."""
        from crosspost.adapters.youtube import reconcile

        client = self._youtube()
        steps = list(request.done)
        video_id = request.done_id(StepKind.VIDEO)
        if video_id is None:
            floor = reconcile.floor_to_second(since)
            video = reconcile.find_video(self._execute, client, request, floor)
            if video is None:
                return None
            video_id = str(video["id"])
            steps.append(StepReceipt(StepKind.VIDEO, 1, video_id, _watch_url(video_id)))
        draft = request.draft
        done = {s.kind for s in steps}
        complete = True
        if draft.media_with_role(MediaRole.COVER, MediaRole.IMAGE) is not None:
            # Whether a custom thumbnail was set cannot be read back: setting it again is
            # harmless, so an unconfirmed one makes the post resume.
            complete = StepKind.THUMBNAIL in done
        playlist_id = self.playlists.get(str(draft.kind))
        if playlist_id and StepKind.PLAYLIST not in done:
            item_id = reconcile.playlist_item(self._execute, client, playlist_id, video_id)
            if item_id is None:
                complete = False
            else:
                steps.append(StepReceipt(StepKind.PLAYLIST, 1, item_id))
        return self._receipt(video_id, steps, complete=complete)

    def verify(self) -> str:
        channels = self._execute(self._youtube().channels().list(mine=True, part="snippet"))
        items = channels.get("items") or []
        if not items:
            raise AuthenticationError(f"account {self.account.name!r} has no YouTube channel")
        return str(items[0]["snippet"]["title"])

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
        self._client = self._http = None

    def warm_up(self) -> None:
        super().warm_up()
        self._youtube()

    # -- the client --------------------------------------------------------------------------
    def _youtube(self) -> Any:
        """The googleapiclient Resource, built once from the re-rooted discovery document."""
        if self._client is None:
            from crosspost.adapters.youtube.transport import build_client, discovery_document

            access = self.account.credentials.get("access_token")
            token = access.reveal() if access else None
            refresh_token = self.account.credential("refresh_token").reveal()
            client_id = self.account.credential("client_id").reveal()
            client_secret = self.account.credential("client_secret").reveal()
            self._client, self._http = build_client(
                discovery_document(self.base_url),
                token=token,
                refresh_token=refresh_token,
                token_uri=self.token_uri,
                client_id=client_id,
                client_secret=client_secret,
                timeout=self.timeout,
            )
        return self._client

    def _token_answer(self) -> dict[str, str]:
        """The token endpoint's last status and headers (for a refresh that failed)."""
        return dict(getattr(self._http, "last_token_answer", None) or {})

    def _metadata(
        self, draft: Draft, scheduled_at: datetime, marker: str | None = None
    ) -> dict[str, Any]:
        """The video's snippet and status; the post's marker as one more tag (`reconcile`)."""
        from crosspost.adapters.youtube.reconcile import marker_tag

        status: dict[str, Any] = {
            "privacyStatus": self.privacy,
            "selfDeclaredMadeForKids": self.made_for_kids,
        }
        when = scheduled_at if scheduled_at.tzinfo else scheduled_at.replace(tzinfo=UTC)
        if self.privacy == "public" and when - datetime.now(UTC) > self.publish_lead:
            # YouTube publishes a private video with publishAt at that time, on its own.
            status["privacyStatus"] = "private"
            status["publishAt"] = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        snippet = {
            "title": draft.title,
            "description": draft.description or "",
            "tags": [*draft.tags, *([marker_tag(marker)] if marker else [])],
            "categoryId": self.category_id,
        }
        return {"snippet": snippet, "status": status}

    # -- the upload --------------------------------------------------------------------------
    def _upload(
        self, client: Any, body: dict[str, Any], video: MediaFile, progress: ProgressCallback | None
    ) -> dict[str, Any]:
        from crosspost.adapters.youtube.transport import ChunkFileUpload

        mime = video.mime_type or mimetypes.guess_type(video.path.name)[0] or "video/mp4"
        try:
            media = ChunkFileUpload(
                str(video.path), mimetype=mime, chunksize=self.chunk_bytes, resumable=True
            )
        except OSError as exc:
            raise PermanentError(
                f"cannot read the video file {video.path.name}: {exc.strerror or exc}"
            ) from exc
        try:
            insert = client.videos().insert(part="snippet,status", body=body, media_body=media)
            return self._send_chunks(insert, int(media.size()), progress)
        finally:
            media.stream().close()

    def _send_chunks(
        self, insert: Any, total: int, progress: ProgressCallback | None
    ) -> dict[str, Any]:
        """Drive next_chunk(); after a 5xx or dropped link, googleapiclient's next call asks
        the server where it is (`bytes */total`) and continues from there."""
        from google.auth.exceptions import RefreshError
        from googleapiclient.errors import HttpError

        from crosspost.adapters.youtube.transport import TRANSPORT_ERRORS

        failures = 0
        end_unconfirmed = False  # the last bytes went out and no answer says what happened
        while True:
            sends_last = insert.resumable_progress + self.chunk_bytes >= total
            try:
                status, response = insert.next_chunk(num_retries=0)
            except HttpError as exc:
                error = http_error(exc, self.scrub, self.account.name)
                resumable = int(exc.resp.status) >= 500
                if int(exc.resp.status) in (404, 410) and insert.resumable_uri is not None:
                    error = RetryableError(
                        "YouTube forgot the upload session; start again",
                        http_status=int(exc.resp.status),
                    )
                cause: Exception = exc
            except RefreshError as exc:
                error, resumable, cause = (
                    refresh_error(exc, self.scrub, self.account.name, self._token_answer()),
                    False,
                    exc,
                )
            except TRANSPORT_ERRORS as exc:
                error = RetryableError(f"connection to YouTube failed mid-upload ({kind_of(exc)})")
                resumable, cause = True, exc
            else:
                if response is not None:
                    if progress is not None:
                        progress(total, total)
                    return dict(response)
                end_unconfirmed, failures = False, 0
                if progress is not None and status is not None:
                    progress(int(status.resumable_progress), total)
                continue
            # A 4xx or a refused refresh is a definite answer: those bytes made nothing.
            sent = not isinstance(cause, HttpError | RefreshError) or resumable
            if sent:
                end_unconfirmed = end_unconfirmed or (
                    sends_last and insert.resumable_uri is not None
                )
            if resumable and failures < self.upload_retries:
                failures += 1
                time.sleep(min(self.backoff * 2 ** (failures - 1), 30.0))
                continue
            if end_unconfirmed:
                raise AmbiguousOutcomeError(
                    "the last bytes of the video reached YouTube but no answer came back "
                    f"({error.message}); the video may exist",
                    http_status=error.http_status,
                    platform_code=error.platform_code,
                ) from cause
            raise error from cause

    # -- errors ------------------------------------------------------------------------------
    def _execute(self, request: Any, *, write: bool = False) -> dict[str, Any]:
        """Run one non-upload call; every failure leaves as a PublishError.

        A write whose connection drops may have been applied: that is ambiguous, not retryable.
        """
        from google.auth.exceptions import RefreshError
        from googleapiclient.errors import HttpError

        from crosspost.adapters.youtube.transport import TRANSPORT_ERRORS

        try:
            return dict(request.execute(num_retries=0))
        except HttpError as exc:
            raise http_error(exc, self.scrub, self.account.name) from exc
        except RefreshError as exc:
            raise refresh_error(exc, self.scrub, self.account.name, self._token_answer()) from exc
        except TRANSPORT_ERRORS as exc:
            what = f"YouTube {getattr(request, 'methodId', None) or 'call'}"
            raise no_answer(
                what, kind_of(exc), creating=write, connected=not never_connected(exc)
            ) from exc


def _watch_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"
