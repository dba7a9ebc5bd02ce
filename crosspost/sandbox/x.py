"""X API v2 in the sandbox: posts, the v2 chunked media upload, and the reads reconciliation uses.

Shapes follow the X API v2 OpenAPI spec (info.version 2.167): successes are ``{"data": ...}``,
failures are Problem objects (``title``, ``detail``, ``type``, ``status``), invalid requests
also carry an ``errors`` array. Where the live API and the spec disagree on a name (the spec
renamed ``tweet.fields``/``edit_history_tweet_ids`` to ``post.fields``/``edit_history_post_ids``)
the sandbox accepts or sends both, since tweepy speaks the live names.

Like X, the answers wrap every URL in t.co and HTML-escape ``&``, ``<`` and ``>`` in post text,
so a client that compares texts must normalise them. Uploaded bytes are counted and hashed, never
kept: an append holds one segment in memory.

The OAuth 1.0a PIN flow (``/oauth/request_token``, ``/oauth/authorize``, ``/oauth/access_token``)
is served as X serves it, so `crosspost auth x` can be tested end to end: the authorise page is
what the signed-in sandbox user sees after clicking "Authorize app", a PIN. With the
``consumer_key``/``consumer_secret`` knobs set, only that app may start the flow and every
signature on it is checked (HMAC-SHA1, the one method X takes); the access tokens it issues are
then bound to the app and their API calls' signatures checked too. Other tokens stay as before:
any well-formed header is a user.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import twitter_text

from crosspost.sandbox.api import PlatformAPI, Route, SandboxContext
from crosspost.sandbox.faults import Fault
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.uploads import Received

WINDOW_SECONDS = 15 * 60
# Per-user limits per 15-minute window (X docs, edited 2026-07); enforced only when configured.
RATE_LIMITS = {
    "tweets.create": 100,
    "media": 1875,
    "users.me": 75,
    "users.tweets": 900,
    "tweets.get": 900,
}
ACTION_GROUP = {
    "tweets.create": "tweets.create",
    "media.initialize": "media",
    "media.append": "media",
    "media.finalize": "media",
    "media.status": "media",
    "users.me": "users.me",
    "users.tweets": "users.tweets",
    "tweets.get": "tweets.get",
}
TEXT_MAX = 280
MAX_SEGMENT_BYTES = 5 * 1024 * 1024
MAX_SEGMENT_INDEX = 999
MEDIA_EXPIRES_SECS = 86_400
CATEGORY_LIMITS = {"image": 5 * 1024 * 1024, "gif": 15 * 1024 * 1024}
MEDIA_TYPES = {
    "video/mp4": "video",
    "video/webm": "video",
    "video/mp2t": "video",
    "video/quicktime": "video",
    "image/jpeg": "image",
    "image/gif": "gif",
    "image/bmp": "image",
    "image/png": "image",
    "image/webp": "image",
    "image/pjpeg": "image",
    "image/tiff": "image",
}
MEDIA_CATEGORIES = {
    "tweet_image": "image",
    "tweet_gif": "gif",
    "tweet_video": "video",
    "amplify_video": "video",
    "dm_image": "image",
    "dm_gif": "gif",
    "dm_video": "video",
}
MEDIA_KEY_PREFIX = {"image": "3", "gif": "16", "video": "7"}
INIT_KEYS = {"media_type", "total_bytes", "media_category", "additional_owners", "shared"}
# CreatePostsRequest's properties (additionalProperties: false); the sandbox acts on three.
TWEET_KEYS = {"text", "media", "reply"}
TWEET_KEYS_UNSUPPORTED = {
    "card_uri",
    "community_id",
    "direct_message_deep_link",
    "edit_options",
    "for_super_followers_only",
    "geo",
    "made_with_ai",
    "nullcast",
    "paid_partnership",
    "poll",
    "quote_tweet_id",
    "reply_settings",
    "share_with_followers",
}
TWEET_FIELDS = {
    "attachments",
    "author_id",
    "conversation_id",
    "created_at",
    "edit_history_tweet_ids",
    "edit_history_post_ids",
    "id",
    "in_reply_to_user_id",
    "lang",
    "referenced_tweets",
    "referenced_posts",
    "text",
}
DIGITS = re.compile(r"[0-9]{1,19}")
OAUTH_PARAM = re.compile(r'\s*([A-Za-z_]+)="([^"]*)"\s*')
OAUTH_REQUIRED = (
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
)
OAUTH_METHODS = {"HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1", "PLAINTEXT"}

# The OAuth 1.0a endpoints answer in X's older shapes: JSON `errors` for a refused app, plain text
# for a bad request token or verifier (what X sends; clients match on these texts).
OAUTH_ERROR_BAD_AUTH = (400, 215, "Bad Authentication data.")
OAUTH_ERROR_NOT_AUTHENTICATED = (401, 32, "Could not authenticate you.")
OAUTH_ERROR_DESKTOP_ONLY = (
    403,
    417,
    "Desktop applications only support the oauth_callback value 'oob'",
)
OAUTH_ERROR_CALLBACK = (
    403,
    415,
    "Callback URL not approved for this client application. Approved callback URLs can be "
    "adjusted in your application settings",
)
INVALID_REQUEST_TOKEN = "Invalid request token."
INVALID_VERIFIER = "Error processing your OAuth request: Invalid oauth_verifier parameter"
PIN_DIGITS = 7
# Who is signed in on the sandbox's authorise page: the user every PIN flow authorises.
SIGNED_IN_USERNAME = "sandbox_owner"
SIGNED_IN = "signed-in"  # its key in XApi._users: never a credential key (those have a scheme)

PROBLEM = "application/problem+json"
INVALID_REQUEST = "https://api.x.com/2/problems/invalid-request"
NOT_FOUND = "https://api.x.com/2/problems/resource-not-found"
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text length "
    "see https://github.com/twitter/twitter-text."
)
REPLY_MISSING = "You attempted to reply to a Tweet that is deleted or not visible to you."
REPLY_REFUSED = (
    "Reply to this conversation is not allowed because you have not been mentioned or "
    "otherwise engaged by the author of the post you are replying to."
)

DEFAULTS: dict[str, Any] = {
    "enforce_rate_limits": False,
    "check_after_secs": 0,
    "processing_polls": 2,
    "processing_outcome": "succeeded",
    "refuse_replies": False,
    "rate_limits": {},
    "consumer_key": None,  # the one app the PIN flow accepts; None: any
    "consumer_secret": None,  # when set, OAuth 1.0a signatures on the flow are checked
    "request_token_secs": 900,  # a request token's life (the sandbox's choice)
}


@dataclass
class _User:
    id: str
    username: str
    name: str


@dataclass
class _Tweet:
    id: str
    text: str  # as posted, NFC
    author_id: str
    created_at: float
    media_ids: list[str]
    media_keys: list[str]
    in_reply_to: str | None
    in_reply_to_user_id: str | None
    conversation_id: str


@dataclass
class _Media:
    id: str
    media_key: str
    owner_id: str
    media_type: str
    media_category: str
    kind: str  # image, gif or video
    total_bytes: int
    created_at: float
    body: Received = field(default_factory=Received)
    segments: int = 0
    state: str = "initialized"  # then pending, in_progress, succeeded or failed
    polls: int = 0


@dataclass
class _RequestToken:
    """Step 1 of the PIN flow; the PIN is set when the user opens the authorise page."""

    secret: str
    consumer_key: str
    issued_at: float  # it expires request_token_secs later, as configured when checked
    pin: str | None = None


@dataclass
class _Grant:
    """An access token the PIN flow issued: its user, the app it is bound to and, when the
    sandbox checked signatures then, the consumer secret its calls must be signed with."""

    secret: str
    user: _User
    consumer_key: str
    consumer_secret: str | None


class _Refusal(Exception):
    """A handler's early answer: raised deep in validation, turned into its Response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status, **extra}
    return Response.json(body, status=status, headers={"Content-Type": PROBLEM})


