"""X: posts and threads through tweepy; media in `upload`, errors in `errors`.

tweepy's v2 host is hard-coded; `HostSession` (the session tweepy is given, in `transport`)
moves its URLs to `base_url`. Every tweepy and `requests` failure leaves this package as one of
the base PublishError classes.

tweepy, `requests`, twitter_text and the renderer are imported where they are used, not here:
config validation imports this module on every command for the class's declared data alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from crosspost.adapters.auth import AuthCommand, AuthOption
from crosspost.adapters.base import (
    AccountConfig,
    Adapter,
    AmbiguousOutcomeError,
    ContentKind,
    Draft,
    Limits,
    PermanentError,
    Platform,
    ProgressCallback,
    PublishError,
    PublishRequest,
    Receipt,
    RetryableError,
    SettingSpec,
    StepKind,
    StepReceipt,
    unsettled_error,
)
from crosspost.adapters.x.chain import Seen, at_part, done_parts, next_part
from crosspost.adapters.x.chain import comparable as comparable  # where tests look for it
from crosspost.adapters.x.errors import CREATE, READ, REDACTOR, http_error, transport_error
from crosspost.adapters.x.upload import DEFAULT_CHUNK_BYTES, MB, MediaUploader, attachments_for

if TYPE_CHECKING:
    import tweepy

    from crosspost.adapters.x.oauth2_tokens import TokenKeeper

DEFAULT_BASE_URL = "https://api.twitter.com"
THREAD_MODES = ("never", "auto", "always")
DEFAULT_TIMEOUT = 30.0
DEFAULT_VIDEO_MAX_BYTES = 512 * MB
DEFAULT_VIDEO_MAX_SECONDS = 140.0
DEFAULT_PROCESSING_TIMEOUT = 600.0
CLOCK_SKEW = timedelta(seconds=60)  # X's clock and ours may differ: look a little earlier
TIMELINE_PAGES = 32  # X serves at most the last 3,200 posts of a timeline: 32 pages of 100
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
GIF_MAX_BYTES = 15 * MB

T = TypeVar("T")


class XAdapter(Adapter):
    """An X account: single posts and threads, up to 4 images or 1 video on the first post."""

    platform = Platform.X
    display_name = "X"
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
    limit_settings: ClassVar[Mapping[str, str]] = {
        key: key
        for key in ("image_max_bytes", "gif_max_bytes", "video_max_bytes", "video_max_seconds")
    }
    library_loggers: ClassVar[tuple[str, ...]] = ("tweepy",)
    auth_command: ClassVar[AuthCommand | None] = AuthCommand(
        help=(
            "OAuth 1.0a PIN flow: authorise in a browser, type the PIN, store the access token. "
            "With --oauth2: OAuth 2.0 with PKCE, paste the redirect address, store the "
            "refreshing token pair."
        ),
        flow="crosspost.adapters.x.auth:run",
        options=(
            # Asked for by the flow when missing (the PIN flow's two, the OAuth 2.0 client id).
            AuthOption("consumer_key", envvar="CROSSPOST_X_CONSUMER_KEY", help="PIN flow"),
            AuthOption(
                "consumer_secret", envvar="CROSSPOST_X_CONSUMER_SECRET", help="PIN flow (env)"
            ),
            AuthOption(
                "oauth2", type=bool, default=False, flag="--oauth2", help="OAuth 2.0 with PKCE"
            ),
            AuthOption("client_id", envvar="CROSSPOST_X_CLIENT_ID", help="OAuth 2.0 Client ID"),
            AuthOption(
                "client_secret",
                envvar="CROSSPOST_X_CLIENT_SECRET",
                help="OAuth 2.0 Client Secret of a confidential client (env); none: public",
            ),
            AuthOption(
                "redirect_uri",
                help="a callback URL registered for the app (OAuth 2.0), default "
                "http://127.0.0.1:8765/callback",
            ),
        ),
    )
    # POST /2/tweets allows 100 per 15 minutes per user (PLATFORMS.md); a thread makes several
    # calls, so the default leaves room for threads of up to 4 parts.
    default_budget: ClassVar[Mapping[str, int]] = {"per_15_minutes": 25}
    # Pay-per-use, USD per post created: X's 2026 rate card as reported (about $0.015 a post,
    # $0.20 when it holds a URL), not confirmed from a primary source (PLATFORMS.md), so
    # [accounts.NAME.cost] overrides both (crosspost/costs.py, config_costs.py).
    default_prices: ClassVar[Mapping[str, float]] = {"per_post": 0.015, "per_post_with_url": 0.20}
    settings_spec: ClassVar[Mapping[str, SettingSpec]] = {
        "thread": SettingSpec(
            str, "threads: never, auto or always", choices=THREAD_MODES, default="never"
        ),
        "thread_numbering": SettingSpec(bool, "add '1/n' to thread parts", default=False),
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
        self.uploader = MediaUploader(
            lambda: self.client.session,
            self.base_url,
            chunk_bytes=int(self.setting("upload_chunk_bytes")),
            processing_timeout=float(self.setting("processing_timeout_seconds")),
            scrub=self.scrub,
            account=account.name,
        )
        self._client: tweepy.Client | None = None
        self._user_auth = True
        self._me: tuple[str, str] | None = None  # (user id, username)

    def __repr__(self) -> str:
        return f"XAdapter(account={self.account.name!r}, base_url={self.base_url!r})"

    # -- checks -------------------------------------------------------------------------
    def draft_problems(self, draft: Draft, limits: Limits) -> list[str]:
        """X's rules (weighted length, media mix, type and size), as rendering applies them."""
        from crosspost.adapters.x.checks import draft_problems

        return draft_problems(draft, limits)

    # -- the calls ------------------------------------------------------------------------
    def _publish(self, request: PublishRequest, progress: ProgressCallback | None) -> Receipt:
        """Post the parts earlier attempts did not confirm, each a reply to the one before, and
        report each the moment X confirms it; a failure on a part is raised as it is, about
        that part (a later attempt resumes after the confirmed ones)."""
        draft = request.draft
        total = len(draft.parts)
        if total == 0:
            raise PermanentError("x: the draft has no text to post")
        steps = done_parts(request, total)
        username = self._username()
        media_ids: list[str] = []
        for number in range(len(steps) + 1, total + 1):
            try:
                if number == 1:  # part 1 carries the media; it is uploaded only to post it
                    media_ids = self.uploader.upload_all(attachments_for(draft.media), progress)
                post_id = self._create(
                    draft.parts[number - 1],
                    media_ids=media_ids if number == 1 else None,
                    reply_to=steps[-1].remote_id if steps else None,
                )
            except PublishError as exc:
                raise at_part(exc, number, total) from None
            step = StepReceipt(StepKind.PART, number, post_id, self._url(username, post_id))
            request.confirm(step)
            steps.append(step)
        first = steps[0]
        return Receipt(
            remote_id=first.remote_id,
            url=first.url or self._url(username, first.remote_id),
            extra_ids=(*(s.remote_id for s in steps[1:]), *media_ids),
            steps=tuple(steps),
        )

    def find_existing(self, request: PublishRequest, since: datetime) -> Receipt | None:
        """The thread continued from the confirmed parts on proof alone (`chain.next_part`):
        None when no further part is on X, else every part found so far, `complete` only when
        all are. Texts are compared as X rewrites them: t.co links, &<> escaped, the media
        link X appends to a post with media."""
        parts = request.draft.parts
        done = done_parts(request, len(parts))
        user_id, username = self._whoami()
        if done and len(done) == len(parts):
            # Every part was confirmed (the worker died before recording the result): the
            # thread is whole on X, by the receipts alone.
            return Receipt(
                remote_id=done[0].remote_id,
                url=done[0].url or self._url(username, done[0].remote_id),
                extra_ids=tuple(s.remote_id for s in done[1:]),
                steps=tuple(done),
            )
        start = (since if since.tzinfo else since.replace(tzinfo=UTC)) - CLOCK_SKEW
        timeline = [Seen.of(tweet) for tweet in self._timeline(user_id, start)]
        steps = list(done)
        for number in range(len(done) + 1, len(parts) + 1):
            previous = steps[-1].remote_id if steps else None
            found = next_part(
                timeline,
                parts[number - 1],
                number,
                len(parts),
                previous,
                start,
                request.exclude_ids,
            )
            if found is None:
                break
            post_id = str(found.id)
            steps.append(StepReceipt(StepKind.PART, number, post_id, self._url(username, post_id)))
        if len(steps) == len(done):
            return None
        first = steps[0]
        return Receipt(
            remote_id=first.remote_id,
            url=first.url or self._url(username, first.remote_id),
            extra_ids=tuple(s.remote_id for s in steps[1:]),
            steps=tuple(steps),
            complete=len(steps) == len(parts),
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

        from crosspost.adapters.x.transport import BearerAuth, HostSession

        account = self.account
        session = HostSession(self.base_url, self.timeout)
        if "refresh_token" in account.credentials:
            # OAuth 2.0 with PKCE: the user token is refreshed (and rotated) as it ends.
            from crosspost.adapters.x.oauth2_tokens import RefreshingBearerAuth

            client = tweepy.Client()
            session.auth = RefreshingBearerAuth(self._token_keeper())
            self._user_auth = False
        elif "consumer_key" in account.credentials or "bearer_token" not in account.credentials:
            keys = [
                account.credential(k).reveal()
                for k in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
            ]
            REDACTOR.add(keys)
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
            REDACTOR.add([token])
            # An OAuth 2.0 user token rides on the session, not in tweepy's bearer_token: tweepy
            # logs its headers at DEBUG, and the session's auth replaces its placeholder header.
            client = tweepy.Client()
            session.auth = BearerAuth(token)
            self._user_auth = False
        client.session.close()  # tweepy's own, unused
        client.session = session
        return client

    def _token_keeper(self) -> TokenKeeper:
        """The account's OAuth 2.0 pair, kept valid (oauth2_tokens.py); secrets redacted."""
        from crosspost.adapters.x.oauth2 import CLIENT_ID, CLIENT_SECRET, TokenEndpoint
        from crosspost.adapters.x.oauth2_tokens import TokenKeeper

        creds = self.account.credentials
        values = {key: secret.reveal() for key, secret in creds.items()}
        secret = values.get(CLIENT_SECRET)
        REDACTOR.add(v for k, v in values.items() if k != "token_expires_at")
        endpoint = TokenEndpoint(
            self.base_url, self.account.credential(CLIENT_ID).reveal(), secret, self.timeout
        )
        return TokenKeeper(
            self.account.name, values, self.account.store, endpoint, on_new_secrets=REDACTOR.add
        )

    def _tweepy(self, stage: str, call: Callable[..., T], **kwargs: Any) -> T:
        import requests
        import tweepy

        try:
            return call(**kwargs, user_auth=self._user_auth)
        except tweepy.HTTPException as exc:
            raise http_error(exc.response, stage, self.scrub, self.account.name) from None
        except requests.RequestException as exc:
            raise transport_error(exc, stage) from None
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

    def _timeline(self, user_id: str, start: datetime) -> list[Any]:
        """tweepy's Tweets of the account's posts since `start`, oldest first, with what proof
        of a thread part needs (created_at, referenced_tweets, attachments)."""
        found: list[Any] = []
        token: str | None = None
        for _ in range(TIMELINE_PAGES):
            page = self._tweepy(
                READ,
                self.client.get_users_tweets,
                id=user_id,
                start_time=start,
                max_results=100,
                tweet_fields=["created_at", "referenced_tweets", "attachments"],
                pagination_token=token,
            )
            found.extend(page.data or [])
            token = (page.meta or {}).get("next_token")
            if not token:
                break
        return sorted(found, key=lambda t: int(t.id))
