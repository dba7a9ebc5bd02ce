"""X (Twitter): posts and threads through tweepy, media through X's v2 chunked upload.

tweepy 4.17 has no v2 media upload (tweepy#2217), so media goes initialize → append → finalize →
STATUS polls through tweepy's own `requests` session and the same user-context auth. tweepy's v2
host is hard-coded; `HostSession` (the session tweepy is given, in `x_transport`) moves its URLs
to `base_url`. Every tweepy and `requests` failure leaves this module as one of the base
PublishError classes.

tweepy, `requests`, twitter_text and the renderer are imported where they are used, not here:
config validation imports this module on every command for the class's declared data alone.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import quote

from crosspost.adapters.base import (
    AccountConfig,
    Adapter,
    AmbiguousOutcomeError,
    AuthenticationError,
    ContentKind,
    Draft,
    DuplicateContentError,
    Limits,
    MediaFile,
    MediaRole,
    PermanentError,
    Platform,
    ProgressCallback,
    PublishError,
    PublishRequest,
    RateLimitedError,
    Receipt,
    RetryableError,
    SettingSpec,
    no_answer,
    unsettled_error,
)
from crosspost.adapters.common import media_size, nfc, open_media, retry_at_epoch

if TYPE_CHECKING:
    import requests
    import tweepy

    from crosspost.adapters.x_transport import HostSession

    _HostSession = HostSession  # served at run time by __getattr__ below

MB = 1024 * 1024
DEFAULT_BASE_URL = "https://api.twitter.com"
DEFAULT_CHUNK_BYTES = 1 * MB
MAX_CHUNK_BYTES = 5 * MB
MAX_SEGMENTS = 1000  # X numbers appended segments 0 to 999
DEFAULT_TIMEOUT = 30.0
DEFAULT_VIDEO_MAX_BYTES = 512 * MB
DEFAULT_VIDEO_MAX_SECONDS = 140.0
DEFAULT_PROCESSING_TIMEOUT = 600.0
MIN_POLL_SECONDS = 0.05
CLOCK_SKEW = timedelta(seconds=60)  # X's clock and ours may differ: look a little earlier
TIMELINE_PAGES = 32  # X serves at most the last 3,200 posts of a timeline: 32 pages of 100
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
GIF_MAX_BYTES = 15 * MB

# Stages of a publish: a 5xx or lost answer means "maybe created" only when creating a post.
CREATE, MEDIA, READ = "create post", "media upload", "read"

T = TypeVar("T")


class XAdapter(Adapter):
    """An X account: single posts and threads, up to 4 images or 1 video on the first post."""

    platform = Platform.X
    supported_kinds = frozenset({ContentKind.ARTICLE, ContentKind.VIDEO, ContentKind.PODCAST})
    limits = Limits(
        text_max=280,
        max_images=4,
        max_videos=1,
        image_max_bytes=5 * MB,
        video_max_bytes=DEFAULT_VIDEO_MAX_BYTES,
        video_max_seconds=DEFAULT_VIDEO_MAX_SECONDS,
        image_types=IMAGE_TYPES,
        video_types=VIDEO_TYPES,
        gif_max_bytes=GIF_MAX_BYTES,
        url_weight=23,
    )
    # POST /2/tweets allows 100 per 15 minutes per user (PLATFORMS.md); a thread makes several
    # calls, so the default leaves room for threads of up to 4 parts.
    default_budget: ClassVar[Mapping[str, int]] = {"per_15_minutes": 25}
    settings_spec: ClassVar[Mapping[str, SettingSpec]] = {
        "base_url": SettingSpec(
            str,
            f"API root, default {DEFAULT_BASE_URL} (the sandbox in tests)",
            default=DEFAULT_BASE_URL,
        ),
        "username": SettingSpec(str, "the @name in post URLs; read from /2/users/me when absent"),
        "upload_chunk_bytes": SettingSpec(
            int, "media segment size, default 1 MiB, at most 5 MiB", default=DEFAULT_CHUNK_BYTES
        ),
        "timeout_seconds": SettingSpec(
            (int, float), "timeout of each HTTP request, default 30", default=DEFAULT_TIMEOUT
        ),
        "image_max_bytes": SettingSpec(
            int, "largest image, default 5 MiB", default=limits.image_max_bytes
        ),
        "gif_max_bytes": SettingSpec(int, "largest GIF, default 15 MiB", default=GIF_MAX_BYTES),
        "video_max_bytes": SettingSpec(
            int,
            "largest video the account may post, default 512 MiB",
            default=DEFAULT_VIDEO_MAX_BYTES,
        ),
        "video_max_seconds": SettingSpec(
            (int, float),
            "longest video the account may post, default 140 (X: by account tier)",
            default=DEFAULT_VIDEO_MAX_SECONDS,
        ),
        "processing_timeout_seconds": SettingSpec(
            (int, float),
            "how long to wait for X to process a video, default 600",
            default=DEFAULT_PROCESSING_TIMEOUT,
        ),
    }

    def __init__(self, account: AccountConfig) -> None:
        super().__init__(account)
        self.base_url = str(self.setting("base_url")).rstrip("/")
        self.timeout = float(self.setting("timeout_seconds"))
        self.chunk_bytes = min(int(self.setting("upload_chunk_bytes")), MAX_CHUNK_BYTES)
        self.processing_timeout = float(self.setting("processing_timeout_seconds"))
        self._client: tweepy.Client | None = None
        self._user_auth = True
        self._me: tuple[str, str] | None = None  # (user id, username)

    def __repr__(self) -> str:
        return f"XAdapter(account={self.account.name!r}, base_url={self.base_url!r})"

    # -- limits, rendering, checks --------------------------------------------------------
    def account_limits(self) -> Limits:
        """The class limits with this account's media limits (X's depend on the account).

        The renderer reads the same settings, so `render` needs no override."""
        return replace(
            self.limits,
            image_max_bytes=int(self.setting("image_max_bytes")),
            video_max_bytes=int(self.setting("video_max_bytes")),
            video_max_seconds=float(self.setting("video_max_seconds")),
        )

    def check(self, draft: Draft) -> list[str]:
        """The renderer's problems; for a draft it found none in, X's own last checks before
        anything is sent (weighted length, media mix, type and size), in case it was not
        rendered with these limits."""
        from crosspost.render.weighted import WeightConfig, weighted_length

        if draft.problems:
            return list(draft.problems)
        reason = self.not_applicable_reason(draft.kind)
        problems: list[str] = [reason] if reason else []
        if not draft.parts:
            problems.append("x: the post has no text")
        limits = self.account_limits()
        weights = WeightConfig.for_limits(limits)
        for number, part in enumerate(draft.parts, start=1):
            if not part.strip():
                problems.append(f"x: part {number} is empty")
            weight = weighted_length(nfc(part), weights)
            if weight > limits.text_max:
                problems.append(
                    f"x: part {number} is {weight} weighted characters, limit {limits.text_max}"
                )
        attachments = attachments_for(draft)
        problems.extend(_mix_problems(draft.kind, attachments, limits))
        gif_max_bytes = int(self.setting("gif_max_bytes"))
        for media in attachments:
            problems.extend(_media_problems(media, limits, gif_max_bytes))
        return problems

    # -- the calls ------------------------------------------------------------------------
    def publish(self, request: PublishRequest, progress: ProgressCallback | None = None) -> Receipt:
        draft = request.draft
        problems = self.check(draft)
        if problems:
            raise PermanentError("x: the draft cannot be posted: " + "; ".join(problems))
        username = self._username()
        media_ids = self._upload_all(attachments_for(draft), progress)
        first = self._create(draft.parts[0], media_ids=media_ids)
        posted = [first]
        warnings: list[str] = []
        total = len(draft.parts)
        for number, text in enumerate(draft.parts[1:], start=2):
            try:
                posted.append(self._create(text, reply_to=posted[-1]))
            except PublishError as exc:
                # The first post stands: report the rest, never retry the whole post for them.
                unknown = type(exc) is AmbiguousOutcomeError  # it may exist after all
                outcome = "outcome unknown" if unknown else "not posted"
                warnings.append(f"thread part {number}/{total} {outcome}: {exc.message}")
                warnings.extend(
                    f"thread part {n}/{total} not posted: the thread stopped at part {number}"
                    for n in range(number + 1, total + 1)
                )
                break
        return Receipt(
            remote_id=first,
            url=self._url(username, first),
            extra_ids=(*posted[1:], *media_ids),
            warnings=tuple(warnings),
        )

    def find_existing(self, request: PublishRequest, since: datetime) -> Receipt | None:
        """The oldest own post since `since` whose text is the draft's first part, then, in
        order after it, posts with the texts of the further parts (X refuses duplicate text, so
        a later post with a part's text is that part). Texts are compared as X returns them
        changed: URLs become t.co links and &<> are escaped."""
        parts = [comparable(p) for p in request.draft.parts]
        if not parts:
            return None
        user_id, username = self._whoami()
        chain: list[str] = []
        warnings: list[str] = []
        # Each post's text reduced once, not once per part looked for.
        timeline = [(int(i), comparable(t)) for i, t in self._timeline(user_id, since)]
        for number, part in enumerate(parts, start=1):
            after = int(chain[-1]) if chain else 0
            found = next((str(i) for i, t in timeline if i > after and t == part), None)
            if found is None:
                if not chain:
                    return None
                warnings.extend(
                    f"thread part {n}/{len(parts)} not found on X (not posted)"
                    for n in range(number, len(parts) + 1)
                )
                break
            chain.append(found)
        return Receipt(
            remote_id=chain[0],
            url=self._url(username, chain[0]),
            extra_ids=tuple(chain[1:]),
            warnings=tuple(warnings),
        )

    def verify(self) -> str:
        self._me = None
        return f"@{self._whoami()[1]}"

    def close(self) -> None:
        if self._client is not None:
            self._client.session.close()
            self._client = None

    # -- posts and reads through tweepy ---------------------------------------------------
    @property
    def client(self) -> tweepy.Client:
        """tweepy's client, built on first use so rendering and checks need no credentials."""
        if self._client is None:
            self._client = self._build_client()
        return self._client

    def warm_up(self) -> None:
        super().warm_up()
        _ = self.client

    def _build_client(self) -> tweepy.Client:
        if not self.base_url.startswith(("https://", "http://")):
            raise PermanentError(f"x: base_url {self.base_url!r} is not an http(s) URL")
        import tweepy

        from crosspost.adapters.x_transport import BearerAuth, HostSession

        account = self.account
        session = HostSession(self.base_url, self.timeout)
        if "consumer_key" in account.credentials or "bearer_token" not in account.credentials:
            keys = [
                account.credential(k).reveal()
                for k in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
            ]
            _REDACTOR.add(keys)
            client = tweepy.Client(
                consumer_key=keys[0],
                consumer_secret=keys[1],
                access_token=keys[2],
                access_token_secret=keys[3],
            )
            # tweepy signs its own calls (user_auth=True); media calls use the session's auth.
            session.auth = tweepy.OAuth1UserHandler(*keys).apply_auth()
            self._user_auth = True
        else:
            token = account.credential("bearer_token").reveal()
            _REDACTOR.add([token])
            # An OAuth 2.0 user token rides on the session, not in tweepy's bearer_token: tweepy
            # logs its headers at DEBUG, and the session's auth replaces its placeholder header.
            client = tweepy.Client()
            session.auth = BearerAuth(token)
            self._user_auth = False
        client.session.close()  # tweepy's own, unused
        client.session = session
        return client

    def _tweepy(self, stage: str, call: Callable[..., T], **kwargs: Any) -> T:
        import requests
        import tweepy

        try:
            return call(**kwargs, user_auth=self._user_auth)
        except tweepy.HTTPException as exc:
            raise _http_error(exc.response, stage, self.scrub) from None
        except requests.RequestException as exc:
            raise _transport_error(exc, stage) from None
        except tweepy.TweepyException as exc:
            message = f"x {stage}: unexpected answer ({type(exc).__name__})"
            raise unsettled_error(message, creating=stage == CREATE) from None

    def _create(
        self, text: str, *, media_ids: list[str] | None = None, reply_to: str | None = None
    ) -> str:
        response = self._tweepy(
            CREATE,
            self.client.create_tweet,
            text=text,
            media_ids=media_ids or None,
            in_reply_to_tweet_id=reply_to,
        )
        try:
            return str(response.data["id"])
        except (AttributeError, KeyError, TypeError):
            raise AmbiguousOutcomeError("x create post: the answer has no post id") from None

    def _whoami(self) -> tuple[str, str]:
        if self._me is None:
            user = self._tweepy(READ, self.client.get_me).data
            if user is None:
                raise RetryableError("x read: /2/users/me answered without a user")
            self._me = (str(user.id), str(user.username))
        return self._me

    def _username(self) -> str:
        configured = self.setting("username")
        return str(configured).lstrip("@") if configured else self._whoami()[1]

    @staticmethod
    def _url(username: str, post_id: str) -> str:
        return f"https://x.com/{username}/status/{post_id}"

    def _timeline(self, user_id: str, since: datetime) -> list[tuple[str, str]]:
        """(id, text) of the account's posts since `since`, oldest first."""
        start = (since if since.tzinfo else since.replace(tzinfo=UTC)) - CLOCK_SKEW
        found: list[tuple[str, str]] = []
        token: str | None = None
        for _ in range(TIMELINE_PAGES):
            page = self._tweepy(
                READ,
                self.client.get_users_tweets,
                id=user_id,
                start_time=start,
                max_results=100,
                tweet_fields=["created_at"],
                pagination_token=token,
            )
            found.extend((str(tweet.id), str(tweet.text)) for tweet in page.data or [])
            token = (page.meta or {}).get("next_token")
            if not token:
                break
        return sorted(found, key=lambda t: int(t[0]))

    # -- media through the session --------------------------------------------------------
    def _upload_all(
        self, files: Iterable[MediaFile], progress: ProgressCallback | None
    ) -> list[str]:
        items = [(m, media_size(m, "x")) for m in files]
        total = sum(size for _, size in items)
        sent = 0
        ids: list[str] = []

        def advance(n: int) -> None:
            nonlocal sent
            sent += n
            if progress is not None:
                progress(sent, total)

        for media, size in items:
            ids.append(self._upload(media, size, advance))
        return ids

    def _upload(self, media: MediaFile, size: int, advance: Callable[[int], None]) -> str:
        kind = media_type(media)
        chunk_bytes = segment_size(size, self.chunk_bytes)  # refuses before X holds anything
        init = self._call(
            "POST",
            "/2/media/upload/initialize",
            json={"media_type": kind, "total_bytes": size, "media_category": _category(kind)},
        )
        media_id = str(init["data"]["id"])
        with open_media(media, "x") as stream:
            index = 0
            while chunk := stream.read(chunk_bytes):
                self._call(
                    "POST",
                    f"/2/media/upload/{media_id}/append",
                    data={"segment_index": str(index)},
                    files={"media": ("blob", chunk, "application/octet-stream")},
                )
                index += 1
                advance(len(chunk))
        final = self._call("POST", f"/2/media/upload/{media_id}/finalize")
        self._await_processing(media_id, final["data"].get("processing_info"))
        return media_id

    def _await_processing(self, media_id: str, info: dict[str, Any] | None) -> None:
        deadline = time.monotonic() + self.processing_timeout
        while info is not None and info.get("state") in ("pending", "in_progress"):
            wait = max(float(info.get("check_after_secs") or 0), MIN_POLL_SECONDS)
            if time.monotonic() + wait > deadline:
                raise RetryableError(
                    f"x media upload: {media_id} still processing after "
                    f"{self.processing_timeout:g} s"
                )
            time.sleep(wait)
            status = self._call(
                "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}
            )
            info = status["data"].get("processing_info")
        if info is not None and info.get("state") == "failed":
            raise PermanentError(f"x media upload: X could not process media {media_id}")

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One media request on tweepy's session (its auth and timeout), errors translated."""
        import requests

        try:
            response = self.client.session.request(method, self.base_url + path, **kwargs)
        except requests.RequestException as exc:
            raise _transport_error(exc, MEDIA) from None
        if not 200 <= response.status_code < 300:
            raise _http_error(response, MEDIA, self.scrub)
        try:
            body = response.json()
        except ValueError:
            raise RetryableError(f"x media upload: {path} answered with no JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise RetryableError(f"x media upload: {path} answered without data")
        return body


# -- the session, from x_transport ------------------------------------------------------------


def __getattr__(name: str) -> object:
    """`_HostSession`, still importable from here: it is `x_transport.HostSession`, which
    imports `requests` and so is loaded only when asked for (or a client is built)."""
    if name == "_HostSession":
        from crosspost.adapters.x_transport import HostSession

        return HostSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- credentials in library logs --------------------------------------------------------------


class _Redactor(logging.Filter):
    """oauthlib and requests-oauthlib log the consumer key and token at DEBUG: mask them."""

    LOGGERS = ("requests_oauthlib.oauth1_auth", "oauthlib.oauth1.rfc5849", "tweepy.client")

    def __init__(self) -> None:
        super().__init__()
        self.values: set[str] = set()
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self)

    def add(self, values: Iterable[str]) -> None:
        for value in values:
            if value:
                once = quote(value, safe="~")  # as in the header; twice in the base string
                self.values.update({value, once, quote(once, safe="~")})

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hits = [v for v in self.values if v in message]
        if hits:
            for value in sorted(hits, key=len, reverse=True):
                message = message.replace(value, "***")
            record.msg, record.args = message, None
        return True


_REDACTOR = _Redactor()


# -- errors -----------------------------------------------------------------------------------


def _http_error(
    response: requests.Response, stage: str, scrub: Callable[[str], str]
) -> PublishError:
    """X's answer as the taxonomy: status, X's code and X's own reason (`scrub`bed of the
    account's credentials) on the exception."""
    status = response.status_code
    reason, code = _reason(response)
    reason = scrub(reason)
    message = f"x {stage}: HTTP {status}: {reason}"
    if status == 429:
        reset_at = retry_at_epoch(response.headers.get("x-rate-limit-reset"))
        return RateLimitedError(message, http_status=status, platform_code=code, retry_at=reset_at)
    if status == 401:
        return AuthenticationError(message, http_status=status, platform_code=code)
    if status == 403 and "duplicate content" in reason.lower():
        return DuplicateContentError(message, http_status=status, platform_code=code)
    if 400 <= status < 500:
        return PermanentError(message, http_status=status, platform_code=code)
    creating = stage == CREATE
    return unsettled_error(message, creating=creating, http_status=status, platform_code=code)


def _reason(response: requests.Response) -> tuple[str, str | None]:
    """X's message and code: `errors[].message`/`code` (v1.1 style) or the Problem's detail."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or "no reason given", None
    if not isinstance(body, dict):
        return response.reason or "no reason given", None
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    messages = [str(e["message"]) for e in errors if e.get("message")]
    codes = [str(e["code"]) for e in errors if "code" in e]
    problem = str(body.get("type") or "")
    code = codes[0] if codes else (problem.rsplit("/", 1)[-1] if "/problems/" in problem else None)
    detail = str(body.get("detail") or body.get("title") or response.reason or "")
    return "; ".join(messages) if messages else detail, code


def _transport_error(exc: requests.RequestException, stage: str) -> PublishError:
    """No answer: nothing was sent if we never connected; otherwise a post may exist."""
    import requests
    import urllib3

    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    never_connected = isinstance(exc, requests.ConnectTimeout) or isinstance(
        reason, urllib3.exceptions.NewConnectionError
    )
    return no_answer(
        f"x {stage}",
        type(exc).__name__,
        creating=stage == CREATE,
        connected=not never_connected,
        note="the post may exist",
    )


# -- content mapping --------------------------------------------------------------------------


def attachments_for(draft: Draft) -> list[MediaFile]:
    """The files the first post carries: the draft's media as rendered (the renderer chose
    them: an article's pictures, the video, a podcast's cover), less any audio."""
    return [m for m in draft.media if m.role != MediaRole.AUDIO]


def media_type(media: MediaFile) -> str:
    guessed, _ = mimetypes.guess_type(media.path.name)
    return (media.mime_type or guessed or "application/octet-stream").lower()


def _category(kind: str) -> str:
    if kind == "image/gif":
        return "tweet_gif"
    return "tweet_video" if kind.startswith("video/") else "tweet_image"


def _mix_problems(kind: ContentKind, attachments: list[MediaFile], limits: Limits) -> list[str]:
    """X takes up to 4 images, or 1 GIF, or 1 video per post, never a mix."""
    kinds = [_category(media_type(m)) for m in attachments]
    problems = []
    if kind == ContentKind.VIDEO and "tweet_video" not in kinds:
        problems.append("x: a video post needs a video file (MP4 or MOV)")
    if len(kinds) > 1 and any(k != "tweet_image" for k in kinds):
        problems.append("x: a post takes up to 4 images, or 1 GIF, or 1 video, not a mix")
    elif len(kinds) > limits.max_images:
        problems.append(f"x: {len(kinds)} images, X takes at most {limits.max_images}")
    return problems


def _media_problems(media: MediaFile, limits: Limits, gif_max_bytes: int) -> list[str]:
    kind = media_type(media)
    name = media.path.name
    if limits.takes("video", kind):
        most = limits.video_max_bytes
    elif kind == "image/gif":
        most = gif_max_bytes
    elif limits.takes("image", kind):
        most = limits.image_max_bytes
    else:
        return [f"x: {name} is {kind}; X takes JPEG, PNG, GIF, WebP images and MP4/MOV video"]
    if most is not None and media.size > most:
        return [f"x: {name} is {media.size} bytes, X takes at most {most}"]
    return []


def comparable(text: str) -> str:
    """Text reduced to what survives X: NFC, HTML entities undone, URLs (t.co) masked."""
    import twitter_text

    text = nfc(html.unescape(text))
    out: list[str] = []
    last = 0
    for found in twitter_text.extract_urls_with_indices(text):
        start, end = found["indices"]
        out.extend((text[last:start], "<url>"))
        last = end
    out.append(text[last:])
    return " ".join("".join(out).split())


def segment_size(total: int, preferred: int) -> int:
    """The configured chunk size, grown (in whole MiB) when the file would need more segments
    than X accepts; a file that needs segments over 5 MiB cannot be uploaded at all."""
    needed = -(-total // MAX_SEGMENTS)
    if needed <= preferred:
        return preferred
    size = -(-needed // MB) * MB
    if size > MAX_CHUNK_BYTES:
        raise PermanentError(
            f"x: a {total // MB} MiB file needs {MAX_SEGMENTS} segments of over 5 MiB; "
            "X takes at most 1000 segments of 5 MiB"
        )
    return size