def _invalid(message: str, parameter: str | None = None, value: Any = None) -> _Refusal:
    error: dict[str, Any] = {"message": message}
    if parameter is not None:
        error["parameters"] = {parameter: [] if value is None else [str(value)]}
    body = {
        "errors": [error],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": INVALID_REQUEST,
        "status": 400,
    }
    return _Refusal(Response.json(body, status=400, headers={"Content-Type": PROBLEM}))


def _forbidden(detail: str) -> _Refusal:
    return _Refusal(_problem(403, "Forbidden", detail))


def _too_many_requests() -> Response:
    return _problem(
        429,
        "Too Many Requests",
        "Too Many Requests",
        errors=[{"code": 88, "message": "Rate limit exceeded"}],
    )


def _not_found(resource_type: str, parameter: str, value: str) -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"Could not find {resource_type} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": NOT_FOUND,
    }


def _iso(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse_time(name: str, raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise _invalid(f"Invalid '{name}': not an RFC 3339 date-time", name, raw) from None
    if moment.tzinfo is None:
        raise _invalid(f"Invalid '{name}': the time zone is missing", name, raw)
    return moment.timestamp()


def displayed_text(text: str) -> str:
    """The text as X shows it: URLs wrapped in t.co, &, < and > escaped."""
    out: list[str] = []
    last = 0
    for found in twitter_text.extract_urls_with_indices(text):
        start, end = found["indices"]
        code = hashlib.sha1(found["url"].encode("utf-8")).hexdigest()[:10]
        out.extend((text[last:start], f"https://t.co/{code}"))
        last = end
    out.append(text[last:])
    joined = "".join(out)
    return joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class XApi(PlatformAPI):
    """The X API v2 endpoints crosspost uses, with X's checks and X's error shapes."""

    name = "x"

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self._settings: dict[str, Any] = dict(DEFAULTS)
        self._users: dict[str, _User] = {}  # by credential (token); kept across resets
        self._tweets: dict[str, _Tweet] = {}
        self._texts: set[tuple[str, str]] = set()  # (author id, text): duplicates in O(1)
        self._media: dict[str, _Media] = {}
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._request_tokens: dict[str, _RequestToken] = {}
        self._grants: dict[str, _Grant] = {}  # by credential key (oauth1:TOKEN)

    # -- framework ------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        media = r"/2/media/upload/(?P<id>[^/]+)"
        endpoints: list[tuple[str, str, Callable[[Request, _User], Response], str]] = [
            ("POST", "/2/tweets", self._create_tweet, "tweets.create"),
            ("GET", r"/2/tweets/(?P<id>[^/]+)", self._get_tweet, "tweets.get"),
            ("GET", "/2/users/me", self._users_me, "users.me"),
            ("GET", r"/2/users/(?P<id>[^/]+)/tweets", self._timeline, "users.tweets"),
            ("POST", "/2/media/upload/initialize", self._initialize, "media.initialize"),
            ("POST", media + "/append", self._append, "media.append"),
            ("POST", media + "/finalize", self._finalize, "media.finalize"),
            ("GET", "/2/media/upload", self._status, "media.status"),
        ]
        oauth = [
            Route.make("POST", "/oauth/request_token", self._request_token, "oauth.request_token"),
            # A web page, not an API call: faults and rate limits are the API's.
            Route.make(
                "GET", "/oauth/authorize", self._authorize_page, "oauth.authorize", faultable=False
            ),
            Route.make("POST", "/oauth/access_token", self._access_token, "oauth.access_token"),
        ]
        return oauth + [
            Route.make(method, path, self._api(action, handler), action)
            for method, path, handler, action in endpoints
        ]

    def fault_response(self, fault: Fault, request: Request, route: Route) -> Response:
        group = ACTION_GROUP.get(route.action, route.action)
        with self.ctx.lock:
            user = self._user_for(request)
            headers = self._peek(user.id if user else "-", group)
        if fault.kind == "429":
            headers["x-rate-limit-remaining"] = "0"
            headers["x-rate-limit-reset"] = str(int(self.ctx.now()) + fault.retry_after)
            response = _too_many_requests()
        elif fault.kind == "expired":
            response = _problem(401, "Unauthorized", "Unauthorized")
        elif fault.kind == "permanent":
            response = _invalid("The request was refused (sandbox permanent fault).").response
        else:
            response = _problem(503, "Service Unavailable", "Service Unavailable")
        response.headers.update(headers)
        return response

    def snapshot(self) -> dict[str, Any]:
        with self.ctx.lock:
            return {
                "tweets": [
                    {
                        "id": t.id,
                        "text": t.text,
                        "media_ids": list(t.media_ids),
                        "in_reply_to": t.in_reply_to,
                        "created_at": _iso(t.created_at),
                        "author_id": t.author_id,
                    }
                    for t in self._tweets.values()
                ],
                "media": [
                    {
                        "id": m.id,
                        "media_key": m.media_key,
                        "media_type": m.media_type,
                        "media_category": m.media_category,
                        "total_bytes": m.total_bytes,
                        "bytes_received": m.body.size,
                        "segments": m.segments,
                        "state": m.state,
                        "sha256": m.body.sha256,
                        "owner_id": m.owner_id,
                    }
                    for m in self._media.values()
                ],
                "users": [{"id": u.id, "username": u.username} for u in self._users.values()],
                "access_tokens_issued": len(self._grants),
            }

    def reset(self) -> None:
        with self.ctx.lock:
            self._tweets.clear()
            self._texts.clear()
            self._media.clear()
            self._windows.clear()
            self._request_tokens.clear()
            self._grants.clear()  # an issued token is then any other token: a user of its own

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        """Knobs: enforce_rate_limits, check_after_secs, processing_polls, processing_outcome,
        refuse_replies (every reply gets X's 2026 'not allowed' answer), rate_limits
        (per-group overrides, groups as in RATE_LIMITS), and for the PIN flow consumer_key,
        consumer_secret (shown only as consumer_secret_set) and request_token_secs."""
        for key, value in options.items():
            if key not in DEFAULTS:
                raise ValueError(f"x sandbox has no option {key!r} (allowed: {sorted(DEFAULTS)})")
            if key in ("enforce_rate_limits", "refuse_replies") and not isinstance(value, bool):
                raise ValueError(f"x option {key} must be true or false")
            if key in ("consumer_key", "consumer_secret") and not (
                value is None or (isinstance(value, str) and value)
            ):
                raise ValueError(f"x option {key} must be a non-empty string or null")
            if key in ("check_after_secs", "processing_polls", "request_token_secs") and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                raise ValueError(f"x option {key} must be a whole number >= 0")
            if key == "processing_outcome" and value not in ("succeeded", "failed"):
                raise ValueError("x option processing_outcome must be 'succeeded' or 'failed'")
            if key == "rate_limits" and (
                not isinstance(value, dict)
                or not set(value) <= set(RATE_LIMITS)
                or not all(isinstance(v, int) and v > 0 for v in value.values())
            ):
                raise ValueError(f"x option rate_limits maps {sorted(RATE_LIMITS)} to limits > 0")
        with self.ctx.lock:
            self._settings.update(options)
            shown = {k: v for k, v in self._settings.items() if k != "consumer_secret"}
            shown["consumer_secret_set"] = self._settings["consumer_secret"] is not None
            return shown

    # -- the OAuth 1.0a PIN flow -----------------------------------------------------------
    def _request_token(self, request: Request) -> Response:
        """Step 1: the app, signing with its consumer secret alone, asks for a request token."""
        params = _oauth_parameters(request)
        oauth = dict(params or [])
        if params is None or not _oauth_complete(oauth, with_token=False):
            return _oauth_error(*OAUTH_ERROR_BAD_AUTH)
        callback = oauth.get("oauth_callback")
        with self.ctx.lock:
            if not self._app_ok(request, params, token_secret=""):
                return _oauth_error(*OAUTH_ERROR_NOT_AUTHENTICATED)
            if callback is None:
                return _oauth_error(*OAUTH_ERROR_DESKTOP_ONLY)
            if callback != "oob":  # the sandbox's app has no callback URLs registered
                return _oauth_error(*OAUTH_ERROR_CALLBACK)
            token = self._token_text("request token", 27)
            secret = self._token_text("request token secret", 32)
            consumer_key = oauth["oauth_consumer_key"]
            self._request_tokens[token] = _RequestToken(secret, consumer_key, self.ctx.now())
        return _form_answer(
            oauth_token=token, oauth_token_secret=secret, oauth_callback_confirmed="true"
        )

    def _authorize_page(self, request: Request) -> Response:
        """Step 2, in the user's browser: the signed-in user has authorised; X shows a PIN."""
        with self.ctx.lock:
            pending = self._live_request_token(request.arg("oauth_token") or "")
            if pending is None:
                return _page(
                    "X / Error",
                    "<p>This page is no longer valid: its request token is unknown, already used "
                    "or expired. Go back to the application that sent you here and start again."
                    "</p>",
                )
            if pending.pin is None:
                digest = hashlib.sha256(self._token_text("pin", 64).encode()).hexdigest()
                pending.pin = str(int(digest, 16) % 10**PIN_DIGITS).zfill(PIN_DIGITS)
            user, pin = self._signed_in(), pending.pin
        return _page(
            "X / Authorize an application",
            f'<div id="oauth_pin"><p><span id="code-desc">You granted the application access to '
            f"@{html.escape(user.username)}. Next, return to the application and enter this PIN "
            f'to complete the authorization process:</span> <kbd aria-labelledby="code-desc">'
            f"<code>{pin}</code></kbd></p></div>",
        )

    def _access_token(self, request: Request) -> Response:
        """Step 3: the app trades the request token and the PIN (the verifier) for the user's
        access token and secret."""
        params = _oauth_parameters(request)
        oauth = dict(params or [])
        if params is None or not _oauth_complete(oauth, with_token=True):
            return _oauth_error(*OAUTH_ERROR_BAD_AUTH)
        request_token = oauth["oauth_token"]
        verifier = oauth.get("oauth_verifier", "")
        with self.ctx.lock:
            pending = self._live_request_token(request_token)
            if pending is None or pending.consumer_key != oauth["oauth_consumer_key"]:
                return _oauth_text_error(INVALID_REQUEST_TOKEN)
            if not self._app_ok(request, params, token_secret=pending.secret):
                return _oauth_error(*OAUTH_ERROR_NOT_AUTHENTICATED)
            # A wrong PIN leaves the request token usable: the user may retype it.
            if pending.pin is None or not hmac.compare_digest(
                verifier.encode("utf-8"), pending.pin.encode("utf-8")
            ):
                return _oauth_text_error(INVALID_VERIFIER)
            del self._request_tokens[request_token]
            user = self._signed_in()
            token = f"{user.id}-{self._token_text('access token', 40)}"
            secret = self._token_text("access token secret", 45)
            self._grants[f"oauth1:{token}"] = _Grant(
                secret, user, pending.consumer_key, self._settings["consumer_secret"]
            )
        return _form_answer(
            oauth_token=token, oauth_token_secret=secret, user_id=user.id, screen_name=user.username
        )

    def _app_ok(self, request: Request, params: list[tuple[str, str]], token_secret: str) -> bool:
        """Whether the configured app (any, unconfigured) signed this flow request."""
        key, secret = self._settings["consumer_key"], self._settings["consumer_secret"]
        if key is not None and dict(params).get("oauth_consumer_key") != key:
            return False
        return secret is None or _signature_ok(request, params, secret, token_secret)

    def _live_request_token(self, token: str) -> _RequestToken | None:
        pending = self._request_tokens.get(token)
        lifetime = self._settings["request_token_secs"]
        if pending is not None and self.ctx.now() >= pending.issued_at + lifetime:
            del self._request_tokens[token]
            return None
        return pending

    def _signed_in(self) -> _User:
        """The user signed in on the authorise page (one per sandbox, made on first use)."""
        user = self._users.get(SIGNED_IN)
        if user is None:
            user = _User(self.ctx.snowflake(), SIGNED_IN_USERNAME, "Sandbox Owner")
            self._users[SIGNED_IN] = user
        return user

    def _token_text(self, kind: str, length: int) -> str:
        """A new token of `length` hex digits, reproducible from the sandbox's seed."""
        material = f"{self.ctx.seed}:{kind}:{self.ctx.next_id()}".encode()
        return hashlib.sha512(material).hexdigest()[:length]

    # -- auth and rate limits -------------------------------------------------------------
    def _api(
        self, action: str, handler: Callable[[Request, _User], Response]
    ) -> Callable[[Request], Response]:
        """Wrap a handler: user-context auth, the rate-limit window and its headers."""
        group = ACTION_GROUP[action]

        def run(request: Request) -> Response:
            with self.ctx.lock:
                user = self._user_for(request)
                headers, allowed = self._charge(user.id if user else "-", group)
            if user is None:
                response = _problem(401, "Unauthorized", "Unauthorized")
            elif not allowed:
                response = _too_many_requests()
            else:
                try:
                    response = handler(request, user)
                except _Refusal as refusal:
                    response = refusal.response
            response.headers.update(headers)
            return response

        return run

    def _user_for(self, request: Request) -> _User | None:
        """The user a well-formed OAuth 1.0a or OAuth 2.0 user header names, else None. A token
        the PIN flow issued is its user's only with its app's key (and signature, if checked)."""
        key = _credential_key(*request.authorization())
        if key is None:
            return None
        grant = self._grants.get(key)
        if grant is not None:
            params = _oauth_parameters(request) or []
            oauth = dict(params)
            if oauth.get("oauth_consumer_key") != grant.consumer_key:
                return None
            if grant.consumer_secret is not None and not _signature_ok(
                request, params, grant.consumer_secret, grant.secret
            ):
                return None
            return grant.user
        user = self._users.get(key)
        if user is None:
            n = len(self._users) + 1
            user = _User(self.ctx.snowflake(), f"sandbox_user{n}", f"Sandbox User {n}")
            self._users[key] = user
        return user

    def _limit(self, group: str) -> int:
        overrides: dict[str, int] = self._settings["rate_limits"]
        return overrides.get(group, RATE_LIMITS.get(group, 900))

    def _window(self, user_id: str, group: str) -> tuple[float, int]:
        """The user's window for the group: (its start, calls in it), a new one once it ends."""
        now = self.ctx.now()
        start, used = self._windows.get((user_id, group), (now, 0))
        return (now, 0) if now >= start + WINDOW_SECONDS else (start, used)

    def _charge(self, user_id: str, group: str) -> tuple[dict[str, str], bool]:
        """Count a call in the window, unless enforced limits refuse it; its headers."""
        limit = self._limit(group)
        start, used = self._window(user_id, group)
        allowed = not (self._settings["enforce_rate_limits"] and used >= limit)
        if allowed:
            used += 1
        self._windows[(user_id, group)] = (start, used)
        return self._headers(limit, used, start), allowed

    def _peek(self, user_id: str, group: str) -> dict[str, str]:
        """The window's headers without counting a call (for a faulted answer)."""
        start, used = self._window(user_id, group)
        return self._headers(self._limit(group), used, start)

    @staticmethod
    def _headers(limit: int, used: int, start: float) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(limit - used, 0)),
            "x-rate-limit-reset": str(int(start + WINDOW_SECONDS)),
        }

    # -- posts ----------------------------------------------------------------------------
    def _create_tweet(self, request: Request, user: _User) -> Response:
        body = _json_object(request)
        unsupported = sorted(set(body) & TWEET_KEYS_UNSUPPORTED)
        unknown = sorted(set(body) - TWEET_KEYS - TWEET_KEYS_UNSUPPORTED)
        if unknown:
            raise _invalid(f"[{unknown[0]}] is not a field of a post request", unknown[0])
        if unsupported:
            raise _invalid(f"The sandbox does not implement [{unsupported[0]}]", unsupported[0])
        raw_text = body.get("text", "")
        if not isinstance(raw_text, str):
            raise _invalid("text must be a string", "text")
        text = unicodedata.normalize("NFC", raw_text)
        media_ids = _media_ids(body.get("media"))
        reply_to = _reply_to(body.get("reply"))
        if not text.strip() and not media_ids:
            raise _invalid("Post text or media is required.", "text")
        parsed = twitter_text.parse_tweet(text)
        if parsed.weightedLength > TEXT_MAX:
            raise _invalid(TOO_LONG, "text")
        if text and not parsed.valid:
            raise _invalid("The text contains characters a post cannot carry.", "text")
        with self.ctx.lock:
            keys = self._check_media(media_ids, user)
            parent = self._tweets.get(reply_to) if reply_to else None
            if reply_to and parent is None:
                raise _forbidden(REPLY_MISSING)
            if reply_to and self._settings["refuse_replies"]:
                raise _forbidden(REPLY_REFUSED)
            if text and (user.id, text) in self._texts:
                raise _forbidden(DUPLICATE)
            tweet_id = self.ctx.snowflake()
            tweet = _Tweet(
                id=tweet_id,
                text=text,
                author_id=user.id,
                created_at=self.ctx.now(),
                media_ids=media_ids,
                media_keys=keys,
                in_reply_to=reply_to,
                in_reply_to_user_id=parent.author_id if parent else None,
                conversation_id=parent.conversation_id if parent else tweet_id,
            )
            self._tweets[tweet_id] = tweet
            self._texts.add((user.id, text))
        data = {
            "id": tweet_id,
            "text": displayed_text(text),
            "edit_history_tweet_ids": [tweet_id],
            "edit_history_post_ids": [tweet_id],
        }
        return Response.json({"data": data}, status=201)

    def _check_media(self, media_ids: list[str], user: _User) -> list[str]:
        kinds: list[str] = []
        keys: list[str] = []
        for media_id in media_ids:
            media = self._media.get(media_id)
            if media is None or media.owner_id != user.id:
                raise _invalid("Your media IDs are invalid.", "media.media_ids", media_id)
            if media.state != "succeeded":
                raise _invalid(
                    f"Your media IDs are invalid: {media_id} is {media.state}, not processed.",
                    "media.media_ids",
                    media_id,
                )
            kinds.append(media.kind)
            keys.append(media.media_key)
        if len(kinds) > 1 and any(k != "image" for k in kinds):
            raise _invalid(
                "Your media IDs are invalid: a post takes up to 4 images, or 1 GIF, or 1 video.",
                "media.media_ids",
            )
        return keys

    def _get_tweet(self, request: Request, user: _User) -> Response:
        tweet_id = request.params["id"]
        fields = _tweet_fields(request)
        if not DIGITS.fullmatch(tweet_id):
            raise _invalid(f"The `id` query parameter value [{tweet_id}] is not valid", "id")
        with self.ctx.lock:
            tweet = self._tweets.get(tweet_id)
            if tweet is None:
                return Response.json({"errors": [_not_found("tweet", "id", tweet_id)]})
            return Response.json({"data": _render_tweet(tweet, fields)})

    def _users_me(self, request: Request, user: _User) -> Response:
        return Response.json(
            {"data": {"id": user.id, "name": user.name, "username": user.username}}
        )

    def _timeline(self, request: Request, user: _User) -> Response:
        user_id = request.params["id"]
        fields = _tweet_fields(request)
        max_results = _int_arg(request, "max_results", 10, 5, 100)
        start = _parse_time("start_time", request.arg("start_time"))
        end = _parse_time("end_time", request.arg("end_time"))
        since_id, until_id = request.arg("since_id"), request.arg("until_id")
        token = request.arg("pagination_token")
        with self.ctx.lock:
            if user_id not in {u.id for u in self._users.values()}:
                return Response.json({"errors": [_not_found("user", "id", user_id)]})
            tweets = sorted(
                (
                    t
                    for t in self._tweets.values()
                    if t.author_id == user_id
                    and (start is None or t.created_at >= start)
                    and (end is None or t.created_at < end)
                    and (since_id is None or int(t.id) > int(since_id))
                    and (until_id is None or int(t.id) < int(until_id))
                ),
                key=lambda t: int(t.id),
                reverse=True,
            )
            offset = 0
            if token is not None:
                ids = [t.id for t in tweets]
                if not token.startswith("p") or token[1:] not in ids:
                    raise _invalid("The pagination_token is not valid", "pagination_token", token)
                offset = ids.index(token[1:])
            page = tweets[offset : offset + max_results]
            meta: dict[str, Any] = {"result_count": len(page)}
            if page:
                meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
            if offset + max_results < len(tweets):
                meta["next_token"] = "p" + tweets[offset + max_results].id
            body: dict[str, Any] = {"meta": meta}
            if page:
                body["data"] = [_render_tweet(t, fields) for t in page]
        return Response.json(body)

    # -- media ----------------------------------------------------------------------------
    def _initialize(self, request: Request, user: _User) -> Response:
        body = _json_object(request)
        unknown = sorted(set(body) - INIT_KEYS)
        if unknown:
            raise _invalid(f"The field [{unknown[0]}] is not allowed here", unknown[0])
        media_type = str(body.get("media_type"))
        kind = MEDIA_TYPES.get(media_type)
        if kind is None:
            raise _invalid(f"media_type {media_type!r} is not supported", "media_type", media_type)
        total = body.get("total_bytes")
        if not isinstance(total, int) or isinstance(total, bool) or not 0 < total <= 2**34:
            raise _invalid("total_bytes must be a whole number above 0", "total_bytes", total)
        default_category = {"image": "tweet_image", "gif": "tweet_gif", "video": "tweet_video"}
        category = body.get("media_category", default_category[kind])
        if MEDIA_CATEGORIES.get(category) != kind:
            raise _invalid(
                f"media_category {category!r} does not fit media_type {media_type}",
                "media_category",
                category,
            )
        if total > CATEGORY_LIMITS.get(kind, 2**34):
            raise _invalid(
                f"File size exceeds {CATEGORY_LIMITS[kind]} bytes.", "total_bytes", total
            )
        with self.ctx.lock:
            media_id = self.ctx.snowflake()
            media = _Media(
                id=media_id,
                media_key=f"{MEDIA_KEY_PREFIX[kind]}_{media_id}",
                owner_id=user.id,
                media_type=media_type,
                media_category=category,
                kind=kind,
                total_bytes=total,
                created_at=self.ctx.now(),
            )
            self._media[media_id] = media
        data = {
            "id": media_id,
            "media_key": media.media_key,
            "expires_after_secs": MEDIA_EXPIRES_SECS,
        }
        return Response.json({"data": data})

    def _own_media(self, media_id: str, user: _User) -> _Media:
        media = self._media.get(media_id)
        if media is None or media.owner_id != user.id:
            body = {**_not_found("media", "id", media_id), "status": 404}
            raise _Refusal(Response.json(body, status=404, headers={"Content-Type": PROBLEM}))
        return media

    def _append(self, request: Request, user: _User) -> Response:
        media_id = request.params["id"]
        with self.ctx.lock:
            self._own_media(media_id, user)  # refuse before reading a stranger's upload
        chunk, index = _segment(request)
        with self.ctx.lock:
            media = self._own_media(media_id, user)
            if media.state != "initialized":
                raise _invalid(f"Media {media_id} is already finalized.", "id", media_id)
            if index != media.segments:
                raise _invalid(
                    f"segment_index {index} is out of order: expected {media.segments}.",
                    "segment_index",
                    index,
                )
            if media.body.size + len(chunk) > media.total_bytes:
                raise _invalid(
                    f"Segments exceed total_bytes ({media.total_bytes}).", "media", len(chunk)
                )
            media.body.add(chunk)
            media.segments += 1
            expires_at = int(media.created_at) + MEDIA_EXPIRES_SECS
        return Response.json({"data": {"expires_at": expires_at}})

    def _finalize(self, request: Request, user: _User) -> Response:
        media_id = request.params["id"]
        with self.ctx.lock:
            media = self._own_media(media_id, user)
            if media.state != "initialized":
                raise _invalid(f"Media {media_id} is already finalized.", "id", media_id)
            if media.body.size != media.total_bytes:
                raise _invalid(
                    "Segments do not add up to provided total file size.", "id", media_id
                )
            media.state = "succeeded" if media.kind == "image" else "pending"
            return Response.json({"data": self._media_data(media)})

    def _status(self, request: Request, user: _User) -> Response:
        command = request.arg("command", "STATUS")
        media_id = request.arg("media_id") or ""
        if command != "STATUS":
            raise _invalid(f"command {command!r} is not STATUS", "command", command)
        if not DIGITS.fullmatch(media_id):
            raise _invalid("media_id is required", "media_id", media_id)
        with self.ctx.lock:
            media = self._own_media(media_id, user)
            if media.state == "initialized":
                raise _invalid(f"Media {media_id} is not finalized.", "media_id", media_id)
            if media.state in ("pending", "in_progress"):
                media.polls += 1
                done = media.polls >= self._settings["processing_polls"]
                media.state = self._settings["processing_outcome"] if done else "in_progress"
            return Response.json({"data": self._media_data(media)})

    def _media_data(self, media: _Media) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": media.id,
            "media_key": media.media_key,
            "size": media.total_bytes,
            "expires_after_secs": max(
                int(media.created_at + MEDIA_EXPIRES_SECS - self.ctx.now()), 0
            ),
        }
        if media.kind != "image":
            info: dict[str, Any] = {"state": media.state}
            if media.state in ("pending", "in_progress"):
                info["check_after_secs"] = self._settings["check_after_secs"]
            info["progress_percent"] = {"pending": 0, "in_progress": 50}.get(media.state, 100)
            data["processing_info"] = info
        return data


# -- request parsing helpers ----------------------------------------------------------------


def _credential_key(scheme: str, rest: str) -> str | None:
    """A key for the user an Authorization header (scheme, credentials) names: the bearer
    token, or OAuth 1.0a's oauth_token."""
    if scheme.lower() == "bearer":
        return f"bearer:{rest}" if rest and " " not in rest and rest != "None" else None
    if scheme != "OAuth":
        return None
    header = _header_parameters(rest)
    if header is None or not _oauth_complete(dict(header), with_token=True):
        return None
    return f"oauth1:{dict(header)['oauth_token']}"


def _header_parameters(credentials: str) -> list[tuple[str, str]] | None:
    """An OAuth 1.0a header's parameters, decoded, in order; None when it is malformed."""
    params: list[tuple[str, str]] = []
    for item in credentials.split(","):
        match = OAUTH_PARAM.fullmatch(item)
        if match is None:
            return None
        params.append((match[1], unquote(match[2])))
    return params


def _oauth_complete(oauth: dict[str, str], *, with_token: bool) -> bool:
    """Whether the OAuth 1.0a parameters X requires are there and well formed."""
    required = (
        OAUTH_REQUIRED if with_token else tuple(k for k in OAUTH_REQUIRED if k != "oauth_token")
    )
    return (
        all(oauth.get(k) for k in required)
        and oauth["oauth_signature_method"] in OAUTH_METHODS
        and oauth["oauth_timestamp"].isdigit()
    )


def _oauth_parameters(request: Request) -> list[tuple[str, str]] | None:
    """What an OAuth 1.0a signature covers: the query, the Authorization header (but realm) and
    a form body, decoded, oauth_signature included; None without a well-formed OAuth header."""
    scheme, credentials = request.authorization()
    header = _header_parameters(credentials) if scheme == "OAuth" else None
    if header is None:
        return None
    params = [(name, value) for name, values in request.query.items() for value in values]
    params += [(name, value) for name, value in header if name != "realm"]
    if request.content_type == "application/x-www-form-urlencoded":
        body = request.body().decode("utf-8", "replace")
        params += parse_qsl(body, keep_blank_values=True)
    return params


def _signature_ok(
    request: Request, params: list[tuple[str, str]], consumer_secret: str, token_secret: str
) -> bool:
    """Whether oauth_signature is the request's HMAC-SHA1 with these secrets (RFC 5849 3.4)."""
    oauth = dict(params)
    if oauth.get("oauth_signature_method") != "HMAC-SHA1":  # the only method X accepts
        return False
    host = (request.header("Host") or "").lower().removesuffix(":80")
    signed = sorted((_percent(k), _percent(v)) for k, v in params if k != "oauth_signature")
    normalized = "&".join(f"{k}={v}" for k, v in signed)
    parts = (request.method.upper(), f"http://{host}{request.path}", normalized)
    base = "&".join(_percent(part) for part in parts)
    key = f"{_percent(consumer_secret)}&{_percent(token_secret)}"
    expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest())
    return hmac.compare_digest(expected, oauth.get("oauth_signature", "").encode("utf-8"))


def _percent(value: str) -> str:
    """RFC 5849 3.6 encoding: UTF-8, every byte but the unreserved characters escaped."""
    return quote(value, safe="~")


def _oauth_error(status: int, code: int, message: str) -> Response:
    return Response.json({"errors": [{"code": code, "message": message}]}, status=status)


def _oauth_text_error(message: str) -> Response:
    return Response(401, message.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"})


def _form_answer(**values: str) -> Response:
    body = urlencode(values).encode("utf-8")
    return Response(200, body, {"Content-Type": "text/html; charset=utf-8"})


def _page(title: str, body: str) -> Response:
    text = (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body>{body}</body></html>\n"
    )
    return Response(200, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def _json_object(request: Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise _invalid("The request body must be application/json.")
    try:
        body = request.json()
    except ValueError:
        raise _invalid("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise _invalid("The request body must be a JSON object.")
    return body


def _media_ids(media: Any) -> list[str]:
    if media is None:
        return []
    ids = media.get("media_ids") if isinstance(media, dict) else None
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= 4
        or not all(isinstance(i, str) and DIGITS.fullmatch(i) for i in ids)
    ):
        raise _invalid("media.media_ids must list 1 to 4 numeric id strings", "media.media_ids")
    return list(ids)


def _reply_to(reply: Any) -> str | None:
    if reply is None:
        return None
    target = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
    if not isinstance(target, str) or not DIGITS.fullmatch(target):
        raise _invalid("reply.in_reply_to_tweet_id must be a numeric id string", "reply")
    return target


def _segment(request: Request) -> tuple[bytes, int]:
    """One append: the `media` bytes and the `segment_index`, multipart (or JSON base64)."""
    if request.content_type == "multipart/form-data":
        try:
            fields = request.multipart()
        except ValueError as exc:
            raise _invalid(f"The multipart body is not valid: {exc}") from None
        media = fields.get("media")
        raw_index: Any = fields["segment_index"].text if "segment_index" in fields else None
        chunk = media.data if media is not None else None
    elif request.content_type == "application/json":
        body = _json_object(request)
        raw_index = body.get("segment_index")
        try:
            chunk = base64.b64decode(body["media"], validate=True) if "media" in body else None
        except (binascii.Error, TypeError):
            raise _invalid("media must be base64", "media") from None
    else:
        raise _invalid("An append must be multipart/form-data (or application/json).")
    if chunk is None:
        raise _invalid("The media field is required.", "media")
    if len(chunk) > MAX_SEGMENT_BYTES:
        raise _invalid(f"A segment must be at most {MAX_SEGMENT_BYTES} bytes.", "media")
    try:
        index = int(raw_index)
    except (TypeError, ValueError):
        raise _invalid("segment_index is required", "segment_index", raw_index) from None
    if not 0 <= index <= MAX_SEGMENT_INDEX:
        raise _invalid("segment_index must be 0 to 999", "segment_index", index)
    return chunk, index


def _int_arg(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.arg(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise _invalid(
            f"The `{name}` query parameter value [{raw}] is not between {low} and {high}",
            name,
            raw,
        )
    return int(raw)


def _tweet_fields(request: Request) -> set[str]:
    """`tweet.fields` (live API, tweepy) or `post.fields` (the spec's 2.167 name)."""
    raw = request.arg("tweet.fields") or request.arg("post.fields") or ""
    fields = {f for f in raw.split(",") if f}
    unknown = sorted(fields - TWEET_FIELDS)
    if unknown:
        raise _invalid(f"The tweet.fields value [{unknown[0]}] is not one of the allowed values")
    return fields


def _render_tweet(tweet: _Tweet, fields: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": tweet.id,
        "text": displayed_text(tweet.text),
        "edit_history_tweet_ids": [tweet.id],
    }
    if "created_at" in fields:
        data["created_at"] = _iso(tweet.created_at)
    if "author_id" in fields:
        data["author_id"] = tweet.author_id
    if "conversation_id" in fields:
        data["conversation_id"] = tweet.conversation_id
    if "in_reply_to_user_id" in fields and tweet.in_reply_to_user_id:
        data["in_reply_to_user_id"] = tweet.in_reply_to_user_id
    if "attachments" in fields and tweet.media_keys:
        data["attachments"] = {"media_keys": list(tweet.media_keys)}
    if fields & {"referenced_tweets", "referenced_posts"} and tweet.in_reply_to:
        refs = [{"type": "replied_to", "id": tweet.in_reply_to}]
        data["referenced_tweets"] = refs
        data["referenced_posts"] = refs
    return data
